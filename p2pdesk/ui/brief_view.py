"""The one-page case brief, read at a glance during the call."""

from __future__ import annotations

from PySide6.QtWidgets import QTextBrowser, QWidget

from p2pdesk.domain.case import Case
from p2pdesk.ui.richtext import esc, missing, page, value


def _section(title: str, body: str) -> str:
    return f'<p><span class="sec">{esc(title)}</span> {body}</p>'


def brief_html(case: Case) -> str:
    """The brief as Qt rich text. Missing facts are shown as missing, never as blanks."""
    dos = value(case.service_start, "date of service")
    if case.service_end:
        dos += f" to {esc(case.service_end.isoformat())}"
    policy = " ".join(x for x in (case.policy_name, f"({case.policy_number})" if case.policy_number else "") if x)
    rows = [
        (
            "Patient",
            f"<b>{value(case.patient_name, 'patient name')}</b> · DOB {value(case.patient_dob, 'DOB')}"
            f" · MRN {value(case.patient_mrn, 'MRN')}",
        ),
        (
            "Plan",
            f"{value(case.payer, 'payer')} · {esc(case.plan_name)} · {esc(case.plan_type.label)} · "
            f"{value(case.state, 'state')}",
        ),
        (
            "IDs",
            f"Member <b>{value(case.member_id, 'member ID')}</b> · Group {value(case.group_number, 'group')}"
            f" · Claim/PA <b>{value(case.claim_number, 'claim number')}</b>"
            + (f" · Auth {esc(case.authorization_number)}" if case.authorization_number else ""),
        ),
        (
            "Physician",
            f"{value(case.physician_display, 'physician')} · {value(case.physician_specialty, 'specialty')}"
            f" · NPI {value(case.physician_npi, 'NPI')}",
        ),
        ("Diagnosis", f"<b>{value(case.diagnosis_code, 'ICD-10-CM')}</b> {esc(case.diagnosis_description)}"),
        (
            "Service",
            f"<b>{value(case.service_code, 'CPT/HCPCS')}</b> {esc(case.service_description)} · {dos}"
            + (' · <span class="alert">&nbsp;URGENT request: expedited clock&nbsp;</span>' if case.urgent else ""),
        ),
        (
            "Denied",
            f"<b>{value(case.denial_date, 'denial date')}</b>"
            + (f" ({esc(case.denial_code)})" if case.denial_code else "")
            + f": {value(case.denial_reason, 'denial reason')}"
            + (f" · <b>appeal filed {esc(case.appeal_filed_on.isoformat())}</b>" if case.appeal_filed_on else "")
            + (f" · <b>final denial {esc(case.final_denial_date.isoformat())}</b>" if case.final_denial_date else "")
            + (
                f" · <b>external review requested {esc(case.external_review_requested_on.isoformat())}</b>"
                if case.external_review_requested_on
                else ""
            ),
        ),
    ]
    parts = ["<table>"]
    parts += [f'<tr><td class="k">{k}</td><td>{v}</td></tr>' for k, v in rows]
    parts.append("</table>")
    parts.append(_section("Bottom line", value(case.bottom_line, "clinical bottom line")))

    if case.severity_measures:
        severity = " · ".join(
            f"<b>{esc(m.name)} {esc(m.value)}</b>{(' ' + esc(m.unit)) if m.unit else ''}"
            f" ({value(m.measured_on, 'date')})"
            for m in case.severity_measures
        )
    else:
        severity = missing("severity measures")
    parts.append(_section("Severity", severity))
    if case.comorbidities:
        parts.append(_section("Comorbidities", "; ".join(esc(c) for c in case.comorbidities)))

    if case.prior_treatments:
        lines = []
        for t in case.prior_treatments:
            if t.start:
                dates = f"{t.start.isoformat()} → {t.end.isoformat() if t.end else 'ongoing'}"
            else:
                dates = f"to {t.end.isoformat()}" if t.end else "no dates"
            why = f"; {esc(t.why_stopped)}" if t.why_stopped else ""
            outcome = value(t.outcome, "outcome")
            when = f'<span class="when">({esc(dates)})</span>'  # muted, not italic: see STYLE_SHEET
            lines.append(f"• <b>{esc(t.therapy)}</b> {esc(t.dose)} {when}: {outcome}{why}")
        treatments = "<br>" + "<br>".join(lines)
    else:
        treatments = missing("prior treatments")
    parts.append(_section("Prior treatments", treatments))

    if case.guidelines:
        guidelines = "<br>" + "<br>".join(
            f"• <b>{esc(g.organization)} {value(g.year, 'year')}</b>: {esc(g.title)}"
            f"{(' — ' + esc(g.recommendation)) if g.recommendation else ''}"
            f"{(' · PMID ' + esc(g.pmid)) if g.pmid else ''}"
            for g in case.guidelines
        )
    else:
        guidelines = missing("guideline citations")
    parts.append(_section("Guidelines", guidelines))

    if case.criteria:
        criteria = "<br>" + "<br>".join(
            f"<b>{n}.</b> {esc(c.text)} <b>→</b> {value(c.patient_fact, 'patient fact')}"
            for n, c in enumerate(case.criteria, start=1)
        )
    else:
        criteria = missing("policy criteria")
    parts.append(
        _section(
            f"Policy {policy}" if policy else "Policy",
            criteria if policy else missing("payer policy") + " " + criteria,
        )
    )
    parts.append(_section("If the denial stands", value(case.consequence, "consequence of denial")))
    return "".join(parts)


def brief_view(parent: QWidget | None = None) -> QTextBrowser:
    """The view a case's brief is read in (read-only; see show_brief). A plain text browser, not a
    class of its own: it adds nothing to one, and a Python subclass of a Qt widget costs start-up time."""
    view = QTextBrowser(parent)
    view.setObjectName("brief")
    view.setOpenLinks(False)
    view.setAccessibleName("Case brief")
    return view


def show_brief(view: QTextBrowser, case: Case) -> None:
    """Show ``case``'s brief in ``view``."""
    view.setHtml(page(brief_html(case)))
