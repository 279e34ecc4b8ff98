"""Every hold has an end date: converted holds from before issue 23 get one, the policy's default wait
for legal process (90 days) from when the process arrived (states.retention then decides at that end)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 13:00:00
"""
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

from ledesk.models.tables import cases, holds

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

# The default policy's `[legal_process_wait] days`: a migration reads no policy file.
WAIT = timedelta(days=90)


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(holds.c.hold_id, holds.c.created_at, cases.c.legal_process_at)
                        .join(cases, cases.c.case_id == holds.c.case_id)
                        .where(holds.c.status == 'converted', holds.c.expires_at.is_(None))).all()
    for row in rows:
        start = row.legal_process_at or row.created_at
        conn.execute(sa.update(holds).where(holds.c.hold_id == row.hold_id).values(expires_at=start + WAIT))


def downgrade() -> None:
    pass  # an end date given is kept: nothing to undo
