"""Schemathesis against the API's own OpenAPI: well-formed and malformed requests for every operation,
with no token, a bad token, a reviewer's, an approver's and an authority's, and some for real case ids.
At least 1,000 requests; none may get a 5xx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from ledesk.api.app import create_app
from ledesk.api.throttle import FailedAuth
from ledesk.bootstrap import Runtime
from tests.conftest import STRESS
from tests.integration.conftest import World

EXAMPLES_PER_OPERATION_AND_MODE = 100 if STRESS else 25


@pytest.mark.long
def test_no_generated_request_gets_a_server_error(sqlite_db: Any, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDESK_HOME", str(tmp_path))
    monkeypatch.setenv("LEDESK_MASTER_KEY", "q" * 43 + "=")
    world = World(sqlite_db, tmp_path)
    cases = [world.intake("warrant")["case_id"], world.intake("emergency")["case_id"]]
    rt = Runtime(sqlite_db.url.render_as_string(hide_password=False))
    rt.clock_override = world.clock
    admin = rt.services.admin
    keys = [None, "ldk_000000000000_forged"] + [admin.create_token(actor=a)["token"] for a in ("alice", "bob")] + [
        admin.create_token(authority="police.go.kr")["token"]]
    app = create_app(rt)
    # Every generated request comes from one address, half with bad tokens: throttled (tested on its own
    # in test_attacks_second_round), the rest of the API would go unfuzzed behind 429s.
    app.state.failed_auth = FailedAuth(limit=10**9)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    sent: list[tuple[str, str, int]] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            known_ids = {"case_id": st.sampled_from(cases)} if "{case_id}" in operation.path else {}

            @settings(max_examples=EXAMPLES_PER_OPERATION_AND_MODE, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(mode), key=st.sampled_from(keys),
                   real=st.fixed_dictionaries(known_ids), use_real=st.booleans())
            def one(case: Any, key: str | None, real: dict[str, str], use_real: bool) -> None:
                if use_real and real and isinstance(case.path_parameters, dict):
                    case.path_parameters.update(real)
                headers = {"Authorization": f"Bearer {key}"} if key else {}
                response = case.call(headers=headers)
                sent.append((case.method, case.formatted_path, response.status_code))
                assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
                assert "Traceback" not in response.text

            try:
                one()
            except Unsatisfiable:  # nothing malformed can be made for an operation without inputs
                assert mode is GenerationMode.NEGATIVE
    print(f"schemathesis: {len(sent)} requests, status codes {sorted({c for _, _, c in sent})}")
    assert len(sent) >= 10 * EXAMPLES_PER_OPERATION_AND_MODE, f"only {len(sent)} requests were generated"
    assert {code for _, _, code in sent} >= {200, 401, 403, 404, 422}
