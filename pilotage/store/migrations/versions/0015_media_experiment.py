"""media_experiment: lift tests (channel, regions, period, measured incremental leads and interval)

The media models use them as a prior on their own lift (calibration), and the planning page shows where
the model and the experiments agree (issue 12, point 2).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 04:05:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'media_experiment',
        sa.Column('source_system', sa.String(length=32), nullable=False),
        sa.Column('channel_code', sa.String(length=32), nullable=False),
        sa.Column('regions', sa.String(length=400), nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('end_date', sa.Date(), nullable=False),
        sa.Column('incremental_leads', sa.Double(), nullable=False),
        sa.Column('lo', sa.Double(), nullable=False),
        sa.Column('hi', sa.Double(), nullable=False),
        sa.Column('spend', sa.Double(), nullable=True),
        sa.Column('notes', sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint('source_system', 'channel_code', 'regions', 'start_date', 'end_date'),
    )


def downgrade() -> None:
    op.drop_table('media_experiment')
