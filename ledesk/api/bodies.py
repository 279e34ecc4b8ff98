"""The JSON bodies the API accepts; unknown fields are refused."""

from __future__ import annotations

from fastapi import UploadFile
from pydantic import BaseModel, ConfigDict, Field

MAX_JSON_BYTES = 1_000_000
MAX_UPLOAD_BYTES = 20_000_000  # a filled form with its attachments; the form guard has its own caps


async def read_upload(file: UploadFile, fallback: str = "document") -> tuple[str, bytes]:
    """A file posted from a web form: its safe base name and its bytes, refused past MAX_UPLOAD_BYTES."""
    from ledesk.intake.email import safe_name
    from ledesk.states.errors import BadInput

    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise BadInput(f"the document is larger than {MAX_UPLOAD_BYTES // 2**20} MB")
    name = safe_name(file.filename, 0)
    return (fallback if name == "attachment-0" else name), data


class AttachmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filename: str = Field(min_length=1, max_length=200, pattern=r"^[^/\\\x00]+$")
    content_base64: str = Field(max_length=MAX_JSON_BYTES)


class TriggerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(default="", max_length=4000)
    failed: bool = False
    attachment: AttachmentIn | None = None


class NondisclosureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    until: str | None = Field(default=None, max_length=10, pattern=r"^\d{4}-\d{2}-\d{2}$")
    indefinite: bool = False
    reference: str = Field(default="", max_length=200)
    reason: str = Field(default="", max_length=4000)


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reviewer: str = Field(min_length=1, max_length=100)
