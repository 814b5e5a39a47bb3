"""media planning: scenarios saved by planners (plan_scenario, plan_scenario_cell)

Media runs are rows of forecast_run with kind "media": no change to that table.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('plan_scenario',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('scope_code', sa.String(length=32), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['app_user.id'], name=op.f('fk_plan_scenario_owner_id_app_user'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['forecast_run.id'], name=op.f('fk_plan_scenario_run_id_forecast_run'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_scenario')),
    sa.UniqueConstraint('owner_id', 'scope_code', 'name', name=op.f('uq_plan_scenario_owner_id'))
    )
    with op.batch_alter_table('plan_scenario', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_scenario_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_scenario_run_id'), ['run_id'], unique=False)

    op.create_table('plan_scenario_cell',
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('channel_code', sa.String(length=32), nullable=False),
    sa.Column('spend', sa.Double(), nullable=False),
    sa.CheckConstraint('spend >= 0', name=op.f('ck_plan_scenario_cell_spend_not_negative')),
    sa.ForeignKeyConstraint(['scenario_id'], ['plan_scenario.id'],
                            name=op.f('fk_plan_scenario_cell_scenario_id_plan_scenario'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('scenario_id', 'month', 'channel_code', name=op.f('pk_plan_scenario_cell'))
    )


def downgrade() -> None:
    op.drop_table('plan_scenario_cell')
    with op.batch_alter_table('plan_scenario', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_scenario_run_id'))
        batch_op.drop_index(batch_op.f('ix_plan_scenario_owner_id'))
    op.drop_table('plan_scenario')
