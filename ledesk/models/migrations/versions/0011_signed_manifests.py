"""Signed productions: each production's manifest, its Ed25519 signature and the signing key's fingerprint

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('productions') as batch:
        batch.add_column(sa.Column('manifest', sa.Text(), nullable=True))
        batch.add_column(sa.Column('manifest_sig', sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column('key_fingerprint', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('productions') as batch:
        batch.drop_column('key_fingerprint')
        batch.drop_column('manifest_sig')
        batch.drop_column('manifest')
