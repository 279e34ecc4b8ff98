"""The watched drop folder (LEDESK_HOME/inbox): each file is taken in its own transaction and moved to
processed/ or refused/, with the outcome written beside it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ledesk.states.errors import LedeskError

ACCEPTED = (".json", ".docx", ".eml")


def _move(path: Path, folder: Path, outcome: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    n = 1
    while target.exists():
        target = folder / f"{path.stem}.{n}{path.suffix}"
        n += 1
    shutil.move(str(path), target)
    target.with_name(target.name + ".result.json").write_text(json.dumps(outcome, ensure_ascii=False, indent=1))


def each_inbox_file(home: Path, take_file: Callable[[Path], Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    """Take the inbox one file at a time with `take_file` (the service layer's, which commits each file in
    its own transaction), yielding each outcome as soon as it is committed, so that the caller can page
    on-call for an emergency before the next file is read."""
    inbox = home / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    for path in sorted(p for p in inbox.iterdir() if p.is_file() and not p.name.startswith(".")):
        if path.suffix.lower() not in ACCEPTED:
            outcome: dict[str, Any] = {"file": path.name, "error": "not a .json, .docx or .eml file"}
            _move(path, home / "refused", outcome)
            yield outcome
            continue
        try:
            outcome = {"file": path.name, **take_file(path)}
            _move(path, home / "processed", outcome)
        except LedeskError as exc:
            outcome = {"file": path.name, "error": exc.message, "code": exc.code}
            _move(path, home / "refused", outcome)
        except Exception as exc:  # one unreadable file never stops the ones after it
            outcome = {"file": path.name, "error": f"unreadable: {exc.__class__.__name__}: {str(exc)[:200]}",
                       "code": "unreadable"}
            _move(path, home / "refused", outcome)
        yield outcome
