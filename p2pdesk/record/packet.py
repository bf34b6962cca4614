"""The appeal packet: one PDF for the written appeal, built around the signed call record.

Cover sheet, appeal letter (who spoke with whom, when, the evidence presented, the outcome, the
procedural defects), the list of every reviewer, the signed call record's pages, then the
attachments (denial letter, policy, letter of medical necessity, records), each bookmarked. The
signed record is also attached as a file, byte for byte, so it still verifies on its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import tzinfo
from io import BytesIO
from typing import Any

from p2pdesk.domain.call import Call, NoteKind
from p2pdesk.domain.case import Case
from p2pdesk.domain.errors import InvalidInput, Problem
from p2pdesk.domain.record import parse_instant
from p2pdesk.domain.scheduling import AttemptOutcome, SchedulingAttempt
from p2pdesk.domain.sealed import SealedRecord
from p2pdesk.playbook.rules import Rule
from p2pdesk.record.letters import lines_pdf
from p2pdesk.record.signing import SIGNED_RECORD_NAME


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes


def check_attachments(attachments: list[Attachment]) -> None:
    """Refuse anything that is not a readable PDF, naming it (nothing is written then)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    problems = []
    for attachment in attachments:
        try:
            pages = len(PdfReader(BytesIO(attachment.data)).pages)
        except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
            problems.append(Problem(f"attachment {attachment.name}", f"is not a valid PDF ({type(exc).__name__})"))
            continue
        if pages == 0:
            problems.append(Problem(f"attachment {attachment.name}", "has no pages"))
    if problems:
        raise InvalidInput(problems)


