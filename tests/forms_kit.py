"""Making filled, edited and hostile .docx files for tests."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

from ledesk.intake.forms.blank import blank_form
from ledesk.intake.forms.fill import fill_form
from tests.factories import sample

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def filled(name: str = "warrant", **changes: Any) -> bytes:
    sub = sample(name, **changes)
    return fill_form(blank_form(sub["kind"], "LE Desk Cloud"), sub)


def rezip(data: bytes, edit: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None) -> bytes:
    """A copy of the archive with each part passed through `edit` (None drops it) and `extra` parts added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = edit(info.filename, src.read(info.filename))
            if content is not None:
                dst.writestr(info.filename, content)
        for name, content in (extra or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def replace_document(data: bytes, fn: Callable[[str], str | bytes]) -> bytes:
    def edit(name: str, content: bytes) -> bytes:
        if name != "word/document.xml":
            return content
        result = fn(content.decode("utf-8"))
        return result.encode("utf-8") if isinstance(result, str) else result

    return rezip(data, edit)


def document_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read("word/document.xml").decode("utf-8")
