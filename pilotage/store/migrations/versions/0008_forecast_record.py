"""forecast of record: backtest accuracy by horizon, planners' overrides, last month against the 95% interval
(forecast_accuracy, forecast_override, forecast_interval_state)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 23:38:41
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('forecast_accuracy',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('series_key', sa.String(length=120), nullable=False),
    sa.Column('horizon', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('reconciled', sa.Boolean(), nullable=False),
    sa.Column('mase', sa.Double(), nullable=True),
    sa.Column('naive_mase', sa.Double(), nullable=True),
    sa.Column('smape', sa.Double(), nullable=True),
    sa.Column('coverage80', sa.Double(), nullable=True),
    sa.Column('coverage95', sa.Double(), nullable=True),
    sa.Column('sum_half80', sa.Double(), nullable=True),
    sa.Column('sum_half95', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['forecast_run.id'], name=op.f('fk_forecast_accuracy_run_id_forecast_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'series_key', 'horizon', name=op.f('pk_forecast_accuracy'))
    )
    op.create_table('forecast_interval_state',
    sa.Column('scope_code', sa.String(length=32), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('actual', sa.Double(), nullable=True),
    sa.Column('yhat', sa.Double(), nullable=True),
    sa.Column('lo80', sa.Double(), nullable=True),
    sa.Column('hi80', sa.Double(), nullable=True),
    sa.Column('lo95', sa.Double(), nullable=True),
    sa.Column('hi95', sa.Double(), nullable=True),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('etl_run_id', sa.Integer(), nullable=True),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['forecast_run.id'], name=op.f('fk_forecast_interval_state_run_id_forecast_run'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('scope_code', 'month', name=op.f('pk_forecast_interval_state'))
    )
    op.create_table('forecast_override',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('scope_code', sa.String(length=32), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('value', sa.Double(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('model_value', sa.Double(), nullable=True),
    sa.Column('created_by', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['forecast_run.id'], name=op.f('fk_forecast_override_run_id_forecast_run'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forecast_override'))
    )
    with op.batch_alter_table('forecast_override', schema=None) as batch_op:
        batch_op.create_index('ix_forecast_override_scope_month', ['scope_code', 'month', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('forecast_override', schema=None) as batch_op:
        batch_op.drop_index('ix_forecast_override_scope_month')

    op.drop_table('forecast_override')
    op.drop_table('forecast_interval_state')
    op.drop_table('forecast_accuracy')
