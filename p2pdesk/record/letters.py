"""Letters the desk writes from the case: the written demand after failed scheduling attempts.

Plain text and PDF from the same words. The demand cites what obliges the plan: the rule that
holds for its plan type, state and stage when one requires a peer-to-peer discussion, and always
the plan's own offer of a peer-to-peer review in its denial.
"""

from __future__ import annotations

from datetime import date, tzinfo
from io import BytesIO

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import SimpleDocTemplate, Spacer

from p2pdesk.domain.case import Case
from p2pdesk.domain.errors import InvalidInput, Problem
from p2pdesk.domain.scheduling import AttemptOutcome, SchedulingAttempt, demand_warranted
from p2pdesk.playbook.rules import Rule
from p2pdesk.record.pdf import FONT, FONT_BOLD, paragraph, register_fonts, text

HEADING = "WRITTEN DEMAND FOR A PEER-TO-PEER REVIEW"
HEADINGS = (HEADING, "REQUEST FOR A PEER-TO-PEER REVIEW")


def demand_text(case: Case, attempts: list[SchedulingAttempt], rule: Rule | None, today: date, tz: tzinfo) -> str:
    """The written demand as plain text. Refused (InvalidInput) before two failed attempts."""
    if not demand_warranted(attempts):
        raise InvalidInput(
            Problem("scheduling log", "a written demand follows two failed scheduling attempts and none that succeeded")
        )
    lines = [
        f"{today:%B %d, %Y}",
        "",
        f"{case.payer} — Utilization Management / Peer-to-Peer Scheduling",
        "",
        f"Re: {case.patient_name}, member {case.member_id}"
        + (f", group {case.group_number}" if case.group_number else ""),
        f"Claim / prior authorization: {case.claim_number or 'not given'}",
        f"Service: {case.service_code} {case.service_description}".rstrip(),
        (
            f"Denial of {case.denial_date.isoformat()}" + (f" ({case.denial_code})" if case.denial_code else "")
            if case.denial_date
            else "Request pending: no decision yet"
        ),
        "",
        HEADING,
        "",
        f"My office has tried to schedule the peer-to-peer review of this "
        f"{'denial' if case.denial_date else 'request'} {len(attempts)} times without success:",
    ]
    for n, attempt in enumerate(attempts, start=1):
        hold = f", on hold {attempt.hold_minutes} min" if attempt.hold_minutes is not None else ""
        who = f", spoke with {attempt.whom}" if attempt.whom else ""
        ref = f", reference {attempt.reference}" if attempt.reference else ""
        what = "scheduled" if attempt.outcome is AttemptOutcome.SCHEDULED else "not scheduled"
        detail = f" — {attempt.detail}" if attempt.detail else ""
        lines.append(f"  {n}. {attempt.at.astimezone(tz):%Y-%m-%d %H:%M %Z}{who}{ref}{hold}: {what}{detail}")
    lines += [
        "",
        "Your denial offers a peer-to-peer review with the reviewing physician; the plan has not made one available.",
    ]
    if rule is not None:
        lines.append(f"{rule.citation}: {rule.summary}")
    lines += [
        "",
        f"I ask that a peer-to-peer review with a physician in {case.physician_specialty or 'the matching specialty'} "
        "be scheduled within one business day of this letter, and that you confirm the time in writing.",
        "This letter and the attempts above are part of the record: continued obstruction will be raised in the "
        "appeal and reported to the state insurance regulator.",
        "",
        "Sincerely,",
        "",
        f"{case.physician_display}" + (f", {case.physician_specialty}" if case.physician_specialty else ""),
        f"NPI {case.physician_npi}" if case.physician_npi else "",
    ]
    return "\n".join(lines).rstrip() + "\n"


def lines_pdf(lines: list[str], *, title: str, headings: tuple[str, ...] = ()) -> bytes:
    """Lines of text as a US Letter PDF (embedded fonts, every line escaped). A blank line is a
    gap; a line in ``headings``, or one starting with "# ", is set as a heading."""
    register_fonts()
    body = ParagraphStyle("letter", fontName=FONT, fontSize=10.5, leading=14)
    heading = ParagraphStyle("heading", parent=body, fontName=FONT_BOLD, fontSize=11.5, leading=16, spaceBefore=4)
    story = []
    for line in lines:
        if not line.strip():
            story.append(Spacer(1, 8))
        elif line.startswith("# ") or line in headings:
            story.append(paragraph(text(line.removeprefix("# ")), heading))
        else:
            story.append(paragraph(text(line).replace("  ", "&nbsp;&nbsp;"), body))
    out = BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=LETTER,
        leftMargin=inch,
        rightMargin=inch,
        topMargin=inch,
        bottomMargin=inch,
        title=title,
        creator="p2pdesk",
    ).build(story)
    return out.getvalue()


def letter_pdf(letter: str) -> bytes:
    """A letter's plain text as a PDF, its heading line set bold."""
    lines = letter.splitlines()
    title = next((line.title() for line in lines if line in HEADINGS), "Letter")
    return lines_pdf(lines, title=title, headings=HEADINGS)


def patient_request_text(case: Case, today: date, office_contact: str = "") -> str:
    """The patient's letter asking the plan to allow a peer-to-peer review (and to treat the
    letter as an appeal request if none can be arranged)."""
    office = office_contact or f"the office of {case.physician_display or 'my physician'}"
    lines = [
        f"{today:%B %d, %Y}",
        "",
        f"{case.payer} — Utilization Review Department",
        "",
        f"Re: {case.patient_name}, member {case.member_id}"
        + (f", group {case.group_number}" if case.group_number else ""),
        f"Claim / prior authorization: {case.claim_number or 'not given'}",
        f"Service: {case.service_code} {case.service_description}".rstrip(),
        (f"Denial of {case.denial_date.isoformat()}" if case.denial_date else "Request pending"),
        "",
        "REQUEST FOR A PEER-TO-PEER REVIEW",
        "",
        f"I ask that you allow my treating physician, {case.physician_display or 'my physician'}"
        + (f" ({case.physician_specialty})" if case.physician_specialty else "")
        + ", to discuss this decision with your reviewing physician in a peer-to-peer review.",
        f"Please arrange it with {office}, and confirm in writing the deadline for asking for this review.",
        "If no peer-to-peer review can be arranged, please treat this letter as my request for an appeal of "
        "the decision.",
        "",
        "Sincerely,",
        "",
        case.patient_name,
    ]
    return "\n".join(lines) + "\n"


def office_note_text(case: Case, today: date, plan_p2p_line: str = "") -> str:
    """The patient's short note to the doctor's office: the plan's P2P line and the reference numbers."""
    lines = [
        f"{today:%B %d, %Y}",
        "",
        f"To the office of {case.physician_display or 'my physician'}",
        "",
        f"My plan ({case.payer}) denied {case.service_code} {case.service_description}".rstrip()
        + (f" on {case.denial_date.isoformat()}" if case.denial_date else "")
        + ". I have asked the plan to allow a peer-to-peer review with the doctor.",
        f"Member ID: {case.member_id}" + (f" · Group: {case.group_number}" if case.group_number else ""),
        f"Claim / prior authorization: {case.claim_number or 'not given'}",
        f"The plan's peer-to-peer line: {plan_p2p_line or 'see the denial letter'}",
        "",
        "Thank you,",
        case.patient_name,
    ]
    return "\n".join(lines) + "\n"


def demand_pdf(letter: str) -> bytes:
    """The written demand as a PDF."""
    return letter_pdf(letter)
