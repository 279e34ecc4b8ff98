"""feed cursors: how far the Prefect publisher has read the audit log

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 15:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'feed_cursors',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )


def downgrade() -> None:
    op.drop_table('feed_cursors')
