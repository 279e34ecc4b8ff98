"""API tokens (hashed) and case assignments

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 16:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tokens',
    sa.Column('token_id', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=True),
    sa.Column('authority_domain', sa.String(length=253), nullable=True),
    sa.Column('secret_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['actor'], ['actors.name'], name=op.f('fk_tokens_actor_actors')),
    sa.ForeignKeyConstraint(['authority_domain'], ['authorities.domain'], name=op.f('fk_tokens_authority_domain_authorities')),
    sa.PrimaryKeyConstraint('token_id', name=op.f('pk_tokens'))
    )
    op.create_table('assignments',
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('reviewer', sa.String(length=100), nullable=False),
    sa.Column('assigned_by', sa.String(length=100), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.case_id'], name=op.f('fk_assignments_case_id_cases')),
    sa.ForeignKeyConstraint(['reviewer'], ['actors.name'], name=op.f('fk_assignments_reviewer_actors')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_assignments'))
    )
    op.create_index('ix_assignments_reviewer', 'assignments', ['reviewer'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_assignments_reviewer', table_name='assignments')
    op.drop_table('assignments')
    op.drop_table('tokens')
