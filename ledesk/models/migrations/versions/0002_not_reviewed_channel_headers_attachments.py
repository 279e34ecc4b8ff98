"""not reviewed channel headers attachments

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 12:48:40.524234
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('not_reviewed', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=20), server_default='portal', nullable=False))
        batch_op.add_column(sa.Column('headers', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('attachments', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('not_reviewed', schema=None) as batch_op:
        batch_op.drop_column('attachments')
        batch_op.drop_column('headers')
        batch_op.drop_column('channel')