def _front_matter(
    case: Case,
    call: Call,
    record: dict[str, Any],
    rule: Rule | None,
    attempts: list[SchedulingAttempt],
    reviewers: list[Call],
    attachments: list[Attachment],
    tz: tzinfo | None,
) -> tuple[bytes, bytes]:
    """The cover sheet and the appeal letter (with the reviewers' list), as two PDFs; times in
    ``tz``, as the signed record shows them."""
    when = parse_instant(record["call"]["started_at"]).astimezone(tz)
    reviewer = ", ".join(x for x in (call.reviewer_name, call.reviewer_credentials) if x) or "the plan's reviewer"
    cover = [
        "# Appeal of a denial of coverage",
        "",
        f"Patient: {case.patient_name}" + (f", born {case.patient_dob}" if case.patient_dob else ""),
        f"Member ID: {case.member_id}" + (f" · Group: {case.group_number}" if case.group_number else ""),
        f"Plan: {case.payer} {case.plan_name} ({case.plan_type.label}{', ' + case.state if case.state else ''})",
        f"Claim / prior authorization: {case.claim_number or 'not given'}",
        f"Service: {case.service_code} {case.service_description}",
        f"Diagnosis: {case.diagnosis_code} {case.diagnosis_description}",
        f"Denial: {case.denial_date or 'date not recorded'} {case.denial_code} — {case.denial_reason}",
        f"Treating physician: {case.physician_display}, {case.physician_specialty}"
        + (f", NPI {case.physician_npi}" if case.physician_npi else ""),
        "",
        "# Contents",
        "1. Appeal letter and the reviewers of this case",
        f"2. Signed record of the peer-to-peer call of {when:%Y-%m-%d} (also attached as {SIGNED_RECORD_NAME})",
        *(f"{n}. {a.name}" for n, a in enumerate(attachments, start=3)),
    ]
    guidelines = (
        "; ".join(
            f"{g.organization} {g.year or ''} — {g.title}" + (f" ({g.recommendation})" if g.recommendation else "")
            for g in case.guidelines
        )
        or "the clinical facts in the attached record"
    )
    outcome = {
        "upheld": "the denial was upheld despite this evidence",
        "reversed": f"the reviewer reversed the denial (authorization {call.authorization_number}), which the plan "
        "has not honored",
        "deferred": f"the reviewer deferred the decision, asking for: {call.information_requested}",
    }.get(record["call"]["disposition"] or "", "no decision was given on the call")
    letter = [
        "# Appeal letter",
        "",
        f"On {when:%B %d, %Y}, I, {case.physician_display}, {case.physician_specialty}, spoke with {reviewer}"
        + (f" ({call.reviewer_specialty})" if call.reviewer_specialty else "")
        + f", the reviewer for {case.payer}, in a peer-to-peer review of this denial.",
        f"I presented the evidence that {case.patient_name} meets each criterion of the plan's policy "
        f"{case.policy_name} {('(' + case.policy_number + ')') if case.policy_number else ''}, and the guidelines: "
        f"{guidelines}.",
        f"On the call, {outcome}. The signed record of the call, with every statement and its time, follows.",
        "",
        "# Procedural defects",
    ]
    defects = []
    mismatch = (
        f"The reviewer's specialty ({call.reviewer_specialty}) is not the case's ({case.physician_specialty})."
        if record["call"]["reviewer"].get("specialty_match") == "different"
        else ""
    )
    if mismatch and rule is not None and rule.is_demand:  # a rule entitled the physician to the specialty
        defects.append(f"{mismatch} {rule.citation}: {rule.summary}")
    elif mismatch:  # a fact for the reviewers' list, not a defect: no rule required the same specialty
        if rule is not None and rule.requirement == "external_reviewer":
            context = f"; {rule.citation} asks it of the external review's reviewers, not the plan's: {rule.summary}"
        else:
            context = f" ({rule.citation}: {rule.summary})" if rule is not None else ""
        letter[-2:-2] = [
            f"{mismatch} I know of no rule that required the plan's reviewer to be of the same specialty at that "
            f"stage{context}; I asked for one, and the request was noted.",
        ]
    for note in record["notes"]:
        if note["kind"] == NoteKind.PROCEDURAL.value and not note["text"].startswith("Reviewer specialty mismatch"):
            defects.append(f"{parse_instant(note['at']).astimezone(tz):%Y-%m-%d %H:%M}: {note['text']}")
    failed = [a for a in attempts if a.outcome is AttemptOutcome.FAILED]
    if failed:
        defects.append(
            f"Scheduling: {len(failed)} failed attempts to reach the plan for the peer-to-peer review: "
            + "; ".join(
                f"{a.at.astimezone(tz):%Y-%m-%d %H:%M}"
                + (f" (ref. {a.reference})" if a.reference else "")
                + (f", on hold {a.hold_minutes} min" if a.hold_minutes is not None else "")
                for a in failed
            )
        )
    if call.educational_only:
        defects.append("The plan called the peer-to-peer 'educational only': it could not reverse the denial.")
    letter += [f"• {d}" for d in defects] or ["None recorded."]
    letter += ["", "# Reviewers of this case"]
    letter += [
        f"• {r.started_at.astimezone(tz):%Y-%m-%d}: "
        + (", ".join(x for x in (r.reviewer_name, r.reviewer_credentials) if x) or "not given")
        + (f" — {r.reviewer_specialty}" if r.reviewer_specialty else " — specialty not given")
        for r in reviewers
    ] or ["None recorded."]
    letter += ["", "Sincerely,", "", f"{case.physician_display}, {case.physician_specialty}"]

    return lines_pdf(cover, title="Appeal packet: cover sheet"), lines_pdf(letter, title="Appeal letter")


