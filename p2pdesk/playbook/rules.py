"""The rules the scripts cite, as data (resources/rules/*.toml, plus a practice's own folder).

Each rule says for which jurisdiction, plan types and stage it holds, what it really requires,
its citation and source, when it was last checked and how confident that check is. A practice's
file may add rules or replace one by using its id. None of this is legal advice, and the window
says so wherever a rule is shown.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from p2pdesk.domain.case import Case, PlanType
from p2pdesk.domain.errors import Problem
from p2pdesk.playbook.practice import file_state, problem, read_toml, tolerate
from p2pdesk.resources import resource_path

STAGES = ("pre_decision", "reconsideration", "internal_appeal", "external_review")
#: Requirements that entitle the physician to a reviewer of the matching specialty: said as a demand.
DEMANDS = ("same_or_similar_specialty", "same_specialty_on_request", "specialty_discussion_offer")
#: Requirements about who reviews that stop short of the same specialty, or that bind another
#: reviewer than the plan's (an external review's): cited, but the ask is a request.
REVIEWER_RULES = ("appropriate_expertise", "physician_reviewer", "different_reviewer", "external_reviewer")
RULES_ENV = "P2PDESK_RULES_DIR"
NOT_LEGAL_ADVICE = "Rules are shown as checked on the date given; they are not legal advice."


@dataclass(frozen=True)
class Rule:
    id: str
    jurisdiction: str
    plan_types: tuple[str, ...]
    stages: tuple[str, ...]
    requirement: str
    summary: str
    citation: str
    source: str
    checked: date
    confidence: str
    origin: str = "p2pdesk"
    #: The rule obliges the plan to offer (or give the means of) a discussion with the physician.
    peer_to_peer: bool = False

    @property
    def is_demand(self) -> bool:
        return self.requirement in DEMANDS


def practice_rules_dir() -> Path:
    override = os.environ.get(RULES_ENV)
    if override:
        return Path(override)
    from platformdirs import user_config_path

    return user_config_path("p2pdesk", appauthor=False) / "rules"


def _read(path: Path, origin: str) -> tuple[Rule, ...]:
    """The rules of one file; InvalidInput naming the file (and the rule) when it cannot be used.
    Parsed once per change of the file (the desk reads the rules whenever it cites one)."""
    return _read_as_is(*file_state(path), origin)


@lru_cache(maxsize=64)
def _read_as_is(name: str, _inode: int, _modified: int, _size: int, origin: str) -> tuple[Rule, ...]:
    path = Path(name)
    entries = read_toml(path).get("rule", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise problem(path, "rules are written as [[rule]] tables")
    return tuple(_rule(path, n, entry, origin) for n, entry in enumerate(entries, start=1))


def _rule(path: Path, n: int, entry: dict, origin: str) -> Rule:
    def text(key: str, default: str | None = None) -> str:
        if key not in entry and default is not None:
            return default
        if key not in entry:
            raise problem(path, f"rule {n} lacks {key!r}")
        if not isinstance(entry[key], str) or (default is None and not entry[key].strip()):
            raise problem(path, f"rule {n}: {key} must be text")
        return entry[key]

    def one_of(key: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
        values = entry.get(key)
        if values is None:
            raise problem(path, f"rule {n} lacks {key!r}")
        if not isinstance(values, list) or not values or not all(v in allowed for v in values):
            raise problem(path, f"rule {n}: {key} must be a list of {', '.join(allowed)}")
        return tuple(values)

    rule_id, jurisdiction = text("id"), text("jurisdiction").upper()
    plan_types, stages = one_of("plan_types", tuple(p.value for p in PlanType)), one_of("stages", STAGES)
    requirement = text("requirement")
    peer_to_peer = entry.get("peer_to_peer", requirement == "specialty_discussion_offer")
    if not isinstance(peer_to_peer, bool):
        raise problem(path, f"rule {n}: peer_to_peer must be true or false")
    checked = entry.get("checked")
    if not isinstance(checked, date):
        raise problem(path, f"rule {n}: checked must be a date (checked = 2026-11-01)")
    return Rule(
        id=rule_id,
        jurisdiction=jurisdiction,
        plan_types=plan_types,
        stages=stages,
        requirement=requirement,
        # Unsaid, a rule that offers a specialty discussion obliges one (a practice's older
        # override of a shipped rule keeps working).
        peer_to_peer=peer_to_peer,
        summary=text("summary"),
        citation=text("citation"),
        source=text("source", ""),
        checked=checked,
        confidence=text("confidence", "medium"),
        origin=origin,
    )


def load_rules(practice_dir: Path | None = None, *, problems: list[Problem] | None = None) -> list[Rule]:
    """p2pdesk's rules, then the practice's: a practice rule with an existing id replaces it.

    A practice file that cannot be used raises InvalidInput naming it; given ``problems``, it is
    listed there instead and left out (see p2pdesk.playbook.practice)."""
    by_id: dict[str, Rule] = {}
    for rule in _read(resource_path("rules", "rules.toml"), "p2pdesk"):
        by_id[rule.id] = rule
    folder = practice_dir if practice_dir is not None else practice_rules_dir()
    if folder.is_dir():
        for path in sorted(folder.glob("*.toml")):
            if path.name == "payers.toml":  # the practice's payer windows (p2pdesk.playbook.clock)
                continue
            for rule in tolerate(problems, lambda path=path: _read(path, f"practice ({path.name})")) or []:
                by_id[rule.id] = rule
    return list(by_id.values())


def applicable(rules: list[Rule], state: str, plan_type: PlanType | str, stage: str) -> list[Rule]:
    """The rules that hold for a plan type in a state at a stage (federal ones first)."""
    plan = PlanType(plan_type).value
    found = [
        r
        for r in rules
        if (r.jurisdiction == "US" or r.jurisdiction == state.upper()) and plan in r.plan_types and stage in r.stages
    ]
    return sorted(found, key=lambda r: (r.jurisdiction != "US", r.id))


def specialty_rule(rules: list[Rule], state: str, plan_type: PlanType | str, stage: str) -> Rule | None:
    """The rule the same-specialty prompt cites: one that entitles the physician to a matching
    specialty if any holds, else one about who reviews (cited as context for a request), else None."""
    holding = applicable(rules, state, plan_type, stage)
    for wanted in (DEMANDS, REVIEWER_RULES):
        for rule in holding:
            if rule.requirement in wanted:
                return rule
    return None


def case_stage(case: Case, on: date | None = None) -> str:
    """Where the case is: before the plan's decision; after a denial (reconsideration, where the
    peer-to-peer usually happens); in the written internal appeal, once it is filed; at external
    review, once the final internal denial is known. An external review asked for while the
    internal appeal is still open (expedited, for an urgent case) leaves the case in the appeal,
    whose reviewer rules still govern the plan; asked for with no appeal on file, it is the stage.

    ``on``: where it was that day (a call's), counting only what had happened by then."""

    def by(day: date | None) -> bool:
        return day is not None and (on is None or day <= on)

    if by(case.final_denial_date):
        return "external_review"
    if by(case.appeal_filed_on):
        return "internal_appeal"
    if by(case.external_review_requested_on):
        return "external_review"
    return "reconsideration" if by(case.denial_date) else "pre_decision"


def demand_rule(rules: list[Rule], case: Case) -> Rule | None:
    """The rule a written scheduling demand can cite: one that obliges the plan to offer a
    peer-to-peer discussion at the case's stage, if any holds."""
    stage = case_stage(case)
    holding = applicable(rules, case.state, case.plan_type, stage)
    if stage == "reconsideration":  # a P2P after a denial still answers the pre-decision offer rules
        holding += applicable(rules, case.state, case.plan_type, "pre_decision")
    for rule in holding:
        if rule.peer_to_peer:
            return rule
    return None
