"""vault and productions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 13:14:58.539028
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('vault_blobs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('hold_id', sa.String(length=32), nullable=False),
    sa.Column('part', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.LargeBinary(), nullable=False),
    sa.Column('ciphertext', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vault_blobs'))
    )
    with op.batch_alter_table('vault_blobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vault_blobs_hold_id'), ['hold_id'], unique=False)

    op.create_table('vault_keys',
    sa.Column('hold_id', sa.String(length=32), nullable=False),
    sa.Column('wrapped_key', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('hold_id', name=op.f('pk_vault_keys'))
    )
    op.create_table('productions',
    sa.Column('production_id', sa.String(length=32), nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.case_id'], name=op.f('fk_productions_case_id_cases')),
    sa.PrimaryKeyConstraint('production_id', name=op.f('pk_productions')),
    sa.UniqueConstraint('case_id', name=op.f('uq_productions_case_id'))
    )
    op.create_table('destructions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('hold_id', sa.String(length=32), nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('purged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('blobs', sa.Integer(), nullable=False),
    sa.Column('ciphertext_sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.case_id'], name=op.f('fk_destructions_case_id_cases')),
    sa.ForeignKeyConstraint(['hold_id'], ['holds.hold_id'], name=op.f('fk_destructions_hold_id_holds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_destructions')),
    sa.UniqueConstraint('hold_id', name=op.f('uq_destructions_hold_id'))
    )


def downgrade() -> None:
    op.drop_table('destructions')
    op.drop_table('productions')
    op.drop_table('vault_keys')
    with op.batch_alter_table('vault_blobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vault_blobs_hold_id'))

    op.drop_table('vault_blobs')
