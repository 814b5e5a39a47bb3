"""forecast registry: training runs, per-series results, forecasts, champion events

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('forecast_run',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('cutoff', sa.Date(), nullable=False),
    sa.Column('run_by', sa.String(length=254), nullable=False),
    sa.Column('code_version', sa.String(length=80), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('is_champion', sa.Boolean(), nullable=False),
    sa.Column('horizon', sa.Integer(), nullable=False),
    sa.Column('n_series', sa.Integer(), nullable=False),
    sa.Column('duration_s', sa.Double(), nullable=False),
    sa.Column('mase', sa.Double(), nullable=True),
    sa.Column('smape', sa.Double(), nullable=True),
    sa.Column('naive_mase', sa.Double(), nullable=True),
    sa.Column('coverage80', sa.Double(), nullable=True),
    sa.Column('coverage95', sa.Double(), nullable=True),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('decision', sa.Text(), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forecast_run'))
    )
    with op.batch_alter_table('forecast_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forecast_run_kind'), ['kind'], unique=False)
        batch_op.create_index('uq_forecast_run_champion', ['kind'], unique=True,
                              sqlite_where=sa.text('is_champion'), postgresql_where=sa.text('is_champion'))

    op.create_table('forecast_series',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('series_key', sa.String(length=120), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('channel_code', sa.String(length=32), nullable=True),
    sa.Column('region_code', sa.String(length=32), nullable=True),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('variant', sa.String(length=200), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('mase', sa.Double(), nullable=True),
    sa.Column('smape', sa.Double(), nullable=True),
    sa.Column('naive_mase', sa.Double(), nullable=True),
    sa.Column('coverage80', sa.Double(), nullable=True),
    sa.Column('coverage95', sa.Double(), nullable=True),
    sa.Column('n_obs', sa.Integer(), nullable=False),
    sa.Column('short_series', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['forecast_run.id'], name=op.f('fk_forecast_series_run_id_forecast_run'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'series_key', name=op.f('pk_forecast_series'))
    )
    op.create_table('forecast_value',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('series_key', sa.String(length=120), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('yhat', sa.Double(), nullable=False),
    sa.Column('lo80', sa.Double(), nullable=True),
    sa.Column('hi80', sa.Double(), nullable=True),
    sa.Column('lo95', sa.Double(), nullable=True),
    sa.Column('hi95', sa.Double(), nullable=True),
    sa.Column('trend', sa.Double(), nullable=False),
    sa.Column('season', sa.Double(), nullable=False),
    sa.Column('media', sa.Double(), nullable=False),
    sa.Column('other', sa.Double(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['forecast_run.id'], name=op.f('fk_forecast_value_run_id_forecast_run'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'series_key', 'month', name=op.f('pk_forecast_value'))
    )
    op.create_table('forecast_champion_event',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('previous_run_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['forecast_run.id'],
                            name=op.f('fk_forecast_champion_event_run_id_forecast_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forecast_champion_event'))
    )
    with op.batch_alter_table('forecast_champion_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forecast_champion_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_forecast_champion_event_run_id'), ['run_id'], unique=False)


def downgrade() -> None:
    op.drop_table('forecast_champion_event')
    op.drop_table('forecast_value')
    op.drop_table('forecast_series')
    op.drop_table('forecast_run')
