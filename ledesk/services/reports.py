"""What the compliance lead and the operators read and file: the transparency report, the statutory
half-year reports (producing one is recorded, so its reminder is not sent), and the operators' picture.
Reading figures writes nothing; producing a statutory report is a write, and asks the role guard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ledesk.adapters import actors
from ledesk.models.enums import SYSTEM_ACTOR
from ledesk.services.context import Context
from ledesk.states import roles

PROCESS_ACTOR = "cli:"  # the operator at the shell, named by their login (cli.common.cli_actor)


@dataclass
class ReportService:
    ctx: Context

    def transparency(self, first: date, last: date, formats: list[str], out: Path | None = None) -> dict[str, Any]:
        """The transparency report of Seoul days `first` to `last`, written in each of `formats`."""
        from ledesk.reports.produce import transparency_report

        ctx = self.ctx
        with ctx.uow.read() as conn:
            return transparency_report(conn, first, last, formats, ctx.calendar, ctx.home, out,
                                       ctx.policy.provider_name)

    def transparency_rows(self, first: date, last: date) -> dict[str, Any]:
        from ledesk.reports import transparency

        with self.ctx.uow.read() as conn:
            return transparency.report(conn, first, last, self.ctx.calendar)

    def statutory_figures(self, ledger: str, half: str) -> dict[str, Any]:
        """A half-year report's figures; reading them is not producing the report (its reminder stands)."""
        from ledesk.reports import statutory

        with self.ctx.uow.read() as conn:
            return statutory.report(conn, ledger, half, self.ctx.policy, self.ctx.calendar, self.ctx.now())

    def produce_statutory(self, ledger: str, half: str, fmt: str, actor: str,
                          out: Path | None = None) -> dict[str, Any]:
        """Make one half-year report and record that it was produced, as `actor`: a named person must be
        staff who decide on cases (states.roles.CASE_STAFF); `system:...` (the scheduled run) and `cli:USER`
        (the operator at the shell, who holds the database itself) are recorded as they are."""
        from ledesk.reports.produce import statutory_report

        ctx = self.ctx
        with ctx.uow.write() as conn:
            if not actor.startswith((SYSTEM_ACTOR, PROCESS_ACTOR)):
                actors.require_in(conn, actor, roles.CASE_STAFF, "producing a statutory report")
            return statutory_report(conn, ledger, half, fmt, ctx.policy, ctx.calendar, ctx.now(), ctx.home, actor,
                                    out)

    def picture(self) -> dict[str, Any]:
        """The operators' picture: open cases, deadlines soon, overdue, decision and acknowledgement times."""
        from ledesk.adapters.stats import picture

        with self.ctx.uow.read() as conn:
            return picture(conn, self.ctx.now())
