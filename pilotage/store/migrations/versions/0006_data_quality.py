"""data quality: findings of the outlier check at load (data_quality_finding)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 18:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('data_quality_finding',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=500), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('column', sa.String(length=120), nullable=False),
    sa.Column('series_key', sa.Text(), nullable=False),
    sa.Column('region_code', sa.String(length=32), nullable=True),
    sa.Column('channel_code', sa.String(length=32), nullable=True),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('typical', sa.Double(), nullable=False),
    sa.Column('expected_low', sa.Double(), nullable=False),
    sa.Column('expected_high', sa.Double(), nullable=False),
    sa.Column('rule', sa.Text(), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['etl_run.id'], name=op.f('fk_data_quality_finding_run_id_etl_run'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_quality_finding'))
    )
    with op.batch_alter_table('data_quality_finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_quality_finding_run_id'), ['run_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('data_quality_finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_quality_finding_run_id'))
    op.drop_table('data_quality_finding')
