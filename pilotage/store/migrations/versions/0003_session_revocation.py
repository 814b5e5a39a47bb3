"""sessions_valid_after on app users: logout, disable and a new password end open sessions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 11:36:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sessions_valid_after', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('sessions_valid_after')
