"""The one-page case brief as a PDF (US Letter): exactly one page, or a report of what to shorten.

The call is ten minutes and there is no page two. The brief is laid out at 9 pt, stepping down to
8 pt at the least; if it still does not fit, nothing is written and BriefOverflow names the
sections to shorten, largest first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame, Paragraph, Table, TableStyle

from p2pdesk.domain.case import Case, PriorTreatment
from p2pdesk.record.pdf import FONT, FONT_BOLD, paragraph, register_fonts, text

PAGE_W, PAGE_H = LETTER
MARGIN = 0.45 * inch
FONT_SIZES = (9.0, 8.5, 8.0)  # 8 pt is the smallest the brief is ever set in
ACCENT = colors.HexColor("#0b4f6c")
MISSING = colors.HexColor("#b00020")


class BriefOverflow(ValueError):
    """The brief does not fit one page at a readable size. ``sections`` are (name, share of the
    page's height), largest first."""

    def __init__(self, sections: list[tuple[str, float]], lines_over: int) -> None:
        self.sections = sections
        self.lines_over = lines_over
        names = ", ".join(f"{name} ({share:.0%} of the page)" for name, share in sections[:4])
        plural = "s" if lines_over != 1 else ""
        super().__init__(
            f"The brief is {lines_over} line{plural} longer than one page even at 8 pt. "
            f"Shorten, largest first: {names}."
        )


@dataclass(frozen=True)
class _Section:
    name: str
    flowables: list[Any]


def _styles(size: float) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("b", fontName=FONT, fontSize=size, leading=size * 1.16)
    return {
        "base": base,
        "head": ParagraphStyle("h", parent=base, fontName=FONT_BOLD, textColor=ACCENT, spaceBefore=size * 0.35),
        "title": ParagraphStyle("t", parent=base, fontName=FONT_BOLD, fontSize=size + 4, leading=(size + 4) * 1.2),
    }


def _value(value: Any, what: str) -> str:
    if value in (None, ""):
        return f"<font color='#b00020'><b>[{text(what)} missing]</b></font>"
    return text(value.isoformat() if hasattr(value, "isoformat") else value)


def _dates(t: PriorTreatment) -> str:
    if t.start is None and t.end is None:
        return "no dates" if "contraindicat" in f"{t.why_stopped} {t.outcome}".lower() else _value(None, "dates")
    start = t.start.isoformat() if t.start else "?"
    return text(f"{start} → {t.end.isoformat() if t.end else 'ongoing'}")


def _sections(case: Case, size: float) -> list[_Section]:
    st = _styles(size)

    def p(markup: str, style: str = "base") -> Paragraph:
        return paragraph(markup, st[style])

    width = PAGE_W - 2 * MARGIN
    header = [
        p(f"{_value(case.patient_name, 'patient')} — peer-to-peer brief", "title"),
        p(
            f"DOB {_value(case.patient_dob, 'DOB')} · Member {_value(case.member_id, 'member ID')} · "
            f"Group {_value(case.group_number, 'group')} · Claim/PA {_value(case.claim_number, 'claim')} · "
            f"{_value(case.payer, 'payer')} {text(case.plan_name)} ({text(case.plan_type.label)}, "
            f"{_value(case.state, 'state')})"
        ),
        p(
            f"<b>Dx</b> {_value(case.diagnosis_code, 'ICD-10-CM')} {text(case.diagnosis_description)} · "
            f"<b>Service</b> {_value(case.service_code, 'CPT/HCPCS')} {text(case.service_description)}"
            + (" · <b>URGENT request (expedited clock)</b>" if case.urgent else "")
        ),
        p(
            f"<b>Denied</b> {_value(case.denial_date, 'denial date')} ({text(case.denial_code)}): "
            f"{_value(case.denial_reason, 'denial reason')}"
            + (f" · <b>appeal filed</b> {case.appeal_filed_on.isoformat()}" if case.appeal_filed_on else "")
            + (f" · <b>final denial</b> {case.final_denial_date.isoformat()}" if case.final_denial_date else "")
            + (
                f" · <b>external review requested</b> {case.external_review_requested_on.isoformat()}"
                if case.external_review_requested_on
                else ""
            )
            + f" · <b>Physician</b> {_value(case.physician_display, 'physician')}, "
            f"{_value(case.physician_specialty, 'specialty')}"
        ),
    ]
    sections = [
        _Section("Header", header),
        _Section("Bottom line", [p("Bottom line", "head"), p(_value(case.bottom_line, "bottom line"))]),
    ]
    severity = " · ".join(
        f"<b>{text(m.name)} {text(m.value)}</b> {text(m.unit)} ({_value(m.measured_on, 'date')})"
        for m in case.severity_measures
    )
    comorbid = "; ".join(text(c) for c in case.comorbidities)
    sections.append(
        _Section(
            "Severity and comorbidities",
            [p("Severity", "head"), p(severity or _value(None, "severity measures"))]
            + ([p(f"<b>Comorbidities:</b> {comorbid}")] if comorbid else []),
        )
    )
    rows = [
        [
            p(f"<b>{text(t.therapy)}</b> {text(t.dose)}"),
            p(_dates(t)),
            p(f"{_value(t.outcome, 'outcome')}{'; ' + text(t.why_stopped) if t.why_stopped else ''}"),
        ]
        for t in case.prior_treatments
    ]
    table: list[Any] = [p("Prior treatments", "head")]
    if rows:
        grid = Table(rows, colWidths=[0.3 * width, 0.2 * width, 0.5 * width])
        grid.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        table.append(grid)
    else:
        table.append(p(_value(None, "prior treatments")))
    sections.append(_Section("Prior treatments", table))
    sections.append(
        _Section(
            "Guidelines",
            [p("Guidelines", "head")]
            + [
                p(
                    f"<b>{text(g.organization)} {_value(g.year, 'year')}</b>: {text(g.title)}"
                    f"{' — ' + text(g.recommendation) if g.recommendation else ''}"
                    f"{' · PMID ' + text(g.pmid) if g.pmid else ''}"
                )
                for g in case.guidelines
            ]
            or [p(_value(None, "guidelines"))],
        )
    )
    policy = " ".join(x for x in (case.policy_name, f"({case.policy_number})" if case.policy_number else "") if x)
    sections.append(
        _Section(
            "Policy criteria",
            [p(f"Policy {text(policy)}" if policy else "Policy", "head")]
            + [
                p(f"<b>{n}.</b> {text(c.text)} <b>→</b> {_value(c.patient_fact, 'patient fact')}")
                for n, c in enumerate(case.criteria, start=1)
            ]
            or [p(_value(None, "policy criteria"))],
        )
    )
    if case.objections:
        sections.append(
            _Section(
                "Anticipated objections",
                [p("Anticipated objections", "head")]
                + [p(f"<b>{text(o.objection)}</b> → {_value(o.answer, 'answer')}") for o in case.objections],
            )
        )
    sections.append(
        _Section(
            "If the denial stands",
            [p("If the denial stands", "head"), p(_value(case.consequence, "consequence of denial"))],
        )
    )
    return sections


def _height(flowables: list[Any], width: float) -> float:
    total = 0.0
    for f in flowables:
        _, h = f.wrap(width, PAGE_H)
        total += h + f.getSpaceBefore() + f.getSpaceAfter()
    return total


def render_brief(case: Case) -> bytes:
    """The brief on exactly one US Letter page, or BriefOverflow saying what to shorten."""
    register_fonts()
    width, height = PAGE_W - 2 * MARGIN, PAGE_H - 2 * MARGIN - 12
    for size in FONT_SIZES:
        sections = _sections(case, size)
        heights = [(s.name, _height(s.flowables, width)) for s in sections]
        total = sum(h for _, h in heights)
        if total <= height:
            out = BytesIO()
            canvas = Canvas(out, pagesize=LETTER)
            canvas.setTitle(f"Peer-to-peer brief, case {case.id}")
            canvas.setAuthor(case.physician_name)
            canvas.setCreator("p2pdesk")
            frame = Frame(
                MARGIN,
                MARGIN + 12,
                width,
                height,
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
                showBoundary=0,
            )
            story = [f for s in _sections(case, size) for f in s.flowables]
            frame.addFromList(story, canvas)
            if story:  # cannot happen after the measurement above; never let a section go missing
                raise BriefOverflow([(s.name, 0.0) for s in sections], 1)
            canvas.setFont(FONT, 7)
            canvas.setFillColor(colors.HexColor("#555555"))
            canvas.drawString(MARGIN, MARGIN, f"p2pdesk brief · case #{case.id} · {size:g} pt · one page")
            canvas.showPage()
            canvas.save()
            return out.getvalue()
    ranked = sorted(((name, h / height) for name, h in heights), key=lambda x: -x[1])
    leading = FONT_SIZES[-1] * 1.16
    raise BriefOverflow(ranked, max(1, math.ceil((total - height) / leading)))
