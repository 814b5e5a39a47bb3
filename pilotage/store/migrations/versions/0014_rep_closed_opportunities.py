"""mart_rep_monthly.pipeline_closed: each rep's opportunities closed (won or lost) per month

The leaderboard's win rate divided deals won by opportunities *opened* in the same months, so a rep
who closed deals opened earlier showed a rate above 100 %. The win rate is won ÷ opportunities
closed (metrics.opportunity_win_rate), and the rep mart lacked that count. Existing rows get 0:
`pilotage etl rebuild-marts` (or the next load of the leads) fills it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 02:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('mart_rep_monthly', sa.Column('pipeline_closed', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('mart_rep_monthly') as batch:
        batch.drop_column('pipeline_closed')
