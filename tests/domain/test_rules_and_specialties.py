"""Rule selection by state, plan and stage, a practice's override, and the specialty matcher."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from p2pdesk.playbook.rules import applicable, load_rules, specialty_rule
from p2pdesk.playbook.specialties import canonical, match

EMPTY = Path("/nonexistent-practice-rules")


@pytest.mark.parametrize(
    ("state", "plan", "stage", "rule_id", "demand", "words"),
    [
        ("TX", "state_commercial", "pre_decision", "tx-pre-denial-discussion", True, "same or similar specialty"),
        ("NY", "state_commercial", "pre_decision", "ny-initial-clinical-peer", False, "any licensed physician"),
        ("NY", "state_commercial", "internal_appeal", "ny-appeal-different-reviewer", False, "other than the one"),
        ("TX", "erisa", "internal_appeal", "us-erisa-appeal-reviewer", False, "appropriate training and experience"),
        (
            "CA",
            "medicare_advantage",
            "reconsideration",
            "us-ma-reconsideration-reviewer",
            False,
            "need not be of the same specialty",
        ),
        ("IL", "state_commercial", "internal_appeal", "il-appeal-same-specialty", True, "same or a similar specialty"),
        ("OH", "aca_marketplace", "internal_appeal", "oh-clinical-peer", True, "same or a similar specialty"),
        ("DC", "state_commercial", "reconsideration", "dc-same-specialty", True, "same or a similar specialty"),
        ("NY", "state_commercial", "external_review", "ny-external-same-specialty", False, "External-appeal reviewers"),
        ("FL", "medicare_advantage", "internal_appeal", "us-ma-reconsideration-reviewer", False, "need not be"),
    ],
)
def test_the_rule_behind_the_specialty_prompt(state, plan, stage, rule_id, demand, words) -> None:  # noqa: ANN001
    rule = specialty_rule(load_rules(EMPTY), state, plan, stage)
    assert rule is not None and rule.id == rule_id
    assert rule.is_demand is demand
    assert words in rule.summary


def test_erisa_plans_get_no_state_rule_and_no_same_specialty_demand() -> None:
    held = applicable(load_rules(EMPTY), "TX", "erisa", "pre_decision")
    assert [r.id for r in held] == []  # federal preemption: the Texas pre-denial rule is for state-regulated plans
    appeal = applicable(load_rules(EMPTY), "TX", "erisa", "internal_appeal")
    assert all(not r.is_demand for r in appeal)
    assert {r.citation for r in appeal} == {"29 CFR 2560.503-1(h)(3)(iii), (h)(3)(v)", "45 CFR 147.136(b), (d)"}


def test_a_state_with_no_rule_gets_none() -> None:
    assert specialty_rule(load_rules(EMPTY), "WY", "state_commercial", "reconsideration") is None


@pytest.mark.parametrize("stage", ["pre_decision", "reconsideration"])
def test_ohio_entitles_to_a_clinical_peer_only_on_appeal(stage: str) -> None:
    # Ohio's clinical peer (same or similar specialty) decides prior-authorization appeals, not the first decision.
    assert specialty_rule(load_rules(EMPTY), "OH", "state_commercial", stage) is None


def test_every_rule_has_its_source_date_and_confidence() -> None:
    rules = load_rules(EMPTY)
    assert len(rules) >= 16
    for rule in rules:
        assert rule.citation and rule.source.startswith("https://") and rule.checked.year == 2026
        assert rule.confidence in ("high", "medium", "low")


def test_a_practice_can_override_and_add_rules(tmp_path: Path) -> None:
    (tmp_path / "ours.toml").write_text(
        """
[[rule]]
id = "tx-pre-denial-discussion"
jurisdiction = "TX"
plan_types = ["state_commercial"]
stages = ["pre_decision", "reconsideration"]
requirement = "specialty_discussion_offer"
summary = "Our counsel reads the rule as also covering reconsideration."
citation = "28 TAC § 19.1710"
source = "https://example.org/counsel-memo"
checked = 2026-10-15
confidence = "medium"

