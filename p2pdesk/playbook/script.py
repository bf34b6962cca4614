"""The script prompts for the call, filled from the case.

A prompt is a list of lines; a line is a list of segments, each either text from the case or a
visibly *missing* piece naming what the case lacks. Nothing here knows how it will be drawn.
"""

from __future__ import annotations

import marshal
import os
import string
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from p2pdesk.domain.call import Call
from p2pdesk.domain.case import Case
from p2pdesk.resources import resource_path

if TYPE_CHECKING:  # the rules and the specialty vocabulary load after the first paint
    from p2pdesk.domain.errors import Problem
    from p2pdesk.playbook.rules import Rule
    from p2pdesk.playbook.specialties import SpecialtyMatch


# Value types are named tuples: immutable, compared by value, and about ten times cheaper to
# define than frozen dataclasses (this module is imported before the window's first paint).


class Segment(NamedTuple):
    text: str
    missing: bool = False
    emphasis: bool = False

    def __repr__(self) -> str:  # the text is the case's: kept out of tracebacks and logs
        return f"Segment(missing={self.missing}, emphasis={self.emphasis})"


Line = tuple[Segment, ...]


class Prompt(NamedTuple):
    """One step of the call's arc: a title, a time hint, and what to say."""

    key: str
    title: str
    hint: str
    lines: tuple[Line, ...]
    alert: str = ""
    rule: Rule | None = None

    def __repr__(self) -> str:  # the lines are the case's: kept out of tracebacks and logs
        return f"Prompt(key={self.key!r}, lines={len(self.lines)})"


def _t(text: str) -> Segment:
    return Segment(text)


def reviewer_match(case: Case, call: Call | None) -> SpecialtyMatch | None:
    """How the reviewer's specialty compares with the case's, once both are known."""
    if call is None or not call.reviewer_specialty or not case.physician_specialty:
        return None
    from p2pdesk.playbook.specialties import match

    return match(case.physician_specialty, call.reviewer_specialty)


def specialty_not_the_cases(case: Case, call: Call | None) -> bool:
    """True when the reviewer's specialty is not the case's: a different one, or a similar one
    (a pediatrician reviewing pediatric gastroenterology): the same-specialty step is for both."""
    found = reviewer_match(case, call)
    return found is not None and found.verdict in ("similar", "different")


_REVIEWER_PHRASES = {
    "appropriate_expertise": "a reviewer with appropriate expertise in the field",
    "physician_reviewer": "a licensed physician as reviewer",
    "different_reviewer": "a reviewer other than the one who denied",
    "external_reviewer": "same- or similar-specialty reviewers at external review, not for the plan's own reviewer",
}
SCRIPTS_ENV = "P2PDESK_SCRIPTS_DIR"

Fields = dict[str, tuple[Segment, ...]]


def practice_scripts_dir() -> Path:
    override = os.environ.get(SCRIPTS_ENV)
    if override:
        return Path(override)
    from platformdirs import user_config_path

    return user_config_path("p2pdesk", appauthor=False) / "scripts"


@cache
def _base_templates() -> str:
    return resource_path("scripts", "prompts.toml").read_text(encoding="utf-8")


def _templates_cache() -> Path:
    from p2pdesk.config import cache_dir

    return cache_dir() / f"prompts.{sys.implementation.cache_tag}.marshal"


def base_templates() -> dict[str, Any]:
    """p2pdesk's own script templates (what the first paint uses; the practice's follow).

    Kept parsed in the user cache folder, in Python's marshal format (as Python keeps its
    bytecode), with the text they were parsed from: importing the TOML parser and parsing cost
    more than the rest of the script. A cache whose text differs from the file's, or that cannot
    be read, is parsed again and rewritten.
    """
    text = _base_templates()
    cache = _templates_cache()
    try:
        cached_text, templates = marshal.loads(cache.read_bytes())
        if cached_text == text and isinstance(templates, dict):
            return templates
    except (OSError, EOFError, ValueError, TypeError):
        pass
    import tomllib

    templates = tomllib.loads(text)
    try:
        data = marshal.dumps((text, templates))
    except ValueError:  # a value marshal cannot keep (a TOML date, say): parsed each time instead
        return templates
    _keep(cache, data)
    return templates


