"""Finding and validating the policy file (the packaged default, or LEDESK_POLICY)."""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from ledesk.policy.schema import Policy

DEFAULT_POLICY = Path(__file__).with_name("default.toml")


class PolicyError(ValueError):
    """The policy file is missing or invalid; nothing may run on a policy we cannot read."""


def load_policy_file(path: Path) -> Policy:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError(f"policy file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"policy file {path} is not valid TOML: {exc}") from None
    try:
        return Policy.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise PolicyError(f"policy file {path}: {where}: {first['msg']}") from None


@lru_cache(maxsize=8)
def _cached(path: str) -> Policy:
    return load_policy_file(Path(path))


def current_policy() -> Policy:
    return _cached(os.environ.get("LEDESK_POLICY") or str(DEFAULT_POLICY))
