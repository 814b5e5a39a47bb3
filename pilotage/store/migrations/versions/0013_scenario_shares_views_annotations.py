"""collaboration: scenario shares, saved dashboard views, annotations
(plan_scenario_share, saved_view, annotation)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 02:19:34
"""
import sqlalchemy as sa
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('annotation',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('regions', sa.Text(), nullable=False),
    sa.Column('channel_code', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_annotation_dates_in_order')),
    sa.ForeignKeyConstraint(['author_id'], ['app_user.id'], name=op.f('fk_annotation_author_id_app_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annotation'))
    )
    with op.batch_alter_table('annotation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annotation_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_annotation_start_date'), ['start_date'], unique=False)

    op.create_table('saved_view',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('path', sa.String(length=64), nullable=False),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('is_home', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['app_user.id'], name=op.f('fk_saved_view_owner_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_view')),
    sa.UniqueConstraint('owner_id', 'name', name=op.f('uq_saved_view_owner_id'))
    )
    with op.batch_alter_table('saved_view', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_view_owner_id'), ['owner_id'], unique=False)

    op.create_table('plan_scenario_share',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(user_id IS NULL) <> (role IS NULL)', name=op.f('ck_plan_scenario_share_user_or_role')),
    sa.ForeignKeyConstraint(['scenario_id'], ['plan_scenario.id'], name=op.f('fk_plan_scenario_share_scenario_id_plan_scenario'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_plan_scenario_share_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_scenario_share'))
    )
    with op.batch_alter_table('plan_scenario_share', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_scenario_share_role'), ['role'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_scenario_share_scenario_id'), ['scenario_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_scenario_share_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('plan_scenario_share', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_scenario_share_user_id'))
        batch_op.drop_index(batch_op.f('ix_plan_scenario_share_scenario_id'))
        batch_op.drop_index(batch_op.f('ix_plan_scenario_share_role'))

    op.drop_table('plan_scenario_share')
    with op.batch_alter_table('saved_view', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_view_owner_id'))

    op.drop_table('saved_view')
    with op.batch_alter_table('annotation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annotation_start_date'))
        batch_op.drop_index(batch_op.f('ix_annotation_author_id'))

    op.drop_table('annotation')
