"""The one-page brief: always exactly one page, or a clear report of what to shorten."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from p2pdesk.record.brief_pdf import BriefOverflow, render_brief
from p2pdesk.services.casefile import parse_case
from tests.conftest import DEMO, ROOT


def _pages(data: bytes, tmp_path: Path) -> int:
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def _maximal() -> dict:
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["patient"]["name"] = "Maria-Guadalupe Nguyễn-Wróblewska de la Cruz-Łukaszewicz"
    data["coverage"]["payer"] = "Lakeshore Regional Health Plan of the Greater Lakes Mutual Insurance Company"
    data["prior_treatments"] = [
        {
            "therapy": f"Therapy number {i} with a long generic name",
            "dose": "20 mg weekly, titrated",
            "start": f"2025-{i + 1:02d}-01",
            "end": f"2025-{i + 2:02d}-01",
            "outcome": "Inadequate response after twelve weeks; DAS28-CRP stayed above 5.1",
            "why_stopped": "stopped",
        }
        for i in range(10)
    ]
    data["policy"]["criteria"] = [
        {
            "text": f"Criterion {i}: documented trial of a conventional therapy for three months",
            "patient_fact": f"Documented in the visit note of 2026-0{1 + i % 9}-15 with dates and doses",
        }
        for i in range(8)
    ]
    return data


def test_demo_brief_is_one_page_and_reads_as_entered(tmp_path: Path) -> None:
    case = parse_case(DEMO.read_text(encoding="utf-8"))
    case.id = 1
    data = render_brief(case)
    assert _pages(data, tmp_path) == 1
    text = subprocess.run(["pdftotext", str(tmp_path / "brief.pdf"), "-"], capture_output=True, text=True).stdout
    for expected in ("Carmen Delgado", "M05.79", "J1745", "Step therapy not completed", "If the denial stands"):
        assert expected in text


def test_the_brief_shows_where_the_case_is_in_the_appeal(tmp_path: Path) -> None:
    from datetime import date

    case = parse_case(DEMO.read_text(encoding="utf-8"))
    case.id = 1
    case.appeal_filed_on, case.final_denial_date = date(2026, 11, 20), date(2026, 11, 24)
    case.external_review_requested_on = date(2026, 11, 25)
    assert _pages(render_brief(case), tmp_path) == 1
    text = subprocess.run(["pdftotext", str(tmp_path / "brief.pdf"), "-"], capture_output=True, text=True).stdout
    words = " ".join(text.split())
    assert "appeal filed 2026-11-20 · final denial 2026-11-24 · external review requested 2026-11-25" in words


def test_a_maximal_case_is_still_exactly_one_page_or_says_what_to_cut(tmp_path: Path) -> None:
    case = parse_case(json.dumps(_maximal()))
    case.id = 2
    try:
        data = render_brief(case)
    except BriefOverflow as exc:  # acceptable only as a clear report naming sections
        assert exc.sections and "Shorten" in str(exc)
    else:
        assert _pages(data, tmp_path) == 1
        assert (
            "Nguyễn-Wróblewska"
            in subprocess.run(["pdftotext", str(tmp_path / "brief.pdf"), "-"], capture_output=True, text=True).stdout
        )


def test_an_overlong_case_writes_nothing_and_names_the_sections(tmp_path: Path, db_url: str) -> None:
    data = _maximal()
    data["prior_treatments"] = data["prior_treatments"] * 6
    data["policy"]["criteria"] = data["policy"]["criteria"] * 3
    case = parse_case(json.dumps(data))
    with pytest.raises(BriefOverflow) as err:
        render_brief(case)
    names = [name for name, _ in err.value.sections]
    assert names[0] == "Prior treatments" and "Policy criteria" in names[:3]
    assert "lines longer than one page even at 8 pt" in str(err.value)

    case_file = tmp_path / "long.json"
    case_file.write_text(json.dumps(data), encoding="utf-8")
    run = [sys.executable, "-m", "p2pdesk", "--db", db_url]
    case_id = subprocess.run([*run, "import-case", str(case_file)], cwd=ROOT, capture_output=True, text=True).stdout
    out = tmp_path / "brief.pdf"
    result = subprocess.run([*run, "brief", case_id.strip(), "-o", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2 and "Prior treatments" in result.stderr and not out.exists()
