"""The gate a .docx passes before any XML parser sees it.

python-docx reads every referenced part into memory (a 2 MB upload can demand 2 GB), and XML parsers
expand entities, so the zip's central directory is checked first, parts are read with hard caps that do
not trust the sizes the archive declares, and any DTD or entity declaration, in any encoding, is refused."""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from dataclasses import dataclass


class FormError(ValueError):
    """The one clean intake error for a form: what was wrong, in words an operator can act on."""

    code = "invalid_form"


@dataclass(frozen=True)
class Limits:
    upload: int = 10 * 1024 * 1024          # the .docx as sent
    entries: int = 500
    part: int = 8 * 1024 * 1024             # any one part, uncompressed
    total: int = 40 * 1024 * 1024           # all parts, uncompressed
    ratio: int = 100                        # uncompressed / compressed, for parts over `ratio_floor`
    ratio_floor: int = 256 * 1024


LIMITS = Limits()
REQUIRED = ("[Content_Types].xml", "word/document.xml")
_DECL = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_FORBIDDEN = re.compile(r"<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.IGNORECASE)


def _check_directory(zf: zipfile.ZipFile, limits: Limits) -> None:
    infos = zf.infolist()
    if len(infos) > limits.entries:
        raise FormError(f"the document has {len(infos)} parts; at most {limits.entries} are accepted")
    names = {i.filename for i in infos}
    missing = [r for r in REQUIRED if r not in names]
    if missing:
        raise FormError(f"not a Word document: missing {', '.join(missing)}")
    total = 0
    for info in infos:
        name = info.filename
        if name.startswith(("/", "\\")) or ".." in name.split("/") or "\\" in name or "\x00" in name:
            raise FormError(f"the document has a part with an unsafe name: {name[:80]!r}")
        if info.flag_bits & 0x1:
            raise FormError(f"the document is encrypted ({name}); send it without a password")
        if info.file_size > limits.part:
            raise FormError(f"part {name} unpacks to {info.file_size:,} bytes; at most {limits.part:,} are accepted")
        if info.file_size > limits.ratio_floor and info.file_size > limits.ratio * max(info.compress_size, 1):
            raise FormError(f"part {name} is compressed {info.file_size // max(info.compress_size, 1)}:1, "
                            "which looks like a zip bomb")
        total += info.file_size
    if total > limits.total:
        raise FormError(f"the document unpacks to {total:,} bytes; at most {limits.total:,} are accepted")


def read_part(zf: zipfile.ZipFile, name: str, limits: Limits = LIMITS) -> bytes:
    """A part's bytes, never more than the limit whatever the archive claims."""
    try:
        with zf.open(name) as stream:
            data = stream.read(limits.part + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
        raise FormError(f"part {name} cannot be read: {exc}") from None
    except Exception as exc:  # zlib.error and friends from a corrupted stream
        raise FormError(f"part {name} is corrupted: {exc.__class__.__name__}") from None
    if len(data) > limits.part:
        raise FormError(f"part {name} unpacks to more than {limits.part:,} bytes")
    return data


def _head(data: bytes) -> bytes:
    """Where an XML declaration can be: the first bytes, after a UTF-8 byte-order mark (no copy of the rest)."""
    return data[3:256] if data.startswith(codecs.BOM_UTF8) else data[:256]


def xml_text(data: bytes, name: str) -> str:
    """The part decoded as its declared encoding (UTF-8 or UTF-16 only), refused if it declares a DTD."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise FormError(f"part {name} is UTF-32, which Word never writes")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif data[:2] in (b"<\x00", b"\x00<"):
        encoding = "utf-16-le" if data[:2] == b"<\x00" else "utf-16-be"
    else:
        declared = _DECL.match(_head(data))
        encoding = declared.group(1).decode().lower() if declared else "utf-8"
        if encoding not in ("utf-8", "utf8", "utf-16", "utf16"):
            raise FormError(f"part {name} declares encoding {encoding!r}; only UTF-8 and UTF-16 are accepted")
        encoding = "utf-8-sig" if encoding.startswith("utf-8") or encoding == "utf8" else "utf-16"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise FormError(f"part {name} is not valid {encoding.upper()}") from None
    if _FORBIDDEN.search(text):
        raise FormError(f"part {name} contains a DTD or entity declaration, which is never accepted")
    return text


def check_xml(data: bytes, name: str) -> None:
    """Refuse a part with a DTD or entity declaration; most parts have no "<!" at all and pass at once."""
    plain_utf8 = not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE,
                                      codecs.BOM_UTF32_BE)) and data[:2] not in (b"<\x00", b"\x00<")
    # A lone "!" is found by memchr, far faster than the two-byte "<!"; only parts that have one look further.
    if plain_utf8 and (b"!" not in data or b"<!" not in data):
        declared = _DECL.match(_head(data))
        if declared is None or declared.group(1).decode().lower() in ("utf-8", "utf8"):
            return
    xml_text(data, name)


def open_docx(data: bytes, limits: Limits = LIMITS, wanted: tuple[str, ...] = ("word/document.xml",)) -> dict[str, str]:
    """Check a .docx (every XML part cleared of DTDs) and return the text of the `wanted` parts."""
    if len(data) > limits.upload:
        raise FormError(f"the file is {len(data):,} bytes; at most {limits.upload:,} are accepted")
    if not data.startswith(b"PK"):
        raise FormError("not a Word document (.docx): it is not a zip archive")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # zipfile raises BadZipFile, NotImplementedError, struct.error... on damaged archives
        raise FormError(f"not a readable .docx: {exc.__class__.__name__}: {str(exc)[:120]}") from None
    with zf:
        _check_directory(zf, limits)
        texts: dict[str, str] = {}
        for info in zf.infolist():
            name = info.filename
            if name in wanted:
                texts[name] = xml_text(read_part(zf, name, limits), name)
            elif name.endswith((".xml", ".rels")):
                check_xml(read_part(zf, name, limits), name)
        return texts
