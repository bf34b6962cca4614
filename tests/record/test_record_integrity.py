"""The sealed record: signed, readable, machine-readable, and every kind of tampering caught."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils import embed
from pyhanko.pdf_utils.generic import NameObject, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from p2pdesk.domain.call import NoteKind
from p2pdesk.domain.record import SealedError
from p2pdesk.record.verify import verify_pdf

needs_poppler = pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils not installed")


def _pdftotext(data: bytes, tmp_path: Path, first: int | None = None, last: int | None = None) -> str:
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(data)
    args = ["pdftotext", "-layout"]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    return subprocess.run([*args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_signed_record_validates_with_pyhanko(sealed) -> None:  # noqa: ANN001
    _, _, record = sealed
    reader = PdfFileReader(BytesIO(record.pdf))
    (signature,) = reader.embedded_regular_signatures
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[signature.signer_cert]))
    assert status.intact and status.valid and status.bottom_line
    assert "Maya Okafor" in signature.signer_cert.subject.human_friendly
    assert "1523847618" in signature.signer_cert.subject.human_friendly


@needs_poppler
def test_pdfsig_and_qpdf_accept_the_record(sealed, tmp_path: Path) -> None:  # noqa: ANN001
    _, _, record = sealed
    pdf = tmp_path / "record.pdf"
    pdf.write_bytes(record.pdf)
    pdfsig = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True)
    # pdfsig exits 0 whatever it finds: read what it says.
    assert "Signature Validation: Signature is Valid." in pdfsig.stdout
    assert "Total document signed" in pdfsig.stdout
    qpdf = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
    assert qpdf.returncode == 0, qpdf.stdout + qpdf.stderr
    assert "No syntax or stream encoding errors found" in qpdf.stdout


@needs_poppler
def test_pdf_text_shows_what_was_entered_exactly(sealed, tmp_path: Path) -> None:  # noqa: ANN001
    _, _, record = sealed
    text = _pdftotext(record.pdf, tmp_path)
    for expected in (
        "Zoë Nguyễn",
        "AUTH-88213",
        '<b>unclosed & "quotes"',
        "not the case's specialty (Rheumatology)",
        "Maya Okafor",
        "NPI 1523847618",
        "2 min 25 s",  # the call's length, which "02:25" left to be read as hours or minutes
        "page 1 of",
    ):
        assert expected in text, expected
    assert "(UTC-06:00)" in text  # local time (Chicago in November) with its offset
    assert record.digest in text.replace("\n", "")


def _fonts(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


@needs_poppler
def test_chinese_japanese_and_korean_text_is_drawn_in_the_embedded_fallback_font(desk, clock, tmp_path: Path) -> None:  # noqa: ANN001
    from p2pdesk.services.records import Records

    call = desk.start_call(desk.load_demo())
    desk.set_reviewer(call.id, "王小明", "MD", "Family Medicine")
    said = [
        "Reviewer: 患者の記録を確認しました",
        "환자 기록 검토 완료 — criterion 2 met",
        "Reviewer said 14 weeks is 'borderline'",
    ]
    for line in said:
        clock.advance(20)
        desk.add_note(call.id, NoteKind.REVIEWER_CLAIM, line)
    desk.end_call(call.id)
    record = Records(desk).seal_and_sign(call.id)
    assert verify_pdf(record.pdf, desk.store).ok
    fonts = _fonts(record.pdf, tmp_path)
    assert "DroidSansFallback" in fonts and "DejaVuSans" in fonts
    shown = _pdftotext(record.pdf, tmp_path)
    for text in ["王小明", *said]:
        assert text in shown, text


@needs_poppler
def test_latin_text_needs_no_fallback_font(sealed, tmp_path: Path) -> None:  # noqa: ANN001
    _, _, record = sealed
    assert "DroidSansFallback" not in _fonts(record.pdf, tmp_path)


def test_structured_record_is_attached_and_matches(sealed) -> None:  # noqa: ANN001
    desk, _, record = sealed
    verdict = verify_pdf(record.pdf, desk.store)
    assert verdict.ok, verdict.lines()
    attached = verdict.record
    assert attached == json.loads(record.record_json)
    from p2pdesk.schemas import schema_problems

    assert schema_problems("record.schema.json", attached) == []
    assert attached["call"]["reviewer"] == {
        "name": "Zoë Nguyễn",
        "credentials": "MD",
        "specialty": "Family Medicine",
        "specialty_match": "different",
        "specialty_matches_case": False,
    }
    assert attached["call"]["authorization_number"] == "AUTH-88213"
    assert [n["kind"] for n in attached["notes"]] == [
        "other",
        "procedural_objection",  # logged by the desk: the reviewer is not a rheumatologist
        "reviewer_claim",
        "procedural_objection",
        "our_point",
        "outcome",
    ]
    assert attached["criteria"][2]["addressed_at"] is not None
    assert any("this desk's database agrees" in f for f in verdict.findings)


# Tampering: each must fail verification with its own message ------------------------------------


def _problems(data: bytes, store=None) -> str:  # noqa: ANN001
    verdict = verify_pdf(data, store)
    assert not verdict.ok
    return "\n".join(verdict.problems)


def test_a_flipped_byte_in_the_signed_range_is_caught(sealed) -> None:  # noqa: ANN001
    _, _, record = sealed
    reader = PdfFileReader(BytesIO(record.pdf))
    start, length, _, _ = reader.embedded_regular_signatures[0].byte_range
    data = bytearray(record.pdf)
    data[start + length // 2] ^= 0x01
    assert "changed after signing: its digest no longer matches" in _problems(bytes(data))


def test_a_removed_signature_is_caught(sealed) -> None:  # noqa: ANN001
    _, _, record = sealed
    first_eof = record.pdf.index(b"%%EOF") + len(b"%%EOF\n")
    unsigned = record.pdf[:first_eof]  # the document as it was before the signing update
    assert b"%%EOF" in unsigned
    assert "carries no signature" in _problems(unsigned)


def test_a_note_edited_in_the_database_after_sealing_is_caught(sealed, db_url: str) -> None:  # noqa: ANN001
    desk, _, record = sealed
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as db:  # behind the store's back
        db.execute("UPDATE note SET text = 'Reviewer agreed at once' WHERE kind = 'reviewer_claim'")
    problems = _problems(record.pdf, desk.store)
    assert f"the database's note 3 of call {record.call_id} differs from the signed record" in problems


def test_a_replaced_attachment_is_caught(sealed) -> None:  # noqa: ANN001
    _, _, record = sealed
    forged = json.loads(record.record_json)
    forged["call"]["disposition"] = "upheld"
    writer = IncrementalPdfFileWriter(BytesIO(record.pdf))
    data = embed.EmbeddedFileObject.from_file_data(writer, json.dumps(forged).encode(), mime_type="application/json")
    embed.embed_file(writer, embed.FileSpec(file_spec_string="record.json", embedded_data=data))
    out = BytesIO()
    writer.write(out)
    assert "the attached record (record.json) was replaced or added to after signing" in _problems(out.getvalue())


def test_an_update_appended_after_signing_is_caught(sealed) -> None:  # noqa: ANN001
    _, _, record = sealed
    writer = IncrementalPdfFileWriter(BytesIO(record.pdf))
    info = writer.trailer["/Info"].get_object()
    info[NameObject("/Title")] = pdf_string("Edited later")
    writer.update_container(info)
    out = BytesIO()
    writer.write(out)
    assert "the file was changed after it was signed: an update was appended" in _problems(out.getvalue())


# Immutability in the store, addenda, page numbers ----------------------------------------------


def test_the_store_refuses_to_change_a_sealed_call(sealed) -> None:  # noqa: ANN001
    from sqlalchemy.orm import sessionmaker

    from p2pdesk.domain.errors import InvalidInput
    from p2pdesk.store.guard import guard_sessions
    from p2pdesk.store.models import NoteRow, RecordRow

    desk, records, record = sealed
    call = desk.call(record.call_id)
    call.reviewer_name = "Someone Else"
    with pytest.raises(SealedError, match="is sealed"):
        desk.store.save_call(call)
    with pytest.raises(InvalidInput, match="already sealed"):
        records.seal_and_sign(record.call_id)

    sessions = sessionmaker(desk.store.engine)
    guard_sessions(sessions)  # the same guard every store session has
    with sessions() as s, pytest.raises(SealedError, match="belongs to a sealed call"):
        s.query(NoteRow).filter_by(call_id=record.call_id).first().text = "edited"
        s.commit()
    with sessions() as s, pytest.raises(SealedError, match="cannot be deleted"):
        s.delete(s.get(NoteRow, 1))
        s.commit()
    with sessions() as s, pytest.raises(SealedError, match="is signed"):
        s.get(RecordRow, record.id).pdf_sha256 = "0" * 64
        s.commit()
    assert desk.store.record(record.id).pdf == record.pdf
    assert desk.call(record.call_id).reviewer_name == "Zoë Nguyễn"


def test_notes_after_sealing_are_addenda_and_make_a_new_version(sealed, clock) -> None:  # noqa: ANN001
    desk, records, first = sealed
    from p2pdesk.domain.errors import InvalidInput

    with pytest.raises(InvalidInput, match="has ended"):
        desk.add_note(first.call_id, NoteKind.OTHER, "late note")
    clock.advance(3600)
    second = records.add_addendum(first.call_id, NoteKind.OUTCOME, "Written confirmation received by fax")
    assert second.version == 2
    assert desk.store.record(first.id).pdf == first.pdf  # version 1 unchanged, byte for byte
    assert records.verify_stored(first.id).ok
    assert records.verify_stored(second.id).ok, records.verify_stored(second.id).lines()
    v2 = json.loads(second.record_json)
    assert v2["notes"][-1]["addendum"] == 2 and v2["notes"][-1]["text"] == "Written confirmation received by fax"
    assert len(v2["notes"]) == len(json.loads(first.record_json)["notes"]) + 1


@needs_poppler
def test_a_500_note_call_numbers_every_page(desk, clock, tmp_path: Path) -> None:  # noqa: ANN001
    from p2pdesk.services.records import Records

    call = desk.start_call(desk.load_demo())
    for i in range(500):
        clock.advance(2)
        desk.add_note(call.id, NoteKind.OUR_POINT, f"Point {i}: the reviewer asked about week {i % 14} of methotrexate")
    desk.end_call(call.id)
    record = Records(desk).seal_and_sign(call.id)
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(record.pdf)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 5
    for page in range(1, pages + 1):
        assert f"page {page} of {pages}" in _pdftotext(record.pdf, tmp_path, page)
    assert "Point 499:" in _pdftotext(record.pdf, tmp_path, pages)


@needs_poppler
def test_the_longest_notes_and_reasons_are_sealed_whole_across_pages(desk, clock, tmp_path: Path) -> None:  # noqa: ANN001
    from p2pdesk.domain.call import MAX_NOTE_CHARS, Disposition
    from p2pdesk.services.records import Records

    lines = ["EHR excerpt begins"]
    while sum(len(line) + 1 for line in lines) < MAX_NOTE_CHARS - 200:
        lines.append(f"  {len(lines)}. methotrexate 25 mg SC weekly; DAS28-CRP 5.4; ALT normal")
    excerpt = "\n".join([*lines, "EHR excerpt ends"])
    hebrew = ("הסוקר ביקש את רשימת הטיפולים הקודמים " * 400)[: MAX_NOTE_CHARS - 20].strip() + " סוף"
    reasoning = ("The plan's step therapy rule stands without a sulfasalazine trial. " * 200)[: MAX_NOTE_CHARS - 1000]
    assert len(excerpt) <= MAX_NOTE_CHARS and len(hebrew) <= MAX_NOTE_CHARS

    call = desk.start_call(desk.load_demo())
    for said in (excerpt, hebrew):
        clock.advance(30)
        desk.add_note(call.id, NoteKind.OUR_POINT, said)
    desk.set_disposition(call.id, Disposition.UPHELD, stated_reasoning=reasoning)
    desk.end_call(call.id)
    record = Records(desk).seal_and_sign(call.id)  # used to fail: a row taller than a page

    assert verify_pdf(record.pdf, desk.store).ok
    shown = _pdftotext(record.pdf, tmp_path)
    for words in ("EHR excerpt begins", "EHR excerpt ends", f"  {len(lines) - 1}. methotrexate 25 mg SC weekly"):
        assert words in shown.replace("\u00a0", " "), words
    assert "סוף" in shown
    assert reasoning.rstrip()[-40:] in " ".join(shown.split())
