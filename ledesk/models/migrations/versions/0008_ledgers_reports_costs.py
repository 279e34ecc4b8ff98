"""Provision ledgers, statutory report reminders, production size and categories for cost recovery

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 20:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('productions') as batch:
        batch.add_column(sa.Column('categories', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('size_bytes', sa.Integer(), nullable=True))
    op.create_table('ledger',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('ledger', sa.String(length=10), nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('provided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('provided_on', sa.String(length=10), nullable=False),
    sa.Column('authority_name', sa.String(length=200), nullable=False),
    sa.Column('authority_type', sa.String(length=20), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('document_reference', sa.String(length=200), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('accounts_requested', sa.Integer(), nullable=False),
    sa.Column('accounts_provided', sa.Integer(), nullable=False),
    sa.Column('purge_on', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.case_id'], name=op.f('fk_ledger_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger'))
    )
    op.create_index('ix_ledger_case_id', 'ledger', ['case_id'], unique=False)
    op.create_index('ix_ledger_provided_on', 'ledger', ['provided_on'], unique=False)
    op.create_index('ix_ledger_purge_on', 'ledger', ['purge_on'], unique=False)
    op.create_table('statutory_reports',
    sa.Column('ledger', sa.String(length=10), nullable=False),
    sa.Column('half', sa.String(length=7), nullable=False),
    sa.Column('due_on', sa.String(length=10), nullable=False),
    sa.Column('remind_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('produced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('ledger', 'half', name=op.f('pk_statutory_reports'))
    )
    op.create_index('ix_statutory_reports_remind_at', 'statutory_reports', ['remind_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_statutory_reports_remind_at', table_name='statutory_reports')
    op.drop_table('statutory_reports')
    op.drop_index('ix_ledger_purge_on', table_name='ledger')
    op.drop_index('ix_ledger_provided_on', table_name='ledger')
    op.drop_index('ix_ledger_case_id', table_name='ledger')
    op.drop_table('ledger')
    with op.batch_alter_table('productions') as batch:
        batch.drop_column('size_bytes')
        batch.drop_column('categories')
