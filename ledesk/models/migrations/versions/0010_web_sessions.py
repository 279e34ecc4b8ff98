"""Server-side web sessions: the cookie carries a session of its own, never the API token

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 18:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('web_sessions',
    sa.Column('session_sha256', sa.String(length=64), nullable=False),
    sa.Column('token_id', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['token_id'], ['tokens.token_id'], name=op.f('fk_web_sessions_token_id_tokens')),
    sa.PrimaryKeyConstraint('session_sha256', name=op.f('pk_web_sessions'))
    )


def downgrade() -> None:
    op.drop_table('web_sessions')
