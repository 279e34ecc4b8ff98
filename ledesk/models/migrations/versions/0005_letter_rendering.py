"""letter rendering

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 13:23:55.477794
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('context', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('docx_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('template_version', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('rendered_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.drop_column('rendered_at')
        batch_op.drop_column('template_version')
        batch_op.drop_column('docx_sha256')
        batch_op.drop_column('context')

