"""etl run log: source_type wide enough for a mapping's name (etl_run.source_type 32 -> 500)

A load through a mapping file is logged as "leads (mapping <file name>)": with a file name of
more than 14 characters that overflowed VARCHAR(32) on PostgreSQL, and the load failed when it
wrote its run. 500 is the width of the file name itself (etl_run.file_name).

SQLite does not enforce a VARCHAR's length, and changing a column's type there means copying
the table: dropping the old etl_run would cascade to the rejects and findings that refer to it.
So SQLite stores keep their declaration, which holds any length already.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 23:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    op.alter_column('etl_run', 'source_type', existing_type=sa.String(length=32), type_=sa.String(length=500),
                    existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    op.execute("UPDATE etl_run SET source_type = substr(source_type, 1, 32) WHERE length(source_type) > 32")
    op.alter_column('etl_run', 'source_type', existing_type=sa.String(length=500), type_=sa.String(length=32),
                    existing_nullable=False)
