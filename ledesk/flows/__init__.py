"""Prefect flows: thin shells over the service layer (the orchestration issue).

Importing the flows tells the audit log how to name the flow run a change is made in, so that an event a
sweep or an intake run wrote says which run wrote it (and the Prefect UI links the two)."""

from __future__ import annotations


def _flow_run() -> dict[str, str] | None:
    from prefect.context import FlowRunContext, TaskRunContext

    flow_ctx = FlowRunContext.get()
    if flow_ctx is not None and flow_ctx.flow_run is not None:
        return {"flow_run_id": str(flow_ctx.flow_run.id), "flow_run_name": flow_ctx.flow_run.name}
    task_ctx = TaskRunContext.get()
    if task_ctx is not None and task_ctx.task_run.flow_run_id is not None:
        return {"flow_run_id": str(task_ctx.task_run.flow_run_id), "flow_run_name": ""}
    return None


def _register() -> None:
    from ledesk.services import name_runs_by

    name_runs_by(_flow_run)


_register()
