"""The number on file to call an authority back (its switchboard), found independently of any request

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 21:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('authorities', sa.Column('callback_phone', sa.String(60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('authorities') as batch:
        batch.drop_column('callback_phone')
