"""The appeal packet: parts and page counts, bookmarks, what it says, the record still verifies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from p2pdesk.domain.errors import InvalidInput
from p2pdesk.record.brief_pdf import render_brief
from p2pdesk.record.packet import Attachment
from p2pdesk.record.pdf import local
from p2pdesk.record.signing import SIGNED_RECORD_NAME
from p2pdesk.record.verify import verify_pdf
from tests.conftest import ROOT


@contextmanager
def _computer_zone(name: str) -> Iterator[None]:
    """This process's local time zone set to ``name`` for a while."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


def test_packet_parts_bookmarks_text_and_the_record_still_verifies(sealed, tmp_path: Path) -> None:  # noqa: ANN001
    desk, records, record = sealed
    desk.log_attempt(desk.call(record.call_id).case_id, "failed", reference="REF-1", hold_minutes=40)
    desk.log_attempt(desk.call(record.call_id).case_id, "failed", reference="REF-2")
    brief = render_brief(desk.case(desk.call(record.call_id).case_id))  # stands in for a two-document appendix
    with _computer_zone("Asia/Tokyo"):  # the computer's own zone is not the practice's (Chicago)
        packet, pages = records.appeal_packet(
            record.call_id, [Attachment("Denial letter.pdf", brief), Attachment("Plan policy RX-104.pdf", brief)]
        )
    reader = PdfReader(BytesIO(packet))
    record_pages = len(PdfReader(BytesIO(record.pdf)).pages)
    assert pages["Cover sheet"] == 1 and pages[f"Signed call record (version {record.version})"] == record_pages
    assert len(reader.pages) == sum(pages.values()) == 1 + pages["Appeal letter and reviewers"] + record_pages + 2
    titles = [item.title for item in reader.outline]
    assert titles == [
        "Cover sheet",
        "Appeal letter and reviewers",
        "Signed call record (version 1)",
        "Denial letter.pdf",
        "Plan policy RX-104.pdf",
    ]
    out = tmp_path / "packet.pdf"
    out.write_bytes(packet)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Zoë Nguyễn" in text and "Family Medicine" in text and "REF-1" in text
    assert "reversed the denial (authorization AUTH-88213)" in text
    # The letter's times are the practice's (Chicago), as in the signed record, not the computer's.
    assert "• 2026-11-20 09:01: Reviewer is family medicine; asked for a rheumatologist" in text
    assert "2026-11-20 09:02 (ref. REF-1), on hold 40 min" in text
    # The signed record travels inside, byte for byte, and verifies on its own.
    (attached,) = reader.attachments[SIGNED_RECORD_NAME]
    assert attached == record.pdf and verify_pdf(attached).ok
    # Its pages in the packet carry no signature field: one copied there could only show as broken.
    assert reader.get_fields() in (None, {}) or not [f for f in reader.get_fields().values() if f.get("/FT") == "/Sig"]
    # Where the signature was, the copy says who signed, when, and where the signed original is.
    first_record_page = 1 + pages["Appeal letter and reviewers"]
    stamp = subprocess.run(
        ["pdftotext", "-f", str(first_record_page + 1), "-l", str(first_record_page + 1), str(out), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    sealed_at = local(json.loads(record.record_json)["sealed_at"], records.tz)  # as the record's own header
    assert f"Copy. Signed by {record.signer_name}, {sealed_at}." in " ".join(stamp.split())
    assert f"attached to this PDF as {SIGNED_RECORD_NAME}" in " ".join(stamp.split())
    signatures = subprocess.run(["pdfsig", str(out)], capture_output=True, text=True)
    assert "Digest Mismatch" not in signatures.stdout and "does not contain any signatures" in signatures.stdout
    # Verifying the packet verifies the record inside it, and says the packet's own pages are not signed.
    verdict = records.verify_bytes(packet)
    assert verdict.ok, verdict.lines()
    assert verdict.findings[0].startswith("an appeal packet: the signed record attached inside it")


def _packet_text(desk, tmp_path: Path, state: str, **coverage) -> str:  # noqa: ANN001, ANN003
    import json

    from p2pdesk.domain.call import Disposition
    from p2pdesk.services.records import Records
    from tests.conftest import DEMO

    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["coverage"].update(state=state, **coverage)
    call = desk.start_call(desk.import_case(json.dumps(data)))
    desk.set_reviewer(call.id, "Gregory Haines", "MD", "Obstetrics and Gynecology")
    desk.set_disposition(call.id, Disposition.UPHELD, stated_reasoning="Needs a sulfasalazine trial")
    desk.end_call(call.id)
    records = Records(desk)
    records.seal_and_sign(call.id)
    packet, _ = records.appeal_packet(call.id, [])
    out = tmp_path / "p.pdf"
    out.write_bytes(packet)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def test_packet_cites_the_rule_for_a_specialty_mismatch(desk, clock, tmp_path: Path) -> None:  # noqa: ANN001
    # The District's rule: denials are decided by a physician of the same or a similar specialty.
    text = _packet_text(desk, tmp_path, "DC")
    defects = text.split("Procedural defects", 1)[1]
    assert "Gregory Haines" in text and "D.C. Code § 31-3875.06" in defects
    assert "the denial was upheld despite this evidence" in text


def test_a_mismatch_no_rule_forbids_is_not_called_a_defect(desk, clock, tmp_path: Path) -> None:  # noqa: ANN001
    # Medicare Advantage: the reviewer "need not be of the same specialty"; the mismatch is told as a
    # fact with the request made, not as a procedural defect.
    text = _packet_text(desk, tmp_path, "TX", plan_type="medicare_advantage")
    before, defects = text.split("Procedural defects", 1)
    assert (
        "I know of no rule that required the plan's reviewer to be of the same specialty at that stage "
        "(42 CFR 422.590(g)(2)" in before
    )
    assert "I asked for one, and the request was noted." in before
    assert "is not the case's" not in defects.split("Reviewers of this case", 1)[0]


def test_a_non_pdf_attachment_is_refused_and_nothing_is_written(sealed, db_url: str, tmp_path: Path) -> None:  # noqa: ANN001
    desk, records, record = sealed
    with pytest.raises(InvalidInput, match="attachment notes.docx: is not a valid PDF"):
        records.appeal_packet(record.call_id, [Attachment("notes.docx", b"PK\x03\x04 not a pdf")])
    bad = tmp_path / "notes.docx"
    bad.write_bytes(b"PK\x03\x04 not a pdf")
    out = tmp_path / "packet.pdf"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "p2pdesk",
            "--db",
            db_url,
            "appeal-packet",
            str(record.call_id),
            "-o",
            str(out),
            "--attach",
            str(bad),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and "notes.docx: is not a valid PDF" in result.stderr and not out.exists()


def test_the_copy_note_keeps_both_sentences_for_a_long_name(sealed, tmp_path: Path) -> None:  # noqa: ANN001
    import dataclasses

    from p2pdesk.record.packet import _copy_stamp

    _, records, record = sealed
    long_name = dataclasses.replace(record, signer_name="Alexandra Konstantinopoulou-Vasquez de la Cruz, MD, PhD")
    page = tmp_path / "stamp.pdf"
    page.write_bytes(_copy_stamp(long_name, json.loads(record.record_json), records.tz))
    said = " ".join(
        subprocess.run(["pdftotext", str(page), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    assert "Copy. Signed by Alexandra Konstantinopoulou-Vasquez de la Cruz, MD, PhD," in said
    assert (
        f"The signed original is attached to this PDF as {SIGNED_RECORD_NAME}: open it to check its signature." in said
    )


def test_the_packet_holds_the_call_to_the_rule_of_its_own_day(desk, clock, tmp_path: Path) -> None:  # noqa: ANN001
    # Ohio's clinical peer decides appeals; the call (2026-11-20) came before the appeal was filed
    # (2026-11-21), so the reviewer's specialty was no defect on that call.
    import json

    from p2pdesk.domain.call import Disposition
    from p2pdesk.services.records import Records
    from tests.conftest import DEMO

    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["coverage"]["state"] = "OH"
    case_id = desk.import_case(json.dumps(data))
    call = desk.start_call(case_id)
    desk.set_reviewer(call.id, "Gregory Haines", "MD", "Obstetrics and Gynecology")
    desk.set_disposition(call.id, Disposition.UPHELD, stated_reasoning="Needs a sulfasalazine trial")
    desk.end_call(call.id)
    case = desk.case(case_id)
    case.appeal_filed_on = date(2026, 11, 21)
    desk.save_case(case)
    records = Records(desk)
    records.seal_and_sign(call.id)
    packet, _ = records.appeal_packet(call.id, [])
    out = tmp_path / "p.pdf"
    out.write_bytes(packet)
    text = " ".join(subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout.split())
    assert "Ohio Rev. Code" not in text.split("Procedural defects", 1)[1].split("Reviewers of this case", 1)[0]
    assert "I know of no rule that required the plan's reviewer to be of the same specialty at that stage" in text
