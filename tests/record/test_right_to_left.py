"""Hebrew and Arabic in the signed record and the brief read as they were typed.

poppler's pdftotext gives back a line's right-to-left letters in the order they are read, from
the order they are drawn: a record that drew them left to right comes back reversed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from p2pdesk.domain.call import NoteKind
from p2pdesk.record.brief_pdf import render_brief
from p2pdesk.services.casefile import parse_case
from tests.conftest import DEMO

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")

NAME = "דוד כהן"
MIXED = "מטופלת עם אלרגיה — right-to-left text 2019"
ARABIC = "مرحبا بالطبيب"
# As drawn: each letter in the form its neighbours call for (Arabic Presentation Forms-B).
ARABIC_JOINED = "ﻣﺮﺣﺒﺎ ﺑﺎﻟﻄﺒﻴﺐ"
ALLAH = "قال عبد الله حداد"
TWO_LINES = "שלום לכולם\nThe reviewer's second line in English"
# Long enough to wrap in the note column: its first words must stay on the first line.
LONG = (
    "המבקר אמר שהמדיניות דורשת ניסיון של סולפסלזין לפני כל תרופה ביולוגית, אבל למטופלת יש אלרגיה "
    "מתועדת עם אנגיואדמה משנת 2019 ולכן אי אפשר"
)


def _pdftotext(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    shown = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    # pdftotext marks a right-to-left run with embedding characters, which a reader does not see.
    return shown.translate({0x202A: None, 0x202B: None, 0x202C: None})


def _read(pdf: bytes, tmp_path: Path) -> list[str]:
    # Arabic is drawn in its joined letter forms; NFKC reads them as the letters typed.
    shown = unicodedata.normalize("NFKC", _pdftotext(pdf, tmp_path))
    return [" ".join(line.split()) for line in shown.splitlines()]


def _seal(desk, clock, tz_chicago, notes: list[tuple[NoteKind, str]]) -> bytes:  # noqa: ANN001
    from p2pdesk.services.records import Records

    call = desk.start_call(desk.load_demo())
    clock.advance(35)
    desk.set_reviewer(call.id, NAME, "MD", "Family Medicine")
    for kind, note in notes:
        clock.advance(10)
        desk.add_note(call.id, kind, note)
    clock.advance(10)
    desk.end_call(call.id)
    return Records(desk, tz=tz_chicago).seal_and_sign(call.id).pdf


def test_the_record_shows_right_to_left_names_and_notes_as_typed(desk, clock, tz_chicago, tmp_path: Path) -> None:  # noqa: ANN001
    notes = [(NoteKind.REVIEWER_CLAIM, MIXED), (NoteKind.OUR_POINT, ARABIC), (NoteKind.OTHER, LONG)]
    notes += [(NoteKind.REVIEWER_CLAIM, ALLAH), (NoteKind.OTHER, TWO_LINES)]
    pdf = _seal(desk, clock, tz_chicago, notes)
    lines = _read(pdf, tmp_path)

    assert any(f"Reviewer on the record: {NAME}, MD (Family Medicine)" in line for line in lines)
    # (pdftotext takes the "·" after the name into the name's run; the page shows it after the name.)
    assert any(line.startswith("Reviewer ") and NAME in line and "MD · Family Medicine" in line for line in lines)
    # A right-to-left note runs right to left: its Hebrew is read first, the English after it.
    assert any(line.endswith("right-to-left text 2019 — מטופלת עם אלרגיה") for line in lines)
    assert any(line.endswith(ARABIC) for line in lines)
    first = next(i for i, line in enumerate(lines) if "המבקר אמר שהמדיניות דורשת" in line)
    assert "ולכן אי אפשר" in lines[first + 1], "the note's second line is its end"
    # Every word, whatever side of it pdftotext puts a comma or a number on.
    note = " ".join(lines[first : first + 2])
    assert all(word in note for word in re.findall(r"\w+", LONG)), note
    assert any(line.endswith(ALLAH) for line in lines), "every word of the name is drawn"
    assert ARABIC_JOINED in _pdftotext(pdf, tmp_path), "Arabic letters are joined"
    # Each line of a note runs in its own direction: the English one starts where the column does.
    layout = _pdftotext(pdf, tmp_path).splitlines()
    column = next(line.index("Reviewer on the record") for line in layout if "Reviewer on the record" in line)
    english = next(line for line in layout if "second line in English" in line)
    assert abs(english.index("The reviewer's second line") - column) <= 2, (
        english
    )  # (pdftotext's columns are approximate)
    assert any(line.endswith("שלום לכולם") for line in lines)


def test_right_to_left_text_can_run_over_a_page_break(desk, clock, tz_chicago, tmp_path: Path) -> None:  # noqa: ANN001
    # The procedural objections are one paragraph: seventy of them run onto the next page.
    objections = [
        f"Objection {i}: המבקר סירב לבקשה {i}" if i % 5 == 0 else f"Objection {i} about the process" for i in range(70)
    ]
    lines = _read(_seal(desk, clock, tz_chicago, [(NoteKind.PROCEDURAL, o) for o in objections]), tmp_path)
    for i in range(0, 70, 5):
        assert sum(f"Objection {i}: " in line and "המבקר סירב לבקשה" in line for line in lines) >= 1, i


def test_the_brief_shows_a_right_to_left_patient_name_as_typed(tmp_path: Path) -> None:
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["patient"]["name"] = "ليلى حداد"
    lines = _read(render_brief(parse_case(json.dumps(data))), tmp_path)
    assert any("ليلى حداد" in line for line in lines)
