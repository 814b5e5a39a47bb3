"""hashed keys compared byte by byte: fact_lead.lead_key and fact_subscription.customer_key in the "C"
collation on PostgreSQL

They are keyed hashes in hexadecimal, whose byte order is their natural order; a locale's collation
made a first load's primary-key build on a million leads twice as long (issue 9, point 4). SQLite
compares bytes already: nothing to do there. On a large store the change rebuilds the two keys.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

KEYS = (("fact_lead", "lead_key"), ("fact_subscription", "customer_key"))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in KEYS:
        op.alter_column(table, column, type_=sa.String(64, collation="C"), existing_type=sa.String(64),
                        existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in KEYS:
        op.alter_column(table, column, type_=sa.String(64), existing_type=sa.String(64, collation="C"),
                        existing_nullable=False)
