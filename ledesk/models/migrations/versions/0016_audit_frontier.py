"""The audit chain's Merkle tree: its right edge kept with the head, so every checkpoint signs a root

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Left empty here: the first append or checkpoint builds it from the events (adapters.audit).
    op.add_column('audit_head', sa.Column('frontier', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit_head') as batch:
        batch.drop_column('frontier')
