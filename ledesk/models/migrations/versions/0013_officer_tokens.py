"""Authority tokens per officer, and the authority's receipt of a production

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 22:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tokens') as batch:
        batch.add_column(sa.Column('officer', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('badge', sa.String(length=60), nullable=True))
    with op.batch_alter_table('productions') as batch:
        batch.add_column(sa.Column('received_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('productions') as batch:
        batch.drop_column('received_at')
    with op.batch_alter_table('tokens') as batch:
        batch.drop_column('badge')
        batch.drop_column('officer')
