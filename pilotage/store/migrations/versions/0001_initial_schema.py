"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 09:33:35.965697
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dim_calendar',
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('iso_year', sa.Integer(), nullable=False),
    sa.Column('iso_week', sa.Integer(), nullable=False),
    sa.Column('iso_weekday', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('month_start', sa.Date(), nullable=False),
    sa.Column('quarter_start', sa.Date(), nullable=False),
    sa.Column('is_working_day', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('date', name=op.f('pk_dim_calendar'))
    )
    with op.batch_alter_table('dim_calendar', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dim_calendar_month_start'), ['month_start'], unique=False)
        batch_op.create_index(batch_op.f('ix_dim_calendar_quarter_start'), ['quarter_start'], unique=False)
        batch_op.create_index(batch_op.f('ix_dim_calendar_week_start'), ['week_start'], unique=False)

    op.create_table('dim_channel',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_en', sa.String(length=80), nullable=False),
    sa.Column('name_fr', sa.String(length=80), nullable=False),
    sa.Column('channel_group', sa.String(length=32), nullable=False),
    sa.Column('is_paid', sa.Boolean(), nullable=False),
    sa.Column('direction', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_dim_channel'))
    )
    op.create_table('dim_region',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('parent_code', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['parent_code'], ['dim_region.code'], name=op.f('fk_dim_region_parent_code_dim_region')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_dim_region'))
    )
    with op.batch_alter_table('dim_region', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dim_region_parent_code'), ['parent_code'], unique=False)

    op.create_table('dim_sales_team',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_dim_sales_team'))
    )
    op.create_table('etl_run',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('source_type', sa.String(length=32), nullable=False),
    sa.Column('file_name', sa.String(length=500), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('duration_s', sa.Double(), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('rows_inserted', sa.Integer(), nullable=False),
    sa.Column('rows_updated', sa.Integer(), nullable=False),
    sa.Column('rows_unchanged', sa.Integer(), nullable=False),
    sa.Column('rows_deleted', sa.Integer(), nullable=False),
    sa.Column('rows_rejected', sa.Integer(), nullable=False),
    sa.Column('rows_skipped', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('run_by', sa.String(length=120), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_etl_run'))
    )
    with op.batch_alter_table('etl_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_etl_run_file_sha256'), ['file_sha256'], unique=False)

    op.create_table('fact_ad_performance',
    sa.Column('source_system', sa.String(length=32), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('campaign_code', sa.String(length=64), nullable=False),
    sa.Column('region_code', sa.String(length=32), nullable=False),
    sa.Column('ad_code', sa.String(length=64), nullable=False),
    sa.Column('channel_code', sa.String(length=32), nullable=False),
    sa.Column('impressions', sa.Integer(), nullable=False),
    sa.Column('clicks', sa.Integer(), nullable=False),
    sa.Column('spend', sa.Double(), nullable=False),
    sa.Column('platform_conversions', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('source_system', 'date', 'campaign_code', 'region_code', 'ad_code', name=op.f('pk_fact_ad_performance'))
    )
    with op.batch_alter_table('fact_ad_performance', schema=None) as batch_op:
        batch_op.create_index('ix_fact_ad_performance_date', ['date'], unique=False)

    op.create_table('fact_cost',
    sa.Column('source_system', sa.String(length=32), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('region_code', sa.String(length=32), nullable=False),
    sa.Column('amount', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('source_system', 'month', 'category', 'region_code', name=op.f('pk_fact_cost'))
    )
    op.create_table('fact_external_series',
    sa.Column('source_system', sa.String(length=32), nullable=False),
    sa.Column('series', sa.String(length=64), nullable=False),
    sa.Column('geo', sa.String(length=32), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('source_system', 'series', 'geo', 'date', name=op.f('pk_fact_external_series'))
    )
    op.create_table('fact_lead',
    sa.Column('lead_key', sa.String(length=64), nullable=False),
    sa.Column('source_system', sa.String(length=32), nullable=False),
    sa.Column('channel_code', sa.String(length=32), nullable=False),
    sa.Column('campaign_code', sa.String(length=64), nullable=False),
    sa.Column('source_code', sa.String(length=120), nullable=False),
    sa.Column('region_code', sa.String(length=32), nullable=False),
    sa.Column('rep_code', sa.String(length=64), nullable=True),
    sa.Column('sdr_code', sa.String(length=64), nullable=True),
    sa.Column('segment', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('mql_at', sa.DateTime(), nullable=True),
    sa.Column('sql_at', sa.DateTime(), nullable=True),
    sa.Column('opportunity_at', sa.DateTime(), nullable=True),
    sa.Column('won_at', sa.DateTime(), nullable=True),
    sa.Column('lost_at', sa.DateTime(), nullable=True),
    sa.Column('is_qualified', sa.Boolean(), nullable=False),
    sa.Column('qualified_type', sa.String(length=32), nullable=True),
    sa.Column('deal_value', sa.Double(), nullable=True),
    sa.Column('monthly_amount', sa.Double(), nullable=True),
    sa.PrimaryKeyConstraint('lead_key', name=op.f('pk_fact_lead'))
    )
    with op.batch_alter_table('fact_lead', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fact_lead_created_at'), ['created_at'], unique=False)

    op.create_table('fact_media_plan',
    sa.Column('source_system', sa.String(length=32), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('channel_code', sa.String(length=32), nullable=False),
    sa.Column('region_code', sa.String(length=32), nullable=False),
    sa.Column('coverage', sa.String(length=16), nullable=False),
    sa.Column('planned_spend', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('source_system', 'month', 'channel_code', 'region_code', 'coverage', name=op.f('pk_fact_media_plan'))
    )
    op.create_table('fact_subscription',
    sa.Column('source_system', sa.String(length=32), nullable=False),
    sa.Column('customer_key', sa.String(length=64), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('region_code', sa.String(length=32), nullable=False),
    sa.Column('channel_code', sa.String(length=32), nullable=False),
    sa.Column('mrr', sa.Double(), nullable=False),
    sa.Column('is_new', sa.Boolean(), nullable=False),
    sa.Column('is_churned', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('source_system', 'customer_key', 'month', name=op.f('pk_fact_subscription'))
    )
    with op.batch_alter_table('fact_subscription', schema=None) as batch_op:
        batch_op.create_index('ix_fact_subscription_month', ['month'], unique=False)

    op.create_table('fact_target',
    sa.Column('source_system', sa.String(length=32), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('grain', sa.String(length=8), nullable=False),
    sa.Column('kpi', sa.String(length=64), nullable=False),
    sa.Column('region_code', sa.String(length=32), nullable=False),
    sa.Column('channel_code', sa.String(length=32), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('source_system', 'period_start', 'grain', 'kpi', 'region_code', 'channel_code', name=op.f('pk_fact_target'))
    )
    op.create_table('fact_web_analytics',
    sa.Column('source_system', sa.String(length=32), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('source_code', sa.String(length=120), nullable=False),
    sa.Column('region_code', sa.String(length=32), nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=False),
    sa.Column('users', sa.Integer(), nullable=False),
    sa.Column('engaged_sessions', sa.Integer(), nullable=False),
    sa.Column('conversions', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('source_system', 'date', 'source_code', 'region_code', name=op.f('pk_fact_web_analytics'))
    )
    with op.batch_alter_table('fact_web_analytics', schema=None) as batch_op:
        batch_op.create_index('ix_fact_web_analytics_date', ['date'], unique=False)

    op.create_table('mart_cohort_monthly',
    sa.Column('cohort_month', sa.Date(), nullable=False),
    sa.Column('leads', sa.Integer(), nullable=False),
    sa.Column('qualified_leads', sa.Integer(), nullable=False),
    sa.Column('mqls', sa.Integer(), nullable=False),
    sa.Column('sqls', sa.Integer(), nullable=False),
    sa.Column('opportunities', sa.Integer(), nullable=False),
    sa.Column('won', sa.Integer(), nullable=False),
    sa.Column('lost', sa.Integer(), nullable=False),
    sa.Column('won_value', sa.Double(), nullable=False),
    sa.Column('new_mrr', sa.Double(), nullable=False),
    sa.Column('days_to_won', sa.Double(), nullable=False),
    sa.Column('channel_code', sa.String(length=32), nullable=False),
    sa.Column('campaign_code', sa.String(length=64), nullable=False),
    sa.Column('region_code', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('cohort_month', 'channel_code', 'campaign_code', 'region_code', name=op.f('pk_mart_cohort_monthly'))
    )
    op.create_table('mart_daily',
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('impressions', sa.Integer(), nullable=False),
    sa.Column('clicks', sa.Integer(), nullable=False),
    sa.Column('spend', sa.Double(), nullable=False),
    sa.Column('platform_conversions', sa.Integer(), nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=False),
    sa.Column('engaged_sessions', sa.Integer(), nullable=False),
    sa.Column('web_conversions', sa.Integer(), nullable=False),
    sa.Column('leads', sa.Integer(), nullable=False),
    sa.Column('qualified_leads', sa.Integer(), nullable=False),
    sa.Column('mqls', sa.Integer(), nullable=False),
    sa.Column('sqls', sa.Integer(), nullable=False),
    sa.Column('opportunities', sa.Integer(), nullable=False),
    sa.Column('won', sa.Integer(), nullable=False),
    sa.Column('lost', sa.Integer(), nullable=False),
    sa.Column('won_value', sa.Double(), nullable=False),
    sa.Column('new_mrr', sa.Double(), nullable=False),
    sa.Column('channel_code', sa.String(length=32), nullable=False),
    sa.Column('campaign_code', sa.String(length=64), nullable=False),
    sa.Column('region_code', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('date', 'channel_code', 'campaign_code', 'region_code', name=op.f('pk_mart_daily'))
    )
    op.create_table('mart_monthly',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('impressions', sa.Integer(), nullable=False),
    sa.Column('clicks', sa.Integer(), nullable=False),
    sa.Column('spend', sa.Double(), nullable=False),
    sa.Column('platform_conversions', sa.Integer(), nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=False),
    sa.Column('engaged_sessions', sa.Integer(), nullable=False),
    sa.Column('web_conversions', sa.Integer(), nullable=False),
    sa.Column('leads', sa.Integer(), nullable=False),
    sa.Column('qualified_leads', sa.Integer(), nullable=False),
    sa.Column('mqls', sa.Integer(), nullable=False),
    sa.Column('sqls', sa.Integer(), nullable=False),
    sa.Column('opportunities', sa.Integer(), nullable=False),
    sa.Column('won', sa.Integer(), nullable=False),
    sa.Column('lost', sa.Integer(), nullable=False),
    sa.Column('won_value', sa.Double(), nullable=False),
    sa.Column('new_mrr', sa.Double(), nullable=False),
    sa.Column('channel_code', sa.String(length=32), nullable=False),
    sa.Column('campaign_code', sa.String(length=64), nullable=False),
    sa.Column('region_code', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('month', 'channel_code', 'campaign_code', 'region_code', name=op.f('pk_mart_monthly'))
    )
    op.create_table('mart_subscription_monthly',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('region_code', sa.String(length=32), nullable=False),
    sa.Column('channel_code', sa.String(length=32), nullable=False),
    sa.Column('customers', sa.Integer(), nullable=False),
    sa.Column('mrr', sa.Double(), nullable=False),
    sa.Column('new_customers', sa.Integer(), nullable=False),
    sa.Column('new_mrr', sa.Double(), nullable=False),
    sa.Column('churned_customers', sa.Integer(), nullable=False),
    sa.Column('churned_mrr', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'region_code', 'channel_code', name=op.f('pk_mart_subscription_monthly'))
    )
    op.create_table('dim_campaign',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('channel_code', sa.String(length=32), nullable=False),
    sa.Column('coverage', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['channel_code'], ['dim_channel.code'], name=op.f('fk_dim_campaign_channel_code_dim_channel')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_dim_campaign'))
    )
    with op.batch_alter_table('dim_campaign', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dim_campaign_channel_code'), ['channel_code'], unique=False)

    op.create_table('dim_sales_rep',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('team_code', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['team_code'], ['dim_sales_team.code'], name=op.f('fk_dim_sales_rep_team_code_dim_sales_team')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_dim_sales_rep'))
    )
    with op.batch_alter_table('dim_sales_rep', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dim_sales_rep_team_code'), ['team_code'], unique=False)

    op.create_table('dim_source',
    sa.Column('code', sa.String(length=120), nullable=False),
    sa.Column('channel_code', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['channel_code'], ['dim_channel.code'], name=op.f('fk_dim_source_channel_code_dim_channel')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_dim_source'))
    )
    with op.batch_alter_table('dim_source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dim_source_channel_code'), ['channel_code'], unique=False)

    op.create_table('etl_reject',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=500), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('column', sa.String(length=120), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('expected', sa.Text(), nullable=False),
    sa.Column('raw', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['etl_run.id'], name=op.f('fk_etl_reject_run_id_etl_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_etl_reject'))
    )
    with op.batch_alter_table('etl_reject', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_etl_reject_run_id'), ['run_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('etl_reject', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_etl_reject_run_id'))

    op.drop_table('etl_reject')
    with op.batch_alter_table('dim_source', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dim_source_channel_code'))

    op.drop_table('dim_source')
    with op.batch_alter_table('dim_sales_rep', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dim_sales_rep_team_code'))

    op.drop_table('dim_sales_rep')
    with op.batch_alter_table('dim_campaign', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dim_campaign_channel_code'))

    op.drop_table('dim_campaign')
    op.drop_table('mart_subscription_monthly')
    op.drop_table('mart_monthly')
    op.drop_table('mart_daily')
    op.drop_table('mart_cohort_monthly')
    with op.batch_alter_table('fact_web_analytics', schema=None) as batch_op:
        batch_op.drop_index('ix_fact_web_analytics_date')

    op.drop_table('fact_web_analytics')
    op.drop_table('fact_target')
    with op.batch_alter_table('fact_subscription', schema=None) as batch_op:
        batch_op.drop_index('ix_fact_subscription_month')

    op.drop_table('fact_subscription')
    op.drop_table('fact_media_plan')
    with op.batch_alter_table('fact_lead', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fact_lead_created_at'))

    op.drop_table('fact_lead')
    op.drop_table('fact_external_series')
    op.drop_table('fact_cost')
    with op.batch_alter_table('fact_ad_performance', schema=None) as batch_op:
        batch_op.drop_index('ix_fact_ad_performance_date')

    op.drop_table('fact_ad_performance')
    with op.batch_alter_table('etl_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_etl_run_file_sha256'))

    op.drop_table('etl_run')
    op.drop_table('dim_sales_team')
    with op.batch_alter_table('dim_region', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dim_region_parent_code'))

    op.drop_table('dim_region')
    op.drop_table('dim_channel')
    with op.batch_alter_table('dim_calendar', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dim_calendar_week_start'))
        batch_op.drop_index(batch_op.f('ix_dim_calendar_quarter_start'))
        batch_op.drop_index(batch_op.f('ix_dim_calendar_month_start'))

    op.drop_table('dim_calendar')