def _keep(path: Path, data: bytes) -> None:
    """Write the cache whole or not at all; a folder that cannot be written leaves it as it was,
    to be parsed again next time."""
    from p2pdesk.files import write_whole

    try:
        write_whole(path, data)
    except OSError:
        pass


def load_templates(practice_dir: Path | None = None, *, problems: list[Problem] | None = None) -> dict[str, Any]:
    """p2pdesk's script templates, with any step a practice rewrote in its own prompts.toml.

    A prompts.toml that cannot be used raises InvalidInput naming it; given ``problems``, it is
    listed there instead and p2pdesk's own words are kept (see p2pdesk.playbook.practice)."""
    from p2pdesk.playbook.practice import tolerate  # after the first paint (see base_templates)

    templates = base_templates()
    folder = practice_dir if practice_dir is not None else practice_scripts_dir()
    own = folder / "prompts.toml"
    if own.is_file():
        return tolerate(problems, lambda: _merged(templates, own)) or templates
    return templates


def _merged(templates: dict[str, Any], own: Path) -> dict[str, Any]:
    """p2pdesk's templates with the practice's file laid over them, a table two levels deep (a
    practice rewriting one variant of a step keeps the others); InvalidInput naming the file when
    the result cannot make a script."""
    from p2pdesk.playbook.practice import problem, read_toml

    merged = dict(templates)
    for key, value in read_toml(own).items():
        shipped = templates.get(key)
        if shipped is not None and isinstance(shipped, dict) != isinstance(value, dict):
            raise problem(own, f"[{key}] must be {'a table' if isinstance(shipped, dict) else 'a value, not a table'}")
        if isinstance(value, dict) and isinstance(shipped, dict):
            merged[key] = {
                **shipped,
                **{
                    k: {**shipped[k], **v} if isinstance(v, dict) and isinstance(shipped.get(k), dict) else v
                    for k, v in value.items()
                },
            }
        else:
            merged[key] = value
    _check_templates(merged, own)
    return merged


def _texts(node: object, where: str, own: Path) -> list[tuple[str, str]]:
    from p2pdesk.playbook.practice import problem

    if isinstance(node, str):
        return [(where, node)]
    if isinstance(node, dict):
        return [t for k, v in node.items() for t in _texts(v, f"{where}.{k}" if where else k, own)]
    if isinstance(node, list):
        return [t for i, v in enumerate(node, start=1) for t in _texts(v, f"{where}[{i}]", own)]
    raise problem(own, f"{where} must be text")


def _check_templates(templates: dict[str, Any], own: Path) -> None:
    """Every value is text with its {fields} well formed, and a script builds from the whole."""
    from p2pdesk.domain.case import GuidelineCitation, Objection, PlanType, PolicyCriterion, PriorTreatment
    from p2pdesk.playbook.practice import problem

    for key, value in templates.items():
        if isinstance(value, dict) and not isinstance(value.get("lines", []), list):
            raise problem(own, f"{key}.lines must be a list of text lines")
    if not isinstance(templates.get("order"), list):
        raise problem(own, "order must be a list of the steps")
    for where, text in _texts(templates, "", own):
        try:
            list(string.Formatter().parse(text))
        except ValueError as exc:
            raise problem(own, f"{where}: {exc} in {text!r}") from None
    probe = Case(
        patient_name="A",
        member_id="A",
        payer="A",
        plan_type=PlanType.OTHER,
        diagnosis_code="A",
        service_code="A",
        prior_treatments=[PriorTreatment("A")],
        guidelines=[GuidelineCitation("A", "A", 2020)],
        criteria=[PolicyCriterion("A", "A")],
        objections=[Objection("A", "A")],
    )
    try:
        build_script(probe, None, None, templates)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise problem(own, f"no script can be made from it ({type(exc).__name__}: {exc})") from None