[[rule]]
id = "wy-practice-note"
jurisdiction = "WY"
plan_types = ["state_commercial"]
stages = ["reconsideration"]
requirement = "appropriate_expertise"
summary = "Our payer contract requires a reviewer experienced with the condition."
citation = "Contract § 7.2"
source = "https://example.org/contract"
checked = 2026-09-01
confidence = "high"
""",
        encoding="utf-8",
    )
    rules = load_rules(tmp_path)
    tx = specialty_rule(rules, "TX", "state_commercial", "reconsideration")
    assert tx is not None and tx.origin == "practice (ours.toml)" and "counsel" in tx.summary
    wy = specialty_rule(rules, "WY", "state_commercial", "reconsideration")
    assert wy is not None and wy.citation == "Contract § 7.2" and not wy.is_demand


@pytest.mark.parametrize(
    ("case", "reviewer", "verdict"),
    [
        ("Rheumatology", "rheumatology", "same"),
        ("Cardiovascular Disease", "Cardiology", "same"),
        ("Rheumatology", "Internal Medicine", "similar"),
        ("Pediatric Gastroenterology", "Pediatrics", "similar"),
        ("Neurological Surgery", "Obstetrics and Gynecology", "different"),
        ("Neurosurgery", "OB/GYN", "different"),
        ("Rheumatology", "Family Medicine", "different"),
        ("Pediatric Gastroenterology", "Gastroenterology", "different"),
        ("Rheumatology", "Astrology", "unknown"),
    ],
)
def test_specialty_matcher(case: str, reviewer: str, verdict: str) -> None:
    assert match(case, reviewer).verdict == verdict


def test_specialty_names_are_read_as_people_write_them() -> None:
    assert canonical("board-certified internal medicine physician") == "Internal Medicine"
    assert canonical("Obstetrics & Gynecology") == "Obstetrics and Gynecology"
    assert canonical("Pediatric GI") == "Pediatric Gastroenterology"


def test_script_words_come_from_templates_a_practice_can_override(tmp_path: Path, demo_text: str) -> None:
    from p2pdesk.playbook.script import build_script, load_templates
    from p2pdesk.services.casefile import parse_case

    case = parse_case(demo_text)
    base = {p.key: p for p in build_script(case, None, load_rules(EMPTY), load_templates(EMPTY))}
    assert (
        "".join(s.text for s in base["close"].lines[1])
        == "Will you authorize J1745 today, and what is the authorization number?"
    )
    (tmp_path / "prompts.toml").write_text(
        """
[close]
lines = ["{patient} meets {policy}. May I have the authorization number for {service_code} today?"]

[specialty.by_requirement]
request = ["We ask, as a courtesy, for a {specialty} reviewer."]
""",
        encoding="utf-8",
    )
    ours = {p.key: p for p in build_script(case, None, load_rules(EMPTY), load_templates(tmp_path))}
    (close,) = ours["close"].lines
    assert "".join(s.text for s in close) == (
        "Carmen Delgado meets Targeted Immune Modulators for Rheumatoid Arthritis (RX-104). "
        "May I have the authorization number for J1745 today?"
    )
    assert "".join(s.text for s in ours["specialty"].lines[-1]) == "We ask, as a courtesy, for a Rheumatology reviewer."
    assert ours["close"].title == "Close"  # what the practice did not rewrite stays p2pdesk's


def test_the_stage_follows_the_case_and_picks_the_rule_the_script_cites(demo_text: str) -> None:
    from datetime import date

    from p2pdesk.domain.case import PlanType
    from p2pdesk.playbook.rules import case_stage
    from p2pdesk.playbook.script import build_script
    from p2pdesk.services.casefile import parse_case

    case = parse_case(demo_text)  # Texas, state-regulated commercial plan, denied 2026-11-18
    rules = load_rules(EMPTY)

    def cited() -> str:
        (step,) = [p for p in build_script(case, None, rules) if p.key == "specialty"]
        return step.rule.citation if step.rule else ""

    assert (case.state, case.plan_type) == ("TX", PlanType.STATE_COMMERCIAL)
    denied, case.denial_date = case.denial_date, None
    assert case_stage(case) == "pre_decision"
    assert cited() == "28 TAC § 19.1710 (Tex. Ins. Code § 4201.206)"  # before a denial
    case.denial_date = denied
    assert case_stage(case) == "reconsideration"
    assert cited() == ""  # Texas has no reviewer rule between the denial and the appeal
    case.appeal_filed_on = date(2026, 11, 24)
    assert case_stage(case) == "internal_appeal"
    assert cited() == "Tex. Ins. Code § 4201.356(b)"  # the appeal rule: ask for same/similar-specialty review
    case.final_denial_date = date(2027, 1, 8)
    assert case_stage(case) == "external_review"
    # An expedited external review asked for while the urgent appeal runs: the plan's own appeal
    # reviewer rule still governs; with no appeal on file, the request is the stage.
    case.final_denial_date, case.external_review_requested_on = None, date(2026, 11, 25)
    assert case_stage(case) == "internal_appeal"
    assert cited() == "Tex. Ins. Code § 4201.356(b)"
    case.appeal_filed_on = None
    assert case_stage(case) == "external_review"


def test_the_written_demand_cites_only_a_rule_that_obliges_a_discussion(demo_text: str) -> None:
    from datetime import date

    from p2pdesk.domain.case import PlanType
    from p2pdesk.playbook.rules import demand_rule
    from p2pdesk.services.casefile import parse_case

    rules = load_rules(EMPTY)
    case = parse_case(demo_text)  # Texas, state-regulated, denied: the pre-denial offer rule still answers
    assert demand_rule(rules, case).id == "tx-pre-denial-discussion"
    case.plan_type, case.appeal_filed_on = PlanType.ERISA, date(2026, 11, 24)
    # The ERISA appeal rule says there is no peer-to-peer duty: it must never back a demand for one.
    assert demand_rule(rules, case) is None
    case.plan_type = PlanType.STATE_COMMERCIAL
    assert demand_rule(rules, case) is None  # Texas on appeal: a same-specialty request, not a discussion
    case.state = "AR"
    assert demand_rule(rules, case).id == "ar-same-specialty-request"
    assert [r.id for r in rules if r.peer_to_peer] == [
        "tx-pre-denial-discussion",
        "ga-related-specialty-discussion",
        "ar-same-specialty-request",
    ]


def test_a_practice_override_of_an_offer_rule_still_backs_the_demand(tmp_path: Path, demo_text: str) -> None:
    from p2pdesk.playbook.rules import demand_rule
    from p2pdesk.services.casefile import parse_case

    (tmp_path / "tx.toml").write_text(
        """[[rule]]
