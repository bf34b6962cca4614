"""Render a sealed record (the structured record) as a PDF a person reads.

Everything shown comes from the structured record, so the PDF and the attached JSON cannot say
different things. Times are shown in local time with their UTC offset. All user text is escaped
before it reaches reportlab's markup; fonts are embedded (DejaVu Sans: Latin Extended,
Vietnamese, Greek, Cyrillic, Arabic and Hebrew letters; Droid Sans Fallback for Chinese, Japanese
and Korean text, which DejaVu Sans does not draw). Right-to-left text (Arabic, Hebrew) is broken
into lines as written and each line drawn in the order the Unicode bidirectional algorithm gives
(python-bidi), Arabic letters joined (arabic-reshaper): see ``paragraph``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import tzinfo
from functools import cache
from html import unescape
from io import BytesIO
from itertools import groupby
from typing import Any
from xml.sax.saxutils import escape

from arabic_reshaper import ArabicReshaper
from bidi import get_base_level, get_display
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Table,
    TableStyle,
)

from p2pdesk.domain.call import Disposition, NoteKind, format_duration, format_offset, kept_indent
from p2pdesk.domain.case import PlanType
from p2pdesk.domain.record import parse_instant
from p2pdesk.resources import resource_path

FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
#: For the characters DejaVu Sans does not have (Chinese, Japanese, Korean); loaded only when used.
FALLBACK_FONT = "DroidSansFallback"
PAGE_W, PAGE_H = LETTER
MARGIN = 0.6 * inch
#: Where the visible signature goes: the top right corner of page 1, kept free of content.
SIGNATURE_BOX = (
    PAGE_W - MARGIN - 3.2 * inch,
    PAGE_H - MARGIN - 0.85 * inch,
    PAGE_W - MARGIN,
    PAGE_H - MARGIN,
)
FIRST_PAGE_TOP = 1.05 * inch + MARGIN

INK = colors.HexColor("#1b1b1b")
MUTED = colors.HexColor("#555555")
ACCENT = colors.HexColor("#0b4f6c")
ALERT = colors.HexColor("#b00020")


@cache
def register_fonts() -> None:
    """Register the embedded fonts once per process."""
    pdfmetrics.registerFont(TTFont(FONT, str(resource_path("fonts", "DejaVuSans.ttf"))))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(resource_path("fonts", "DejaVuSans-Bold.ttf"))))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


@cache
def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=8.6, leading=10.6, textColor=INK)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.4, leading=9, textColor=MUTED),
        "h1": ParagraphStyle("h1", parent=base, fontName=FONT_BOLD, fontSize=14, leading=17, textColor=ACCENT),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=10,
            leading=13,
            textColor=ACCENT,
            spaceBefore=8,
            spaceAfter=3,
        ),
        "key": ParagraphStyle("key", parent=base, textColor=MUTED),
        "alert": ParagraphStyle("alert", parent=base, fontName=FONT_BOLD, textColor=ALERT),
    }


@cache
def _drawn_by(font: str) -> frozenset[int]:
    """The characters a registered font has glyphs for."""
    return frozenset(pdfmetrics.getFont(font).face.charToGlyph)


@cache
def _register_fallback() -> frozenset[int]:
    """Register the fallback font (the first time a text needs it); the characters it draws."""
    pdfmetrics.registerFont(TTFont(FALLBACK_FONT, str(resource_path("fonts", "DroidSansFallback.ttf"))))
    pdfmetrics.registerFontFamily(
        FALLBACK_FONT, normal=FALLBACK_FONT, bold=FALLBACK_FONT, italic=FALLBACK_FONT, boldItalic=FALLBACK_FONT
    )
    return _drawn_by(FALLBACK_FONT)


def _right_to_left(value: str) -> bool:
    """Whether ``value`` holds a right-to-left letter (Hebrew, Arabic, Syriac, Thaana, ...)."""
    return any(ord(c) >= 0x590 and unicodedata.bidirectional(c) in ("R", "AL") for c in value)


@cache
def _reshaper() -> ArabicReshaper:
    # Harakat (vowel marks) are kept: the record shows every character that was entered. The
    # one-glyph "Allah" ligature is not used: DejaVu Sans has no glyph for it (the word would vanish).
    return ArabicReshaper(configuration={"delete_harakat": False, "ARABIC LIGATURE ALLAH": False})


def text(value: Any) -> str:
    """User text made safe for reportlab's paragraph markup: shown literally, line breaks kept,
    Arabic letters in their joined forms, and each run of characters DejaVu Sans cannot draw set
    in the fallback font when it can."""
    shown = kept_indent("" if value is None else str(value))  # a pasted list keeps its shape on the page
    if _right_to_left(shown):
        shown = _reshaper().reshape(shown)  # same order; each letter in the form its neighbours call for
    register_fonts()
    drawn = _drawn_by(FONT)
    if all(ord(c) in drawn for c in shown if c != "\n"):
        return escape(shown).replace("\n", "<br/>")
    fallback = _register_fallback()
    parts = []
    for other, run in groupby(shown, key=lambda c: ord(c) not in drawn and ord(c) in fallback):
        piece = escape("".join(run)).replace("\n", "<br/>")
        parts.append(f'<font face="{FALLBACK_FONT}">{piece}</font>' if other else piece)
    return "".join(parts)


class _BidiParagraph(Paragraph):
    """A paragraph holding right-to-left text.

    Its lines are found in the order the text was written (so a long note wraps from its first
    word on), and each line is drawn in the order the Unicode bidirectional algorithm gives. The
    paragraph runs left to right (p2pdesk's English with a name or a note in it), or, when it is
    one user text alone, in the direction of its first strong letter, and then a right-to-left
    paragraph is set flush right. A line of several styles (a bold name, a run in the fallback
    font) is an approximation: the styled pieces keep their places in a left-to-right paragraph
    and swap them in a right-to-left one, each piece's letters in order within it, which is the
    bidirectional order unless a right-to-left run crosses from one style into the next.
    """

    def __init__(self, text: str | None, style: ParagraphStyle, *args: Any, own_direction: bool = False, **kw: Any):
        self._base = "L"
        if text is not None:  # None: one part of a paragraph split across pages (see split)
            if own_direction and get_base_level(unescape(re.sub(r"<[^>]*>", "", text))) == 1:
                self._base = "R"
            if self._base == "R" and style.alignment == TA_LEFT:
                style = ParagraphStyle(f"{style.name}-rtl", parent=style, alignment=TA_RIGHT)
        super().__init__(text, style, *args, **kw)

    def split(self, availWidth: float, availHeight: float) -> list[Any]:  # noqa: N803 - reportlab's names
        parts = super().split(availWidth, availHeight)
        for part in parts:
            if isinstance(part, _BidiParagraph):
                part._base = self._base
        return parts

    def drawPara(self, debug: int = 0) -> None:  # noqa: N802 - reportlab's name
        written = self.blPara
        self.blPara = self._visual(written)
        try:
            super().drawPara(debug)
        finally:
            self.blPara = written

    def _visual(self, lines: Any) -> Any:
        base = self._base
        if lines.kind == 0:  # one style: each line is (room left, words)
            return lines.clone(
                lines=[(room, get_display(" ".join(words), base_dir=base).split(" ")) for room, words in lines.lines]
            )
        shown = []
        for line in lines.lines:
            pieces = [
                f.clone(text=get_display(f.text, base_dir=base)) if getattr(f, "text", "") else f for f in line.words
            ]
            shown.append(line.clone(words=pieces[::-1] if base == "R" else pieces))
        return lines.clone(lines=shown)


def paragraph(markup: str, style: ParagraphStyle, *, own_direction: bool = False) -> Paragraph:
    """A paragraph of markup whose user parts passed through ``text()``; one that holds
    right-to-left text is drawn in bidirectional order (see ``_BidiParagraph``).
    ``own_direction``: the markup is one user text alone, which sets its own direction."""
    if _right_to_left(markup):
        return _BidiParagraph(markup, style, own_direction=own_direction)
    return Paragraph(markup, style)


def _p(value: str, style: str = "base") -> Paragraph:
    """A paragraph from markup that this module wrote (user parts already passed through text())."""
    return paragraph(value, _styles()[style])


def _user(value: Any) -> Paragraph | list[Paragraph]:
    """One user text alone (a note, a criterion) in its own direction; one with right-to-left
    letters and several lines is a paragraph a line, each line in its own direction."""
    shown = "" if value is None else str(value)
    if "\n" in shown and _right_to_left(shown):
        return [paragraph(text(line), _styles()["base"], own_direction=True) for line in shown.split("\n")]
    return paragraph(text(shown), _styles()["base"], own_direction=True)


def local(instant: str | None, tz: tzinfo | None) -> str:
    """An instant of the record in local time with its UTC offset, e.g. 2026-11-20 09:00:12 (UTC-06:00)."""
    if not instant:
        return "—"
    moment = parse_instant(instant).astimezone(tz)
    offset = moment.strftime("%z")
    return f"{moment:%Y-%m-%d %H:%M:%S} (UTC{offset[:3]}:{offset[3:]})"


class _NumberedCanvas(Canvas):
    """Draws "page X of Y" and the record's identity on every page, once Y is known."""

    footer = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(FONT, 7.4)
            self.setFillColor(MUTED)
            self.drawString(MARGIN, 0.4 * inch, self.footer)
            self.drawRightString(PAGE_W - MARGIN, 0.4 * inch, f"page {number} of {total}")
            super().showPage()
        super().save()


def _kv_table(rows: list[tuple[str, str]]) -> Table:
    table = Table(
        [[_p(text(k), "key"), _p(v)] for k, v in rows],
        colWidths=[1.35 * inch, PAGE_W - 2 * MARGIN - 1.35 * inch],
        splitInRow=1,  # a long value runs on to the next page
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _grid(header: list[str], rows: list[list[Any]], widths: list[float]) -> Table:
    data = [[_p(f"<b>{text(h)}</b>") for h in header], *rows]
    table = Table(data, colWidths=widths, repeatRows=1, splitInRow=1)  # a long note runs on to the next page
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, ACCENT),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f6f8")]),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _plan_label(value: str) -> str:
    try:
        return PlanType(value).label
    except ValueError:
        return value


def _join(*parts: str, sep: str = " · ") -> str:
    return sep.join(p for p in parts if p)


def render_record(record: dict[str, Any], *, tz: tzinfo | None = None) -> bytes:
    """The record as PDF bytes (unsigned). ``tz`` is the zone times are shown in (local if None)."""
    register_fonts()
    case, call = record["case"], record["call"]
    patient, coverage = case.get("patient", {}), case.get("coverage", {})
    physician, reviewer = case.get("physician", {}), call["reviewer"]
    diagnosis, service, denial = case.get("diagnosis", {}), case.get("service", {}), case.get("denial", {})
    started = parse_instant(call["started_at"])
    ended = parse_instant(call["ended_at"]) if call.get("ended_at") else None

    story: list[Any] = []
    # The header shares its row with the signature box (top right of page 1), which stays empty
    # here: the signature's visible block is drawn there when the record is signed.
    heading = [
        _p("Peer-to-peer review — call record", "h1"),
        _p(
            text(f"Version {record['version']} · sealed {local(record['sealed_at'], tz)}"),
            "small",
        ),
        _p(text(f"Call #{call['id']} · record format {record['format']}"), "small"),
    ]
    box_width = SIGNATURE_BOX[2] - SIGNATURE_BOX[0]
    header = Table(
        [[heading, ""]],
        colWidths=[PAGE_W - 2 * MARGIN - box_width, box_width],
        rowHeights=[SIGNATURE_BOX[3] - SIGNATURE_BOX[1] + 4],
    )
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story.append(header)

    story.append(_p("Case", "h2"))
    story.append(
        _kv_table(
            [
                (
                    "Patient",
                    _join(f"<b>{text(patient.get('name'))}</b>", text(patient.get("date_of_birth", ""))),
                ),
                (
                    "Payer and plan",
                    _join(
                        text(coverage.get("payer")),
                        text(coverage.get("plan_name", "")),
                        text(_plan_label(coverage.get("plan_type", ""))),
                        text(coverage.get("state", "")),
                    ),
                ),
                (
                    "Member / group",
                    _join(text(coverage.get("member_id")), text(coverage.get("group_number", ""))),
                ),
                (
                    "Claim / authorization",
                    _join(text(coverage.get("claim_number", "")), text(coverage.get("authorization_number", ""))),
                ),
                (
                    "Diagnosis",
                    _join(f"<b>{text(diagnosis.get('code'))}</b>", text(diagnosis.get("description", ""))),
                ),
                (
                    "Service",
                    _join(f"<b>{text(service.get('code'))}</b>", text(service.get("description", ""))),
                ),
                (
                    "Denial",
                    _join(
                        text(denial.get("date", "")),
                        text(denial.get("code", "")),
                        text(denial.get("reason", "")),
                    ),
                ),
            ]
        )
    )

    story.append(_p("The call", "h2"))
    duration = format_duration(ended - started) if ended else "not ended"
    verdict = reviewer.get("specialty_match", "unknown")
    case_specialty = text(physician.get("specialty", ""))
    if verdict == "same":
        match_text = "the same specialty as the case"
    elif verdict == "similar":
        match_text = f"a similar specialty to the case's ({case_specialty}): same ABMS board"
    elif verdict == "different":
        match_text = f"<font color='#b00020'><b>not the case's specialty ({case_specialty})</b></font>"
    else:
        match_text = "specialty match: not stated or not comparable"
    story.append(
        _kv_table(
            [
                ("Date", text(started.astimezone(tz).strftime("%A %Y-%m-%d"))),
                (
                    "Start / end",
                    _join(text(local(call["started_at"], tz)), text(local(call.get("ended_at"), tz)), sep=" → "),
                ),
                ("Duration", text(duration)),
                (
                    "Physician",
                    _join(
                        text(physician.get("name", "")),
                        text(physician.get("credentials", "")),
                        text(physician.get("specialty", "")),
                        f"NPI {text(physician['npi'])}" if physician.get("npi") else "",
                    ),
                ),
                (
                    "Reviewer",
                    _join(
                        f"<b>{text(reviewer.get('name') or 'not given')}</b>",
                        text(reviewer.get("credentials", "")),
                        text(reviewer.get("specialty", "")),
                        match_text,
                    ),
                ),
            ]
        )
    )

    story.append(_p("Disposition", "h2"))
    disposition = call.get("disposition")
    if disposition == Disposition.REVERSED.value:
        outcome = f"<b>Reversed</b> · authorization number <b>{text(call.get('authorization_number'))}</b>"
    elif disposition == Disposition.UPHELD.value:
        outcome = f"<b>Upheld</b> · stated reasoning: {text(call.get('stated_reasoning'))}"
    elif disposition == Disposition.DEFERRED.value:
        outcome = f"<b>Deferred</b> · requested: {text(call.get('information_requested'))}"
        if call.get("requested_by"):
            outcome += f" · by {text(call['requested_by'])}"
    else:
        outcome = "<font color='#b00020'><b>Not recorded</b></font>"
    if call.get("alternative_offer"):
        outcome += f"<br/>Alternative offered by the reviewer: {text(call['alternative_offer'])}"
    if call.get("educational_only"):
        outcome += "<br/><b>The plan called this peer-to-peer educational only: it could not reverse the denial.</b>"
    story.append(_p(outcome))

    story.append(_p("Criteria discussed", "h2"))
    width = PAGE_W - 2 * MARGIN
    if record["criteria"]:
        story.append(
            _grid(
                ["#", "Plan criterion", "Patient's fact", "Addressed"],
                [
                    [
                        _p(str(c["number"])),
                        _user(c["text"]),
                        _user(c.get("patient_fact", "")),
                        _p(
                            text(local(c["addressed_at"], tz)) if c.get("addressed_at") else "not addressed on the call"
                        ),
                    ]
                    for c in record["criteria"]
                ],
                [0.3 * inch, 0.38 * width, 0.34 * width, width - 0.3 * inch - 0.72 * width],
            )
        )
    else:
        story.append(_p("The case lists no plan criteria."))

    objections = [n for n in record["notes"] if n["kind"] == NoteKind.PROCEDURAL.value]
    story.append(_p("Procedural objections", "h2"))
    story.append(
        _p("<br/>".join(f"{text(local(n['at'], tz))}: {text(n['text'])}" for n in objections) or "None recorded.")
    )

    story.append(_p("Follow-ups due", "h2"))
    story.append(
        _p(
            "<br/>".join(
                f"• {text(f['what'])}"
                + (f" — due {text(local(f['due'], tz) if 'T' in f['due'] else f['due'])}" if f.get("due") else "")
                for f in record["follow_ups"]
            )
            or "None."
        )
    )

    story.append(_p("Timeline of the call", "h2"))
    rows = []
    for note in record["notes"]:
        at = parse_instant(note["at"])
        kind = NoteKind(note["kind"]).label
        if note.get("addendum"):
            kind += f" (addendum, v{note['addendum']})"
        local_at = at.astimezone(tz)
        # An addendum (or a note past midnight) carries its date: it may be days after the call.
        dated = note.get("addendum") or local_at.date() != started.astimezone(tz).date()
        rows.append(
            [
                _p(text(local_at.strftime("%Y-%m-%d %H:%M:%S" if dated else "%H:%M:%S"))),
                _p(text(format_offset(at - started) if not note.get("addendum") else "after")),
                _p(text(kind)),
                _user(note["text"]),
            ]
        )
    if rows:
        story.append(
            _grid(
                ["Time", "Into call", "Kind", "Note"],
                rows,
                [0.9 * inch, 0.66 * inch, 1.25 * inch, width - 2.81 * inch],
            )
        )
    else:
        story.append(_p("No notes were taken."))

    story.append(
        KeepTogether(
            [
                _p("Integrity", "h2"),
                _p(f"Record digest (SHA-256): <b>{text(record['digest'])}</b>", "small"),
                _p(f"Hash-chain head: {text(record['chain_head'])}", "small"),
                _p(
                    "The structured record is attached to this PDF as record.json; the digest is SHA-256 over its "
                    "canonical JSON without the digest field. The PDF is digitally signed (PAdES); any change after "
                    "signing shows in a PDF reader's signature panel and in <b>p2pdesk verify</b>.",
                    "small",
                ),
            ]
        )
    )

    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=LETTER,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=0.7 * inch,
        title=f"Peer-to-peer call record, call {call['id']} v{record['version']}",
        author=physician.get("name", ""),
        subject="Peer-to-peer review call record",
        creator="p2pdesk",
    )

    def first_page(canvas: Canvas, _doc: Any) -> None:
        x0, y0, x1, y1 = SIGNATURE_BOX
        canvas.setStrokeColor(colors.HexColor("#c8d3da"))
        canvas.setDash(2, 2)
        canvas.rect(x0, y0, x1 - x0, y1 - y0)

    footer = f"p2pdesk call record · call #{call['id']} · version {record['version']} · digest {record['digest'][:16]}…"
    canvas_class = type("RecordCanvas", (_NumberedCanvas,), {"footer": footer})
    doc.build(story, onFirstPage=first_page, canvasmaker=canvas_class)
    return out.getvalue()
