"""reject codes: each rejected row keeps its reason as a code and parameters the app translates

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('etl_reject') as batch:
        batch.add_column(sa.Column('code', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('params', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('etl_reject') as batch:
        batch.drop_column('params')
        batch.drop_column('code')
