"""Letters rendered per second from the versioned templates (docxtpl, autoescaped), next to the same
letter built in code with python-docx, measured in the same run."""

from __future__ import annotations

import io
import time
from typing import Any

CONTEXT = {"provider": "LE Desk Cloud", "case_id": "LE-0123456789", "reference": "SMPA-2026-CY-0917",
           "date": "2026-12-01", "officer": "Kim Min-jun", "authority": "Seoul Metropolitan Police Agency",
           "scope": "the data the legal process covers", "scope_ko": "법적 절차가 허용하는 범위의 자료"}


def _in_code() -> bytes:
    from docx import Document

    from ledesk.letters.wording import LETTERS, WAIVER_EN, WAIVER_KO

    wording = LETTERS["disclosure_cover"]
    doc = Document()
    for line in ("LE Desk Cloud", "2026-12-01", "To / 수신: Kim Min-jun", "Re / 제목: LE-0123456789"):
        doc.add_paragraph(line)
    doc.add_heading(f"{wording.subject_en} / {wording.subject_ko}", level=1)
    for text in (*wording.en, WAIVER_EN, *wording.ko, WAIVER_KO):
        doc.add_paragraph(text.replace("{{ scope }}", CONTEXT["scope"]).replace("{{ scope_ko }}", CONTEXT["scope_ko"])
                          .replace("{{ provider }}", "LE Desk Cloud"))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def run(n: int = 100) -> dict[str, Any]:
    from ledesk.letters.render import render

    render("disclosure_cover", CONTEXT)  # warm the template cache, as a running service has it
    started = time.perf_counter()
    for _ in range(n):
        render("disclosure_cover", CONTEXT)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(n):
        _in_code()
    code = time.perf_counter() - started
    return {"name": f"letters rendered from templates ({n} disclosure covers, bilingual)", "figure": round(n / ours),
            "unit": "letters/s", "reference": round(n / code), "reference_name": "python-docx built in code",
            "ratio": round(code / ours, 2), "targets": "report only"}
