"""10,000 mutated forms (seeded, in a child process) and a few hundred from hypothesis: each one is read
into a submission or refused with the one clean error, never
another exception, never a hang, never more than 512 MB."""

from __future__ import annotations

import io
import json
import random
import resource
import signal
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path
from types import FrameType

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledesk.intake.forms.guard import FormError
from ledesk.intake.forms.parse import read_form
from ledesk.models.submission import SubmissionError, parse_submission
from tests.forms_kit import filled

GOOD = filled("preservation")
with zipfile.ZipFile(io.BytesIO(GOOD)) as _zf:
    PARTS = {i.filename: _zf.read(i.filename) for i in _zf.infolist()}
DOCUMENT = PARTS["word/document.xml"].decode("utf-8")
TOKENS = ["<", ">", "&", "&amp;", "&lol;", "<w:p>", "</w:tc>", "<w:tr>", "<!DOCTYPE x>", "\x00", "☒", "☐", "예",
          "2026. 13. 45.", "]]>", "<![CDATA[", "<w:sdt><w:sdtPr><w:date w:fullDate=\"x\"/></w:sdtPr>", "\ufffe",
          "<w:t>", "</w:t>", '"', "<?xml version='1.0'?>", "police", "Yes / 예", "xmlns:w='urn:x'"]


def _zip(document: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for name, content in PARTS.items():
            zf.writestr(name, document if name == "word/document.xml" else content)
    return out.getvalue()


xml_mutation = st.lists(st.tuples(st.sampled_from(["delete", "duplicate", "insert"]),
                                  st.integers(0, len(DOCUMENT)), st.integers(0, 400),
                                  st.one_of(st.sampled_from(TOKENS), st.text(max_size=20))), min_size=1, max_size=4)
byte_mutation = st.lists(st.tuples(st.integers(0, len(GOOD) - 1), st.integers(0, 255)), min_size=1, max_size=8)


@st.composite
def mutated_forms(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["xml", "xml", "bytes", "truncate"]))
    if kind == "truncate":
        return GOOD[: draw(st.integers(0, len(GOOD)))]
    if kind == "bytes":
        data = bytearray(GOOD)
        for at, value in draw(byte_mutation):
            data[at] = value
        return bytes(data)
    text = DOCUMENT
    for op, at, length, token in draw(xml_mutation):
        if op == "delete":
            text = text[:at] + text[at + length:]
        elif op == "duplicate":
            text = text[:at] + text[at:at + length] * 2 + text[at + length:]
        else:
            text = text[:at] + token + text[at:]
    return _zip(text.encode("utf-8", "surrogatepass"))


def _hang(_signum: int, _frame: FrameType | None) -> None:
    raise TimeoutError("a form took more than 10 seconds")


def check(data: bytes) -> str:
    """The outcome of one form: "parsed", "refused", or a failure described."""
    previous = signal.signal(signal.SIGALRM, _hang)
    signal.alarm(10)
    try:
        try:
            raw = read_form(data)
        except FormError:
            return "refused"
        try:
            parse_submission(raw)
        except SubmissionError:
            return "refused"
        return "parsed"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def mutate(rng: random.Random) -> bytes:
    """The same mutations as `mutated_forms`, drawn from a seeded generator (cheap enough for 10,000)."""
    kind = rng.choice(["xml", "xml", "bytes", "truncate"])
    if kind == "truncate":
        return GOOD[: rng.randrange(len(GOOD))]
    if kind == "bytes":
        data = bytearray(GOOD)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    text = DOCUMENT
    for _ in range(rng.randint(1, 4)):
        at, length, op = rng.randrange(len(text) + 1), rng.randrange(400), rng.choice(["delete", "duplicate", "insert"])
        if op == "delete":
            text = text[:at] + text[at + length:]
        elif op == "duplicate":
            text = text[:at] + text[at:at + length] * 2 + text[at + length:]
        else:
            token = rng.choice(TOKENS) if rng.random() < 0.8 else "".join(
                chr(rng.randrange(1, 0x2FFFF)) for _ in range(rng.randrange(1, 20)))
            text = text[:at] + token + text[at:]
    return _zip(text.encode("utf-8", "surrogatepass"))


def run_fuzz(seed: int, count: int) -> dict[str, object]:
    rng = random.Random(seed)
    outcomes: Counter[str] = Counter()
    failures: list[str] = []
    for i in range(count):
        data = mutate(rng)
        try:
            outcomes[check(data)] += 1
        except Exception as exc:
            outcomes["failed"] += 1
            failures.append(f"form {i}: {exc.__class__.__name__}: {str(exc)[:200]}")
    return {"outcomes": dict(outcomes), "failures": failures[:10], "peak_mb": peak_mb()}


def peak_mb() -> float:
    """This process's own peak resident memory. Linux carries ru_maxrss across exec, so a child of a large
    pytest worker would report the worker's peak; VmHWM belongs to the process's own memory map."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_ten_thousand_mutated_forms_in_a_process_of_their_own() -> None:
    # A child process, so its peak memory is the fuzz run's own and not pytest's or hypothesis's.
    code = ("import json; from tests.unit.test_form_fuzz import run_fuzz; "
            "print(json.dumps(run_fuzz(20261128, 10_000)))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                          cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert result["failures"] == [], result["failures"]
    assert sum(result["outcomes"].values()) == 10_000
    assert result["outcomes"]["refused"] > 100 and result["outcomes"]["parsed"] > 100, result["outcomes"]
    assert result["peak_mb"] < 512, result


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(mutated_forms())
def test_hypothesis_mutations_are_read_or_cleanly_refused(data: bytes) -> None:
    assert check(data) in ("parsed", "refused")
