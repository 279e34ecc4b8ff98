"""The official mailbox over IMAP: every message taken, by UIDVALIDITY + UID and by Message-ID

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 21:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mailbox_messages',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('mailbox', sa.String(length=300), nullable=False),
    sa.Column('uidvalidity', sa.BigInteger(), nullable=False),
    sa.Column('uid', sa.BigInteger(), nullable=False),
    sa.Column('message_id', sa.String(length=300), nullable=True),
    sa.Column('outcome', sa.JSON(), nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=True),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mailbox_messages')),
    sa.UniqueConstraint('mailbox', 'uidvalidity', 'uid', name='uq_mailbox_messages_uid'),
    sa.UniqueConstraint('message_id', name=op.f('uq_mailbox_messages_message_id'))
    )


def downgrade() -> None:
    op.drop_table('mailbox_messages')
