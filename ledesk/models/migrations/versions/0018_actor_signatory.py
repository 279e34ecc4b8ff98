"""A staff member's name and title as a letter signs them (the login id is never a signature)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 19:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('actors', sa.Column('full_name', sa.String(200), nullable=True))
    op.add_column('actors', sa.Column('title', sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('actors') as batch:
        batch.drop_column('title')
        batch.drop_column('full_name')
