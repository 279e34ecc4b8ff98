"""Random trigger sequences by random people at random times never break the rules that matter."""

from __future__ import annotations

import contextlib
import shutil
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ledesk.adapters.audit import verify
from ledesk.models.db import make_engine, reader
from ledesk.models.enums import CaseState
from ledesk.models.tables import cases, events
from ledesk.states.errors import LedeskError
from ledesk.states.machine import TABLE, TRIGGERS
from tests.conftest import STRESS
from tests.factories import legal_process_document
from tests.integration.conftest import World

SAMPLES = ["warrant", "preservation", "preservation_statutory", "emergency", "incomplete", "court_permission",
           "foreign_direct", "warrant_with_gag_order"]
ROLES = {"alice": {"reviewer"}, "rita": {"reviewer"}, "bob": {"approver", "reviewer"}, "olga": {"oncall"},
         "mallory": set()}
ACTORS = list(ROLES)
often = st.integers(0, 4).map(bool)  # true four times in five
LEGAL_ROWS = {(r.trigger, s, r.dest) for r in TABLE for s in r.source}

@settings(max_examples=80 if STRESS else 30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_sequences_keep_the_invariants(sqlite_template: Path, tmp_path_factory, data) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("prop") / "ledesk.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    world = World(engine, path.parent)
    first = data.draw(st.lists(st.sampled_from(SAMPLES), min_size=1, max_size=3), label="samples")
    ids = [c for c in (world.intake(name).get("case_id") for name in first) if c]
    for _ in range(data.draw(st.integers(0, 25), label="steps")):
        minutes = st.one_of(st.integers(0, 120), st.integers(0, 60 * 24 * 40))
        world.clock.advance(timedelta(minutes=data.draw(minutes, label="minutes")))
        if not ids or data.draw(st.integers(0, 9), label="sweep?") == 0:
            world.sweep()
            continue
        case_id = data.draw(st.sampled_from(ids), label="case")
        offered = [t for t in world.show(case_id)["allowed_triggers"] if t != "reject"]
        # Mostly what the case offers (to get deep into the machine), sometimes anything at all.
        trigger = data.draw(st.sampled_from(offered) if offered and data.draw(often, label="offered") else
                            st.sampled_from(TRIGGERS), label="trigger")
        fitting = [a for a, roles in ROLES.items() if {r for rule in TABLE if rule.trigger == trigger
                                                        for r in rule.by} & roles]
        actor = data.draw(st.sampled_from(fitting) if fitting and data.draw(often, label="fitting") else
                          st.sampled_from(ACTORS), label="actor")
        extra = data.draw(often, label="reason and document")
        failed = trigger == "verify_callback" and data.draw(st.integers(0, 4), label="fails") == 0
        attachment = legal_process_document(valid_until="2030-12-31") if extra else None
        with contextlib.suppress(LedeskError):
            world.fire(case_id, trigger, actor, reason="because" if extra else "", attachment=attachment,
                       failed=failed)
    with reader(engine).connect() as conn:
        assert verify(conn).ok
        for row in conn.execute(select(events).where(events.c.source.is_not(None))):
            if row.action in {r.trigger for r in TABLE}:
                assert (row.action, row.source, row.dest) in LEGAL_ROWS, row
        for row in conn.execute(select(cases)):
            assert row.state in {s.value for s in CaseState}
            event(f"reached {row.state}")
            if row.state == CaseState.DISCLOSED:
                assert row.approved_by is not None
                second = row.callback_ok_by if row.kind == "emergency" else row.recommended_by
                assert second is not None and second != row.approved_by, "a disclosure needs two people"
                assert not row.callback_failed
    engine.dispose()
