"""Tokens sealed under the key store and expiring; web sessions kept as that seal, not a bare SHA-256;
authorities can be taken off the allow-list; a mailbox message is known by its content digest too

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 16:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Tokens made before have no seal and grant nothing from now on (a row alone must not sign anyone
    # in): `ledesk tokens list` shows them as unsealed, and each holder gets a new token.
    op.add_column('tokens', sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('tokens', sa.Column('seal', sa.String(length=64), nullable=True))
    op.add_column('authorities', sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('mailbox_messages') as batch:
        batch.add_column(sa.Column('content_sha256', sa.String(length=64), nullable=True))
        batch.drop_constraint('uq_mailbox_messages_uid', type_='unique')
        batch.create_unique_constraint('uq_mailbox_messages_message',
                                       ['mailbox', 'uidvalidity', 'uid', 'content_sha256'])
    # A session lives hours: everyone signed in signs in again, rather than keep unsealed keys.
    op.drop_table('web_sessions')
    op.create_table('web_sessions',
    sa.Column('session_seal', sa.String(length=64), nullable=False),
    sa.Column('token_id', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['token_id'], ['tokens.token_id'], name=op.f('fk_web_sessions_token_id_tokens')),
    sa.PrimaryKeyConstraint('session_seal', name=op.f('pk_web_sessions'))
    )


def downgrade() -> None:
    op.drop_table('web_sessions')
    op.create_table('web_sessions',
    sa.Column('session_sha256', sa.String(length=64), nullable=False),
    sa.Column('token_id', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['token_id'], ['tokens.token_id'], name=op.f('fk_web_sessions_token_id_tokens')),
    sa.PrimaryKeyConstraint('session_sha256', name=op.f('pk_web_sessions'))
    )
    with op.batch_alter_table('authorities') as batch:
        batch.drop_column('removed_at')
    with op.batch_alter_table('mailbox_messages') as batch:
        batch.drop_constraint('uq_mailbox_messages_message', type_='unique')
        batch.create_unique_constraint('uq_mailbox_messages_uid', ['mailbox', 'uidvalidity', 'uid'])
        batch.drop_column('content_sha256')
    with op.batch_alter_table('tokens') as batch:
        batch.drop_column('seal')
        batch.drop_column('expires_at')