def _field(value: object, what: str, *, optional: bool = False, emphasis: bool = True) -> tuple[Segment, ...]:
    if value in (None, "", [], ()):
        return () if optional else (Segment(f"[{what} missing]", missing=True),)
    return (Segment(str(value), emphasis=emphasis),)


def render(template: str, fields: Fields) -> Line:
    """A template line as segments: literal text, the case's values, visible gaps."""
    segments: list[Segment] = []
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        if literal:
            segments.append(_t(literal))
        if name is not None:
            segments.extend(fields.get(name, (Segment(f"[unknown field {name}]", missing=True),)))
    return tuple(segments)


def _plain(template: str, fields: Fields) -> str:
    return "".join(seg.text for seg in render(template, fields) if not seg.missing)


def _tried(case: Case, item: str) -> tuple[Segment, ...]:
    if not case.prior_treatments:
        return _field(None, "prior treatments")
    parts: list[Segment] = []
    for i, tr in enumerate(case.prior_treatments):
        if i:
            parts.append(_t("; "))
        dates = ""
        if tr.start:
            dates = f" from {tr.start.isoformat()}" + (f" to {tr.end.isoformat()}" if tr.end else "")
        fields: Fields = {
            "therapy": _field(tr.therapy, "therapy"),
            "dates": (_t(dates),) if dates else (),
            "outcome": _field(tr.outcome or tr.why_stopped, f"{tr.therapy} outcome"),
        }
        parts.extend(render(item, fields))
    return tuple(parts)


#: Rules a reviewer of a similar specialty may already meet (same or similar; a related specialty).
_MET_BY_A_SIMILAR_SPECIALTY = ("same_or_similar_specialty", "specialty_discussion_offer")


def similar_may_meet(rule: Rule) -> bool:
    """Whether a reviewer of a similar (related) specialty may already meet ``rule``: then the
    case's own specialty is asked for as a request, not demanded under it."""
    return rule.requirement in _MET_BY_A_SIMILAR_SPECIALTY


def _specialty_lines(
    templates: dict[str, Any], fields: Fields, rule: Rule | None, *, similar: bool = False
) -> tuple[Line, ...]:
    """The same-specialty step: a demand where a rule entitles the physician to a matching
    specialty, a request to be noted where none does. ``similar``: the reviewer's specialty is a
    related one (same board), which may meet a rule asking for the same or a similar (or related)
    specialty: the matching specialty is then asked for as a request, not demanded under it."""
    step = templates["specialty"]
    variants = step["by_requirement"]
    if rule is not None and similar and similar_may_meet(rule):
        context = f"; a reviewer of a related specialty may meet {rule.citation}, so this is a request"
        rule = None
    elif rule is not None and not rule.is_demand:
        context = f"; {rule.citation} requires {_REVIEWER_PHRASES.get(rule.requirement, 'an appropriate reviewer')}"
    else:
        context = ""
    local = {
        **fields,
        "citation": _field(rule.citation if rule else "", "citation", optional=True, emphasis=False),
        "context": (_t(context),) if context else (),
    }
    key = rule.requirement if rule is not None and rule.is_demand and rule.requirement in variants else "request"
    return (render(step["ask"], local), *(render(line, local) for line in variants[key]))


