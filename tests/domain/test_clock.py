"""Deadlines across weekends, federal holidays and time-zone edges."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from p2pdesk.domain.case import PlanType
from p2pdesk.playbook.clock import (
    add_business_days,
    deadlines,
    is_business_day,
    local_day,
    next_deadline,
    offer_window,
)
from p2pdesk.services.casefile import parse_case
from tests.conftest import DEMO

CHICAGO = ZoneInfo("America/Chicago")


def test_business_days_skip_weekends_and_federal_holidays() -> None:
    assert not is_business_day(date(2026, 11, 26))  # Thanksgiving
    assert not is_business_day(date(2026, 11, 28))  # Saturday
    # Wednesday before Thanksgiving + 2 business days: Thu (holiday) and weekend skipped.
    assert add_business_days(date(2026, 11, 25), 2) == date(2026, 11, 30)
    # A denial on the Friday before a Monday holiday (Labor Day 2026-09-07): 1 business day is Tuesday.
    assert add_business_days(date(2026, 9, 4), 1) == date(2026, 9, 8)
    assert add_business_days(date(2026, 9, 4), 3) == date(2026, 9, 10)
    # Around the new year: 2026-12-31 + 1 business day skips New Year's Day 2027.
    assert add_business_days(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_a_denial_at_2330_local_counts_from_that_local_day(tmp_path: Path) -> None:
    late = datetime(2026, 11, 20, 23, 30, tzinfo=CHICAGO)  # already 2026-11-21 in UTC
    assert late.astimezone(UTC).date() == date(2026, 11, 21)
    assert local_day(late, CHICAGO) == date(2026, 11, 20)
    case = parse_case(DEMO.read_text(encoding="utf-8"))
    (tmp_path / "payers.toml").write_text(
        '[payer."Lakeshore Health Plan"]\np2p_window = 5\nunit = "business_days"\n', encoding="utf-8"
    )
    final = datetime(2027, 1, 15, 16, 0, tzinfo=CHICAGO)
    clocks = {d.id: d for d in deadlines(case, CHICAGO, denied_at=late, final_denial_at=final, practice_dir=tmp_path)}
    window = clocks["p2p-request-window-default"]
    # Friday 11-20 + 5 business days: Mon 23, Tue 24, Wed 25, (Thu 26 Thanksgiving), Fri 27, Mon 30.
    assert window.due.date() == date(2026, 11, 30)
    assert window.citation == "Lakeshore Health Plan policy"
    assert clocks["erisa-appeal-filing"].due.date() == date(2027, 5, 19)  # 180 calendar days
    assert clocks["aca-external-review"].due.date() == date(2027, 5, 15)  # 4 months after the final denial
    assert "aca-external-review" not in {d.id for d in deadlines(case, CHICAGO)}  # unknown until final


def test_default_window_is_the_short_end_24_hours_and_plan_types_pick_their_clocks() -> None:
    case = parse_case(DEMO.read_text(encoding="utf-8"))
    clocks = {d.id: d for d in deadlines(case, CHICAGO)}
    # 24 hours, the short end of the usual 24-72: a plan with a 24-hour window does not close unwarned.
    assert clocks["p2p-request-window-default"].due == datetime(2026, 11, 19, 0, 0, tzinfo=CHICAGO)
    assert clocks["p2p-request-window-default"].confidence == "low"
    case.plan_type = PlanType.MEDICARE_ADVANTAGE
    ids = [d.id for d in deadlines(case, CHICAGO)]
    assert ids == ["p2p-request-window-default", "ma-reconsideration"]
    ma = deadlines(case, CHICAGO)[1]
    assert ma.due.date() == date(2027, 1, 22) and ma.citation == "42 CFR 422.582(b)"


def test_next_deadline_and_its_status() -> None:
    case = parse_case(DEMO.read_text(encoding="utf-8"))
    before = datetime(2026, 11, 18, 9, 0, tzinfo=CHICAGO)
    upcoming = next_deadline(case, CHICAGO, before)
    assert upcoming.id == "p2p-request-window-default" and upcoming.status(before) == "upcoming"
    on_the_day = datetime(2026, 11, 18, 18, 0, tzinfo=CHICAGO)
    assert next_deadline(case, CHICAGO, on_the_day).status(on_the_day) == "upcoming"
    late = datetime(2026, 11, 19, 1, 0, tzinfo=CHICAGO)
    assert next_deadline(case, CHICAGO, late).id == "erisa-appeal-filing"
    window = deadlines(case, CHICAGO)[0]
    assert window.status(late) == "overdue"
    assert window.status(datetime(2026, 11, 18, 23, 0, tzinfo=CHICAGO)) == "upcoming"
    assert deadlines(case, CHICAGO)[1].status(datetime(2027, 5, 17, 8, 0, tzinfo=CHICAGO)) == "today"


def test_decision_clocks_run_from_the_request_in_business_days_where_the_rule_says() -> None:
    case = parse_case(DEMO.read_text(encoding="utf-8"))
    case.denial_date = None  # still waiting for the plan's decision
    case.requested_on = date(2026, 11, 25)  # Wednesday before Thanksgiving
    case.state, case.plan_type = "NY", PlanType.STATE_COMMERCIAL
    (ny,) = [d for d in deadlines(case, CHICAGO) if d.id == "ny-preauth-decision"]
    assert ny.due.date() == date(2026, 12, 1)  # Fri 27, Mon 30, Tue 1: Thanksgiving and the weekend skipped
    assert ny.citation == "N.Y. Ins. Law § 4903"
    case.plan_type, case.service_code = PlanType.MEDICARE_ADVANTAGE, "20610"  # a procedure: CMS-0057-F's clock
    (ma,) = [d for d in deadlines(case, CHICAGO) if d.id == "cms-0057-f-decision"]
    assert ma.due.date() == date(2026, 12, 2)  # 7 calendar days
    case.service_code = "J1745"  # a drug (infliximab): drugs are outside CMS-0057-F's clock
    assert "cms-0057-f-decision" not in [d.id for d in deadlines(case, CHICAGO)]
    case.service_code = "Q5103"  # an infliximab biosimilar: a drug too
    assert "cms-0057-f-decision" not in [d.id for d in deadlines(case, CHICAGO)]
    case.service_code = "J7300"  # a copper IUD: a device under a J code, on the clock
    assert "cms-0057-f-decision" in [d.id for d in deadlines(case, CHICAGO)]
    case.service_code, case.requested_on = "20610", date(2025, 12, 31)  # asked for before the rule began
    assert "cms-0057-f-decision" not in [d.id for d in deadlines(case, CHICAGO)]
    case.requested_on = date(2026, 11, 25)
    case.final_denial_date = date(2027, 1, 10)
    case.plan_type = PlanType.STATE_COMMERCIAL
    assert {d.id: d.due.date() for d in deadlines(case, CHICAGO)}["aca-external-review"] == date(2027, 5, 10)


def test_an_urgent_request_runs_the_expedited_clock_where_one_is_on_file() -> None:
    case = parse_case(DEMO.read_text(encoding="utf-8"))
    case.denial_date = None
    case.requested_on = date(2026, 11, 25)  # Wednesday before Thanksgiving
    case.plan_type, case.service_code = PlanType.MEDICARE_ADVANTAGE, "20610"  # not a drug: CMS-0057-F applies

    def clock(rule_id: str):  # noqa: ANN202
        (found,) = [d for d in deadlines(case, CHICAGO) if d.id == rule_id]
        return found

    assert clock("cms-0057-f-decision").due == datetime(2026, 12, 2, 23, 59, 59, tzinfo=CHICAGO)
    case.urgent = True
    expedited = clock("cms-0057-f-decision")
    assert expedited.due == datetime(2026, 11, 28, 0, 0, tzinfo=CHICAGO)  # 72 hours from the request day
    assert expedited.what == "Plan's decision due (expedited request)"
    case.plan_type = PlanType.ERISA
    assert clock("erisa-pre-service-decision").due == datetime(2026, 11, 28, 0, 0, tzinfo=CHICAGO)
    case.plan_type, case.state = PlanType.STATE_COMMERCIAL, "IL"
    assert clock("il-preauth-decision").due == datetime(2026, 11, 27, 0, 0, tzinfo=CHICAGO)  # 48 hours
    case.state = "AR"
    # 1 business day from Wednesday: Thanksgiving skipped, so Friday.
    assert clock("ar-preauth-decision").due.date() == date(2026, 11, 27)
    case.state = "NY"  # no shorter clock on file: the standard one, and the brief says so
    ny = clock("ny-preauth-decision")
    assert ny.due.date() == date(2026, 12, 1)
    assert ny.basis.endswith("No shorter clock for urgent requests is on file.")
    # Clocks that run from the denial are not decision clocks: urgency does not change them.
    case.denial_date = date(2026, 11, 25)
    assert clock("erisa-appeal-filing").due.date() == date(2027, 5, 24)


def test_an_appeal_stops_the_filing_clock_and_starts_the_plans_appeal_clock() -> None:
    case = parse_case(DEMO.read_text(encoding="utf-8"))
    case.plan_type, case.requested_on = PlanType.ERISA, date(2026, 11, 10)
    ids = [d.id for d in deadlines(case, CHICAGO)]
    assert "erisa-appeal-filing" in ids
    assert "erisa-pre-service-decision" not in ids  # the plan has decided: its decision clock is done
    case.appeal_filed_on = date(2026, 11, 24)
    clocks = {d.id: d for d in deadlines(case, CHICAGO)}
    assert "erisa-appeal-filing" not in clocks
    assert clocks["erisa-appeal-decision"].due.date() == date(2026, 12, 24)  # 30 days
    case.urgent = True
    urgent = {d.id: d for d in deadlines(case, CHICAGO)}["erisa-appeal-decision"]
    assert (urgent.due, urgent.what) == (
        datetime(2026, 11, 27, 0, 0, tzinfo=CHICAGO),
        "Plan's appeal decision due (urgent care claim)",
    )
    case.final_denial_date = date(2026, 12, 1)
    clocks = {d.id: d for d in deadlines(case, CHICAGO)}
    assert "erisa-appeal-decision" not in clocks
    assert clocks["aca-external-review"].due.date() == date(2027, 4, 1)  # 4 months after the final denial
    case.external_review_requested_on = date(2026, 12, 3)
    assert "aca-external-review" not in [d.id for d in deadlines(case, CHICAGO)]


def test_an_external_review_request_stops_the_peer_to_peer_window() -> None:
    case = parse_case(DEMO.read_text(encoding="utf-8"))  # denied 2026-11-18: the P2P window runs
    assert "p2p-request-window-default" in [d.id for d in deadlines(case, CHICAGO)]
    case.external_review_requested_on = date(2026, 11, 19)  # expedited, while an urgent appeal runs
    assert "p2p-request-window-default" not in [d.id for d in deadlines(case, CHICAGO)]


def test_hour_clocks_count_elapsed_hours_across_a_daylight_saving_change() -> None:
    from p2pdesk.playbook.clock import due

    rule = {"id": "expedited", "amount": 72, "unit": "hours"}
    fall = due(rule, datetime(2026, 10, 31, 0, 0, tzinfo=CHICAGO), CHICAGO)  # clocks go back on 2026-11-01
    assert fall == datetime(2026, 11, 2, 23, 0, tzinfo=CHICAGO)
    start = datetime(2026, 10, 31, 0, 0, tzinfo=CHICAGO).astimezone(UTC)
    assert (fall.astimezone(UTC) - start).total_seconds() == 72 * 3600
    spring = due(rule, datetime(2026, 3, 7, 0, 0, tzinfo=CHICAGO), CHICAGO)  # clocks go forward on 2026-03-08
    assert spring == datetime(2026, 3, 10, 1, 0, tzinfo=CHICAGO)


def test_once_the_appeal_is_filed_or_decided_the_earlier_clocks_stop() -> None:
    case = parse_case(DEMO.read_text(encoding="utf-8"))
    case.plan_type = PlanType.ERISA
    now = datetime(2027, 6, 1, tzinfo=UTC)  # long after every clock from the 2026-11-18 denial
    assert {d.id for d in deadlines(case, CHICAGO)} >= {"p2p-request-window-default", "erisa-appeal-filing"}
    case.final_denial_date = date(2027, 1, 8)  # known, though the appeal's filing date never was
    ids = {d.id for d in deadlines(case, CHICAGO)}
    assert "p2p-request-window-default" not in ids and "erisa-appeal-filing" not in ids
    late = next_deadline(case, CHICAGO, now)
    assert late is not None and late.id == "aca-external-review"  # the only clock left: external review


def test_a_peer_to_peer_held_stops_its_window_and_a_reversal_on_the_call_leaves_the_appeal_clock() -> None:
    from p2pdesk.domain.summary import CallSummary

    case = parse_case(DEMO.read_text(encoding="utf-8"))
    started = datetime(2026, 11, 18, 16, 0, tzinfo=UTC)

    def after(disposition: str, *, reviewer: str = "Haines", ended: bool = True) -> set[str]:
        call = CallSummary(id=1, started_at=started, ended=ended, disposition=disposition, reviewer_name=reviewer)
        return {d.id for d in deadlines(case, CHICAGO, calls=(call,))}

    asked_for = {"p2p-request-window-default", "erisa-appeal-filing"}
    assert asked_for <= {d.id for d in deadlines(case, CHICAGO)}
    assert after("upheld") == {"erisa-appeal-filing"}  # asked for and held: what is left is the appeal
    assert after("", ended=False) == {"erisa-appeal-filing"}  # the reviewer on the record: held
    assert after("deferred", reviewer="") == {"erisa-appeal-filing"}  # an outcome given: held
    # Reversed on the call: the appeal's time runs until the reversal is confirmed in writing.
    assert after("reversed") == {"erisa-appeal-filing"}
    # Started on hold and ended when no reviewer came (or started by mistake): not held.
    assert asked_for <= after("", reviewer="")


def test_the_practice_zone_has_daylight_saving_rules(monkeypatch) -> None:  # noqa: ANN001
    import time

    import tzlocal

    from p2pdesk.playbook.clock import practice_zone

    monkeypatch.setenv("TZ", "America/Chicago")
    time.tzset()
    tzlocal.reload_localzone()  # tzlocal keeps the zone it found first
    try:
        zone = practice_zone()
        assert str(zone) == "America/Chicago"
        assert datetime(2026, 7, 1, 12, tzinfo=zone).utcoffset() != datetime(2026, 12, 1, 12, tzinfo=zone).utcoffset()
    finally:
        monkeypatch.undo()
        time.tzset()
        tzlocal.reload_localzone()


def test_every_clock_rule_names_events_the_clock_knows() -> None:
    from p2pdesk.playbook.clock import load_deadline_rules

    events = {"decided", "appeal_filed", "final_denial", "external_review_requested", "p2p_held"}
    rules, _ = load_deadline_rules()
    for rule in rules:
        ends = rule.get("ends_when", [])
        assert set([ends] if isinstance(ends, str) else ends) <= events, rule["id"]
        assert rule.get("from", "denial") in {"denial", "request", "appeal", "final_denial"}, rule["id"]
        assert rule["unit"] in {"hours", "calendar_days", "business_days", "months"}, rule["id"]
        if "urgent" in rule:
            assert rule.get("from") in ("request", "appeal") and set(rule["urgent"]) == {"what", "amount", "unit"}


def test_times_offered_for_the_call_fall_in_the_next_two_business_days() -> None:
    # The evening before Thanksgiving 2026: Thursday is a federal holiday, so Friday and Monday.
    now = datetime(2026, 11, 25, 17, 0, tzinfo=CHICAGO)
    assert offer_window(now, CHICAGO, urgent=False) == (date(2026, 11, 30), None)
    assert offer_window(now, CHICAGO, urgent=True) == (
        date(2026, 11, 30),
        datetime(2026, 11, 26, 17, 0, tzinfo=CHICAGO),
    )
    # 23:30 in Chicago is already the next day in UTC: counted from the practice's own day.
    late = datetime(2026, 11, 20, 23, 30, tzinfo=CHICAGO)  # a Friday
    assert offer_window(late.astimezone(UTC), CHICAGO, urgent=False)[0] == date(2026, 11, 24)
