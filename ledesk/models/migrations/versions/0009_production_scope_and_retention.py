"""Productions keep their scope (per target: produced, withheld and why) and when they were destroyed

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('productions') as batch:
        batch.add_column(sa.Column('scope', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('destroy_on', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('destroyed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('productions') as batch:
        batch.drop_column('destroyed_at')
        batch.drop_column('destroy_on')
        batch.drop_column('scope')