id = "tx-pre-denial-discussion"
jurisdiction = "TX"
plan_types = ["state_commercial"]
stages = ["pre_decision"]
requirement = "specialty_discussion_offer"
summary = "As our counsel reads it."
citation = "28 TAC § 19.1710"
source = "https://example.org/counsel-memo"
checked = 2026-11-20
confidence = "high"
""",
        encoding="utf-8",
    )
    rule = demand_rule(load_rules(tmp_path), parse_case(demo_text))
    assert rule is not None and (rule.origin, rule.summary) == ("practice (tx.toml)", "As our counsel reads it.")


def test_shipped_script_templates_are_kept_parsed_and_parsed_again_when_their_words_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import marshal
    import tomllib

    from p2pdesk.playbook import script

    text = script._base_templates()
    expected = tomllib.loads(text)
    assert script.base_templates() == expected  # the first start parses and keeps the result
    cache = script._templates_cache()
    assert cache.parent == tmp_path / "xdg-cache" / "p2pdesk"
    assert marshal.loads(cache.read_bytes()) == (text, expected)

    # What is kept is what the next start shows (marked here, to see that it was read).
    cache.write_bytes(marshal.dumps((text, {**expected, "kept": True})))
    assert script.base_templates()["kept"] is True

    # Kept for other words (p2pdesk was updated): parsed again, and kept anew.
    cache.write_bytes(marshal.dumps(("order = []", {"order": []})))
    assert script.base_templates() == expected
    assert marshal.loads(cache.read_bytes()) == (text, expected)

    # Damaged, or not even a folder to keep it in: parsed, and the script is whole all the same.
    cache.write_bytes(b"\x00 not marshal data")
    assert script.base_templates() == expected
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert script.base_templates() == expected
    assert list(tmp_path.glob("**/*.part")) == []  # no half-written cache left behind


def test_a_practice_file_that_cannot_be_used_is_named_and_left_out(tmp_path: Path) -> None:
    from p2pdesk.domain.errors import InvalidInput
    from p2pdesk.playbook.clock import load_deadline_rules
    from p2pdesk.playbook.script import base_templates, load_templates

    shipped = {r.id for r in load_rules(EMPTY)}
    broken = tmp_path / "ours.toml"
    broken.write_text('[[rule]]\nid = "x"\njurisdiction = "TX"\n', encoding="utf-8")
    with pytest.raises(InvalidInput) as refused:  # a document must not cite other than what was set
        load_rules(tmp_path)
    assert str(refused.value) == f"practice file {broken}: rule 1 lacks 'plan_types'"
    problems: list = []
    assert {r.id for r in load_rules(tmp_path, problems=problems)} == shipped  # the call goes on
    assert [str(p) for p in problems] == [f"practice file {broken}: rule 1 lacks 'plan_types'"]

    broken.write_text("[[rule]\n", encoding="utf-8")
    problems = []
    load_rules(tmp_path, problems=problems)
    assert problems[0].field == f"practice file {broken}" and problems[0].message.startswith("is not valid TOML: ")

    (tmp_path / "prompts.toml").write_text('[close]\nlines = "Authorize it today."\n', encoding="utf-8")
    problems = []
    assert load_templates(tmp_path, problems=problems) == base_templates()
    assert [p.message for p in problems] == ["close.lines must be a list of text lines"]

    (tmp_path / "payers.toml").write_text('[payer."Lakeshore Health Plan"]\np2p_window = "five"\n', encoding="utf-8")
    problems = []
    assert load_deadline_rules(tmp_path, problems=problems)[1] == {}  # the default window counts
    assert [p.message for p in problems] == [
        "payer 'Lakeshore Health Plan': p2p_window must be a whole number from 1 to 261 (business_days)"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rule = 5\n", "rules are written as [[rule]] tables"),
        ('[[rule]]\nid = ["a"]\n', "rule 1: id must be text"),
        (
            '[[rule]]\nid = "a"\njurisdiction = "TX"\nplan_types = "state_commercial"\n',
            "rule 1: plan_types must be a list of erisa, aca_marketplace, medicare_advantage, "
            "medicaid_managed_care, state_commercial, other",
        ),
        (
            '[[rule]]\nid = "a"\njurisdiction = "TX"\nplan_types = ["erisa"]\nstages = ["appeal"]\n',
            "rule 1: stages must be a list of pre_decision, reconsideration, internal_appeal, external_review",
        ),
        (
            '[[rule]]\nid = "a"\njurisdiction = "TX"\nplan_types = ["erisa"]\nstages = ["internal_appeal"]\n'
            'requirement = "physician_reviewer"\npeer_to_peer = "false"\n',
            "rule 1: peer_to_peer must be true or false",
        ),
        (
            '[[rule]]\nid = "a"\njurisdiction = "TX"\nplan_types = ["erisa"]\nstages = ["internal_appeal"]\n'
            'requirement = "physician_reviewer"\nsummary = "s"\ncitation = "c"\nchecked = "2026-11-01"\n',
            "rule 1: checked must be a date (checked = 2026-11-01)",
        ),
    ],
)
def test_a_practice_rule_of_the_wrong_shape_is_named(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "ours.toml").write_text(text, encoding="utf-8")
    problems: list = []
    assert {r.id for r in load_rules(tmp_path, problems=problems)} == {r.id for r in load_rules(EMPTY)}
    assert [p.message for p in problems] == [message]


def test_a_pediatrician_reviewing_pediatric_gastroenterology_is_asked_for_the_subspecialty(demo_text: str) -> None:
    """A reviewer of a related specialty (same board) is not the case's: the step says so and asks
    for the case's specialty by name; a rule asking for the same *or a similar* specialty may already
    be met by a related one, so it is a request, not a demand under that rule."""
    from datetime import date

    from p2pdesk.domain.call import Call
    from p2pdesk.playbook.script import build_script
    from p2pdesk.services.casefile import parse_case

    case = parse_case(demo_text)
    case.state, case.physician_specialty = "IL", "Pediatric Gastroenterology"
    case.appeal_filed_on = date(2026, 11, 24)  # Illinois, on appeal: same or similar specialty
    call = Call(case_id=1, started_at=datetime(2026, 11, 26, 15, 0, tzinfo=UTC), reviewer_specialty="Pediatrics")

    def step(reviewer: str):  # noqa: ANN202
        call.reviewer_specialty = reviewer
        (found,) = [p for p in build_script(case, call, load_rules(EMPTY)) if p.key == "specialty"]
        return found, ["".join(s.text for s in line) for line in found.lines]

    similar, lines = step("Pediatrics")
    assert similar.alert == (
        "Reviewer's specialty (Pediatrics) is not the case's (Pediatric Gastroenterology), "
        "though a related one (board of Pediatrics): ask for Pediatric Gastroenterology."
    )
    assert "a reviewer of a related specialty may meet 215 ILCS 200/45, so this is a request" in lines[1]
    assert lines[2].startswith("As a request: I ask that a physician in Pediatric Gastroenterology decide")
    different, lines = step("Orthopaedic Surgery")
    assert (
        different.alert == "Reviewer's specialty (Orthopaedic Surgery) is not the case's (Pediatric Gastroenterology)."
    )
    assert lines[1].startswith("Under 215 ILCS 200/45, this decision is made by a physician in the same or a similar")
    same, _ = step("Pediatric Gastroenterology")
    assert same.alert == ""
