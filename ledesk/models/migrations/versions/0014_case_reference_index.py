"""An index on the authority's reference: an e-mail that names it finds its case with one lookup

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 23:00:00
"""
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_cases_reference', 'cases', ['authority_domain', 'reference'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_cases_reference', table_name='cases')
