"""Errors a reviewer can read, each with a machine-readable code."""

from __future__ import annotations


class LedeskError(Exception):
    code = "error"
    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(LedeskError):
    code = "bad_input"


class NotFound(LedeskError):
    code = "not_found"


class Refused(LedeskError):
    """Refused by the rules: a guard, a role, a missing approval."""

    code = "refused"
    exit_code = 1


class GuardRefused(Refused):
    code = "guard_refused"

    def __init__(self, guard: str, message: str) -> None:
        super().__init__(f"{message} (rule: {guard})")
        self.guard = guard


class InvalidTrigger(Refused):
    code = "invalid_trigger"

    def __init__(self, trigger: str, state: str, allowed: list[str]) -> None:
        allowed_text = ", ".join(allowed) or "none: the case is closed"
        super().__init__(f"{trigger} cannot be fired from state {state}; allowed now: {allowed_text}")
        self.guard = "valid_source_state"


class ConcurrentChange(Refused):
    code = "conflict"

    def __init__(self, case_id: str) -> None:
        super().__init__(f"case {case_id} was changed by someone else at the same moment; reload and retry")
        self.guard = "case_version"
