"""app users and audit log; source in the activity marts; open-pipeline measures; rep mart

Marts are derived data: the three activity marts are recreated with their new key and
``pilotage.store.migrate.upgrade`` rebuilds every mart from the facts after this revision.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:54:15.253152
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

ACTIVITY_MEASURES = (
    ("impressions", sa.Integer), ("clicks", sa.Integer), ("spend", sa.Double), ("platform_conversions", sa.Integer),
    ("sessions", sa.Integer), ("engaged_sessions", sa.Integer), ("web_conversions", sa.Integer),
    ("leads", sa.Integer), ("qualified_leads", sa.Integer), ("mqls", sa.Integer), ("sqls", sa.Integer),
    ("opportunities", sa.Integer), ("won", sa.Integer), ("lost", sa.Integer), ("won_value", sa.Double),
    ("new_mrr", sa.Double),
)
PIPELINE_MEASURES = (
    ("pipeline_opened", sa.Integer), ("pipeline_opened_mrr", sa.Double),
    ("pipeline_closed", sa.Integer), ("pipeline_closed_mrr", sa.Double),
)
COHORT_MEASURES = (
    ("leads", sa.Integer), ("qualified_leads", sa.Integer), ("mqls", sa.Integer), ("sqls", sa.Integer),
    ("opportunities", sa.Integer), ("won", sa.Integer), ("lost", sa.Integer), ("won_value", sa.Double),
    ("new_mrr", sa.Double), ("days_to_won", sa.Double),
)


def _mart(name: str, period: str, measures, with_source: bool) -> None:
    keys = [period, "channel_code", "campaign_code", *(["source_code"] if with_source else []), "region_code"]
    op.create_table(
        name,
        sa.Column(period, sa.Date(), nullable=False),
        *(sa.Column(m, kind(), nullable=False) for m, kind in measures),
        sa.Column("channel_code", sa.String(length=32), nullable=False),
        sa.Column("campaign_code", sa.String(length=64), nullable=False),
        *([sa.Column("source_code", sa.String(length=120), nullable=False)] if with_source else []),
        sa.Column("region_code", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint(*keys, name=op.f(f"pk_{name}")),
    )


def _activity_marts(with_source: bool) -> None:
    for name in ("mart_daily", "mart_monthly", "mart_cohort_monthly"):
        op.drop_table(name)
    activity = ACTIVITY_MEASURES + (PIPELINE_MEASURES if with_source else ())
    _mart("mart_daily", "date", activity, with_source)
    _mart("mart_monthly", "month", activity, with_source)
    _mart("mart_cohort_monthly", "cohort_month", COHORT_MEASURES, with_source)


def upgrade() -> None:

    op.create_table('app_user',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('email', name=op.f('uq_app_user_email'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('event', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('remote_addr', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_event'), ['event'], unique=False)

    op.create_table('mart_rep_monthly',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('rep_code', sa.String(length=64), nullable=False),
    sa.Column('channel_code', sa.String(length=32), nullable=False),
    sa.Column('region_code', sa.String(length=32), nullable=False),
    sa.Column('leads', sa.Integer(), nullable=False),
    sa.Column('opportunities', sa.Integer(), nullable=False),
    sa.Column('won', sa.Integer(), nullable=False),
    sa.Column('lost', sa.Integer(), nullable=False),
    sa.Column('won_value', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'rep_code', 'channel_code', 'region_code', name=op.f('pk_mart_rep_monthly'))
    )
    _activity_marts(with_source=True)


def downgrade() -> None:
    _activity_marts(with_source=False)
    op.drop_table('mart_rep_monthly')
    op.drop_table('audit_log')
    op.drop_table('app_user')