def build_packet(
    case: Case,
    call: Call,
    sealed: SealedRecord,
    rule: Rule | None,
    attempts: list[SchedulingAttempt],
    reviewers: list[Call],
    attachments: list[Attachment],
    tz: tzinfo | None = None,
) -> tuple[bytes, dict[str, int]]:
    """The packet's bytes and how many pages each part has (cover, letter, record, attachments).
    ``tz``: the zone the record's times are shown in (as the record shows them)."""
    from pypdf import PdfReader, PdfWriter

    check_attachments(attachments)
    record = json.loads(sealed.record_json)
    cover, letter = _front_matter(case, call, record, rule, attempts, reviewers, attachments, tz)
    writer = PdfWriter()
    pages: dict[str, int] = {}
    record_part = f"Signed call record (version {sealed.version})"
    for name, data in [
        ("Cover sheet", cover),
        ("Appeal letter and reviewers", letter),
        (record_part, sealed.pdf),
        *((a.name, a.data) for a in attachments),
    ]:
        start = len(writer.pages)
        writer.append(PdfReader(BytesIO(data)), import_outline=False)
        writer.add_outline_item(title=name, page_number=start)
        pages[name] = len(writer.pages) - start
        if name == record_part:
            writer.pages[start].merge_page(PdfReader(BytesIO(_copy_stamp(sealed, record, tz))).pages[0])
    _drop_signature_fields(writer)
    writer.add_attachment(SIGNED_RECORD_NAME, sealed.pdf)
    writer.add_metadata({"/Title": f"Appeal packet — {case.patient_name}, {case.service_code}", "/Creator": "p2pdesk"})
    out = BytesIO()
    writer.write(out)
    return out.getvalue(), pages


def _copy_stamp(sealed: SealedRecord, record: dict[str, Any], tz: tzinfo | None) -> bytes:
    """A page with only the words for the record's signature box, as the packet copies it: who
    signed and when, and that the signed original is the file attached to the packet (the
    signature itself cannot be copied; see ``_drop_signature_fields``)."""
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Frame

    from p2pdesk.record.pdf import FONT, MUTED, SIGNATURE_BOX, local, paragraph, register_fonts, text

    register_fonts()
    x0, y0, x1, y1 = SIGNATURE_BOX
    pad = 5
    width, room = x1 - x0 - 2 * pad, y1 - y0 - 2 * pad
    words = [
        f"<b>Copy. Signed by {text(sealed.signer_name)}, {text(local(record['sealed_at'], tz))}.</b>",
        f"The signed original is attached to this PDF as {text(SIGNED_RECORD_NAME)}: open it to check its signature.",
    ]
    # A frame leaves out what does not fit: the words get smaller until all of them do (a long name).
    for size in (7.5, 7, 6.5, 6, 5.5, 5):
        style = ParagraphStyle("stamp", fontName=FONT, fontSize=size, leading=size * 1.25, textColor=MUTED)
        paragraphs = [paragraph(w, style) for w in words]
        if sum(p.wrap(width, room)[1] for p in paragraphs) <= room:
            break
    frame = Frame(x0, y0, x1 - x0, y1 - y0, leftPadding=pad, rightPadding=pad, topPadding=pad, bottomPadding=pad)
    out = BytesIO()
    canvas = Canvas(out, pagesize=LETTER)
    frame.addFromList(paragraphs, canvas)
    canvas.save()
    return out.getvalue()


def _drop_signature_fields(writer: Any) -> None:
    """Take the signature fields off the copied pages (the signed record's, and any signed
    attachment's): a signature covers its own file's bytes, so in the packet it could only show as
    broken. The signed record itself travels inside the packet as an attachment, byte for byte."""
    from pypdf.generic import ArrayObject, NameObject

    def is_signature(annotation: Any) -> bool:
        field = annotation.get_object()
        while field is not None:
            if field.get("/FT") == "/Sig":
                return True
            parent = field.get("/Parent")
            field = parent.get_object() if parent is not None else None
        return False

    for page in writer.pages:
        annotations = page.get("/Annots")
        if annotations is not None:
            kept = [a for a in annotations.get_object() if not is_signature(a)]
            page[NameObject("/Annots")] = ArrayObject(kept)
    form = writer.root_object.get("/AcroForm")
    if form is not None:
        form = form.get_object()
        fields = form.get("/Fields")
        if fields is not None:
            form[NameObject("/Fields")] = ArrayObject(f for f in fields.get_object() if not is_signature(f))
        if "/SigFlags" in form:
            del form["/SigFlags"]