def build_script(
    case: Case, call: Call | None = None, rules: list[Rule] | None = None, templates: dict[str, Any] | None = None
) -> list[Prompt]:
    """The prompts of the call, in the order they are used, from the templates (p2pdesk's, or a
    practice's). ``rules`` (the loaded rule set) decide what the same-specialty step may cite for
    this plan, state and stage."""
    templates = templates or base_templates()
    rule = None
    if rules is not None:
        from p2pdesk.playbook.rules import case_stage, specialty_rule

        rule = specialty_rule(rules, case.state, case.plan_type, case_stage(case))
    policy = f"{case.policy_name} ({case.policy_number})" if case.policy_number else case.policy_name
    first = case.guidelines[0] if case.guidelines else None
    guideline = f"{first.organization} {first.year or ''}".strip() if first else ""
    items = templates["items"]
    fields: Fields = {
        "physician": _field(case.physician_display, "physician"),
        "specialty": _field(case.physician_specialty, "specialty"),
        "patient": _field(case.patient_name, "patient"),
        "member_id": _field(case.member_id, "member ID"),
        "diagnosis_description": _field(case.diagnosis_description, "diagnosis description"),
        "diagnosis_code": _field(case.diagnosis_code, "ICD-10-CM code"),
        "service_description": _field(case.service_description, "service description"),
        "service_code": _field(case.service_code, "CPT/HCPCS code"),
        "denial_date": _field(case.denial_date.isoformat() if case.denial_date else "", "denial date"),
        "denial_reason": _field(case.denial_reason.rstrip(". "), "denial reason"),
        "guideline": _field(guideline, "guideline"),
        "policy": _field(policy, "payer policy"),
        "criteria_count": (_t(str(len(case.criteria))),),
        "tried": _tried(case, items["treatment"]),
        "reviewer": (Segment(call.reviewer_display, emphasis=True),)
        if call and call.reviewer_display
        else (Segment("[not yet on record]", missing=True),),
        "no_criteria": _field(None, "policy criteria"),
        "no_objections": _field(None, "anticipated objections"),
    }

    def expand(line: str) -> list[Line]:
        if line == "{each:criteria}":
            if not case.criteria:
                return [render(items["criteria_missing"], fields)]
            return [
                render(
                    items["criterion"],
                    {
                        **fields,
                        "number": (Segment(str(n), emphasis=True),),
                        "criterion": (_t(c.text),),
                        "patient_fact": _field(c.patient_fact, f"patient fact for criterion {n}"),
                        "evidence": (_t(f" ({c.evidence})"),) if c.evidence else (),
                    },
                )
                for n, c in enumerate(case.criteria, start=1)
            ]
        if line == "{each:objections}":
            if not case.objections:
                return [render(items["objections_missing"], fields)]
            return [
                render(
                    items["objection"],
                    {
                        **fields,
                        "objection": (_t(o.objection),),
                        "answer": _field(o.answer, "prepared answer", emphasis=False),
                    },
                )
                for o in case.objections
            ]
        return [render(line, fields)]

    prompts = []
    for key in templates["order"]:
        step = templates[key]
        hint = _plain(step.get("hint", ""), fields)
        if key == "specialty":
            found = reviewer_match(case, call)
            similar = found is not None and found.verdict == "similar"
            lines: tuple[Line, ...] = _specialty_lines(templates, fields, rule, similar=similar)
            alert = ""
            if found is not None and found.differs:
                alert = f"Reviewer's specialty ({found.reviewer_specialty}) is not the case's ({found.case_specialty})."
            elif similar:
                alert = (
                    f"Reviewer's specialty ({found.reviewer_specialty}) is not the case's ({found.case_specialty}), "  # type: ignore[union-attr]
                    f"though a related one (board of {found.shared_board}): ask for {found.case_specialty}."  # type: ignore[union-attr]
                )
            prompts.append(Prompt(key, step["title"], hint, lines, alert=alert, rule=rule))
        else:
            lines = tuple(line for template in step.get("lines", []) for line in expand(template))
            prompts.append(Prompt(key, step["title"], hint, lines))
    return prompts


#: The arc of the call in time: (phase, from second, what it is for). A guide, not a timer.
PHASES = (
    ("open", 0, "open (~60 s)"),
    ("criteria", 60, "criteria, one by one (3–5 min)"),
    ("concerns", 5 * 60, "concerns (3–5 min)"),
    ("close", 9 * 60, "close: ask for the auth number"),
)


def phase_at(elapsed_seconds: float) -> tuple[str, str]:
    """Where a call of this length usually is: (phase key, a short hint)."""
    current = PHASES[0]
    for phase in PHASES:
        if elapsed_seconds >= phase[1]:
            current = phase
    return current[0], current[2]
