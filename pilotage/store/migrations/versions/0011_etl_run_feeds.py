"""etl run log: the feeds each run wrote (etl_run.feeds), so the data-health page knows each source's last load

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 02:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('etl_run', sa.Column('feeds', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('etl_run') as batch:
        batch.drop_column('feeds')
