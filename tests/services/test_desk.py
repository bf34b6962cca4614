"""The call's use-cases: what a physician does, what the store keeps, what is refused."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from p2pdesk.domain.call import Disposition, NoteKind
from p2pdesk.domain.errors import InvalidInput
from p2pdesk.services.desk import Desk
from tests.conftest import DEMO

STRANGE_TEXTS = [
    "<b>bold?</b> & <i>not</i> <script>x</script>",
    "He said \"never\" and 'not here' & left",
    "מטופלת עם אלרגיה — right-to-left text",
    "مرحبا بالطبيب",
    "审查医生拒绝了指南",
    "Zoë Nguyễn spoke with Łukasz Wróbel",
]


@pytest.fixture
def live(desk: Desk, demo_text: str) -> tuple[Desk, int]:
    case_id = desk.import_case(demo_text)
    return desk, desk.start_call(case_id).id


def test_notes_keep_any_text_exactly(live: tuple[Desk, int]) -> None:
    desk, call_id = live
    for text in STRANGE_TEXTS:
        desk.add_note(call_id, NoteKind.REVIEWER_CLAIM, text)
    assert [n.text for n in desk.notes(call_id)] == STRANGE_TEXTS


def test_overlong_note_is_refused_and_earlier_notes_stay(live: tuple[Desk, int]) -> None:
    desk, call_id = live
    desk.add_note(call_id, NoteKind.OUR_POINT, "first")
    with pytest.raises(InvalidInput, match="note: is 100,000 characters"):
        desk.add_note(call_id, NoteKind.OUR_POINT, "y" * 100_000)
    assert [n.text for n in desk.notes(call_id)] == ["first"]


def test_one_call_at_a_time(live: tuple[Desk, int]) -> None:
    desk, call_id = live
    with pytest.raises(InvalidInput, match=f"call {call_id} is still in progress"):
        desk.start_call(desk.call(call_id).case_id)


def test_an_ended_call_takes_no_more_notes(live: tuple[Desk, int], clock) -> None:  # noqa: ANN001
    desk, call_id = live
    desk.add_note(call_id, NoteKind.OTHER, "before the end")
    clock.advance(300)
    desk.end_call(call_id)
    with pytest.raises(InvalidInput, match="has ended"):
        desk.add_note(call_id, NoteKind.OTHER, "after the end")
    with pytest.raises(InvalidInput, match="already ended"):
        desk.end_call(call_id)
    assert [n.text for n in desk.notes(call_id)] == ["before the end"]
    assert (desk.call(call_id).ended_at - desk.call(call_id).started_at).total_seconds() == 300


def test_a_clock_that_went_backwards_cannot_end_a_call_before_it_started(
    live: tuple[Desk, int],
    clock,  # noqa: ANN001
) -> None:
    desk, call_id = live
    clock.advance(-60)
    with pytest.raises(InvalidInput, match="call end: .* is before the call's start"):
        desk.end_call(call_id)
    assert desk.call(call_id).in_progress


def test_reviewer_on_the_record_is_logged_with_the_time(live: tuple[Desk, int], clock) -> None:  # noqa: ANN001
    desk, call_id = live
    clock.advance(45)
    note = desk.set_reviewer(call_id, "  Łukasz   Wróbel ", "DO", "Family Medicine")
    call = desk.call(call_id)
    assert (call.reviewer_name, call.reviewer_credentials, call.reviewer_specialty) == (
        "Łukasz Wróbel",
        "DO",
        "Family Medicine",
    )
    assert note.text == "Reviewer on the record: Łukasz Wróbel, DO (Family Medicine)"
    assert (note.at - call.started_at).total_seconds() == 45


def test_disposition_needs_its_fact_and_is_logged(live: tuple[Desk, int]) -> None:
    desk, call_id = live
    with pytest.raises(InvalidInput) as err:
        desk.set_disposition(call_id, Disposition.UPHELD)
    assert err.value.problems[0].field == "stated reasoning"
    assert desk.call(call_id).disposition is None
    note = desk.set_disposition(
        call_id, Disposition.DEFERRED, information_requested="2019 ED note", requested_by=date(2026, 11, 24)
    )
    assert note.kind is NoteKind.OUTCOME
    assert note.text == "Disposition deferred: requested: 2019 ED note, by 2026-11-24"
    call = desk.call(call_id)
    assert (call.disposition, call.information_requested, call.requested_by) == (
        Disposition.DEFERRED,
        "2019 ED note",
        date(2026, 11, 24),
    )


def test_a_changed_disposition_keeps_only_its_own_details(live: tuple[Desk, int]) -> None:
    desk, call_id = live
    desk.set_disposition(
        call_id, Disposition.DEFERRED, information_requested="ED note", requested_by=date(2026, 11, 27)
    )
    # Changed on the call to a reversal: the deferral's details (still in the hidden fields) go.
    note = desk.set_disposition(
        call_id,
        Disposition.REVERSED,
        authorization_number="AUTH-1",
        stated_reasoning="left over",
        information_requested="ED note",
        requested_by=date(2020, 1, 1),  # not read for a reversal, so not refused either
    )
    assert note.text == "Disposition reversed: authorization number AUTH-1"
    call = desk.call(call_id)
    assert (call.disposition, call.authorization_number) == (Disposition.REVERSED, "AUTH-1")
    assert (call.stated_reasoning, call.information_requested, call.requested_by) == ("", "", None)


def test_a_deferral_due_the_day_of_the_call_is_read_in_the_practice_zone(desk: Desk, demo_text: str, clock) -> None:  # noqa: ANN001
    import time
    from datetime import UTC, datetime

    import tzlocal

    clock.now = datetime(2026, 11, 21, 1, 30, tzinfo=UTC)  # 17:30 on 20 November in California
    call_id = desk.start_call(desk.import_case(demo_text)).id
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "America/Los_Angeles")
        time.tzset()
        tzlocal.reload_localzone()
        try:
            with pytest.raises(InvalidInput, match="2026-11-19 is before the call"):
                desk.set_disposition(
                    call_id, Disposition.DEFERRED, information_requested="ED note", requested_by=date(2026, 11, 19)
                )
            desk.set_disposition(
                call_id, Disposition.DEFERRED, information_requested="ED note", requested_by=date(2026, 11, 20)
            )
        finally:
            patch.undo()
            time.tzset()
            tzlocal.reload_localzone()
    assert desk.call(call_id).requested_by == date(2026, 11, 20)


def test_criterion_ticks_name_the_criterion(live: tuple[Desk, int]) -> None:
    desk, call_id = live
    case = desk.case(desk.call(call_id).case_id)
    note = desk.tick_criterion(call_id, case, 4)
    assert note.criterion == 4
    assert note.text == "Criterion 4 addressed: Negative tuberculosis screening within 12 months"
    with pytest.raises(InvalidInput, match="no criterion 9"):
        desk.tick_criterion(call_id, case, 9)


def test_demo_loads_once(desk: Desk) -> None:
    assert desk.load_demo() == desk.load_demo()
    assert len(desk.cases()) == 1


def test_educational_only_and_an_alternative_offer_are_kept(live: tuple[Desk, int]) -> None:
    desk, call_id = live
    note = desk.set_educational_only(call_id, True)
    assert note.kind is NoteKind.PROCEDURAL and "educational only" in note.text
    outcome = desk.set_disposition(
        call_id,
        Disposition.UPHELD,
        stated_reasoning="Policy requires SSZ",
        alternative_offer="Approve adalimumab instead",
    )
    assert outcome.text.endswith("alternative offered: Approve adalimumab instead")
    call = desk.call(call_id)
    assert call.educational_only is True and call.alternative_offer == "Approve adalimumab instead"


def test_a_reversal_brings_three_follow_ups_with_their_due_times(
    desk: Desk, demo_text: str, clock, memory_keyring
) -> None:  # noqa: ANN001
    from datetime import timedelta

    from p2pdesk.services.records import Records

    call = desk.start_call(desk.import_case(demo_text))
    desk.set_disposition(call.id, Disposition.REVERSED, authorization_number="AUTH-1")
    clock.advance(600)
    ended = desk.end_call(call.id)
    Records(desk).seal_and_sign(call.id)
    items = desk.follow_ups()
    assert [(i.what, i.due) for i in items] == [
        ("Written confirmation of the reversal received", ended.ended_at + timedelta(hours=24)),
        ("Authorization AUTH-1 visible in the plan's system", ended.ended_at + timedelta(hours=48)),
        ("EOB shows the service paid (verbal reversals get lost)", None),
    ]
    with pytest.raises(InvalidInput, match="how it was confirmed: is empty"):
        desk.complete_follow_up(items[0].id, "  ")
    clock.advance(3600)
    done = desk.complete_follow_up(items[0].id, "Fax from the plan")
    assert done.done_at == clock.now and done.status(clock.now) == "done"
    assert [i.what for i in desk.follow_ups()] == [items[1].what, items[2].what]
    assert (
        items[1].status(clock.now) == "upcoming" and items[1].status(ended.ended_at + timedelta(hours=49)) == "overdue"
    )


def test_an_edited_case_stays_a_case_file(desk: Desk, demo_text: str, tmp_path) -> None:  # noqa: ANN001
    import dataclasses

    from p2pdesk.domain.case import GuidelineCitation

    case = desk.case(desk.import_case(demo_text))
    for change, said in (
        ({"state": "tx"}, "coverage.state: 'tx' is not in the expected form"),
        ({"comorbidities": [*case.comorbidities, ""]}, f"comorbidities[{len(case.comorbidities)}]: is empty"),
        (
            {"guidelines": [*case.guidelines, GuidelineCitation("ACR", "Guideline", year=3000)]},
            "year: 3000 is out of range (maximum 2100)",
        ),
    ):
        with pytest.raises(InvalidInput, match=re.escape(said)):
            desk.save_case(dataclasses.replace(case, **change))
    other = Desk.open(f"sqlite:///{tmp_path / 'other-desk.sqlite3'}")  # one case per denial on a desk
    assert desk.export_case(case.id) == other.export_case(other.import_case(desk.export_case(case.id)))
    desk.save_case(dataclasses.replace(case, diagnosis_code="", state="TX"))  # a draft's gap is kept, to be filled
    assert desk.case(case.id).diagnosis_code == ""
    # Another case's member and claim numbers: one case per denial, so the edit is refused whole.
    data = json.loads(demo_text)
    data["coverage"]["claim_number"] = "PA-2026-1118-0458"
    second = desk.case(desk.import_case(json.dumps(data)))
    on_file = f"'PA-2026-1118-0457' of member 'LHP448120933' is already on file as case {case.id}"
    with pytest.raises(InvalidInput, match=on_file):
        desk.save_case(dataclasses.replace(second, claim_number=case.claim_number, payer="Changed"))
    assert desk.case(second.id) == second


def test_cases_that_already_share_their_numbers_can_still_be_edited(desk: Desk, demo_text: str) -> None:
    import dataclasses

    from p2pdesk.services.casefile import parse_case

    # Two cases of one denial, as an older desk's double import (or a record signed elsewhere) left them.
    first, second = (desk.store.add_case(parse_case(demo_text)) for _ in range(2))
    desk.save_case(dataclasses.replace(desk.case(second), payer="Lakeshore Health Plan of Texas"))
    assert desk.case(second).payer == "Lakeshore Health Plan of Texas"
    desk.save_case(desk.case(first))


def test_a_call_belongs_to_the_desk_it_was_started_at(db_url: str, clock) -> None:  # noqa: ANN001
    """Two desks on one store (a practice's shared database): each finds only its own call in
    progress, starts its own calls, and never writes to or ends the other's."""
    first = Desk.open(db_url, clock=clock, desk_id="desk-exam-room-2")
    second = Desk.open(db_url, clock=clock, desk_id="desk-front-office")
    try:
        case_a = first.load_demo()
        case_b = second.import_case(DEMO.read_text(encoding="utf-8").replace("LHP448120933", "LHP-OTHER-1"))
        call_a = first.start_call(case_a)
        first.add_note(call_a.id, NoteKind.REVIEWER_CLAIM, "Step therapy not met")

        assert second.call_in_progress() is None  # the other desk's call is not reopened here
        with pytest.raises(InvalidInput, match="in progress at another desk"):
            second.start_call(case_a)  # one call at a time on a case
        call_b = second.start_call(case_b)  # a call of its own, on another case, at the same time
        assert second.call_in_progress().id == call_b.id
        assert first.call_in_progress().id == call_a.id

        with pytest.raises(InvalidInput, match="being taken at another desk"):
            second.add_note(call_a.id, NoteKind.OUR_POINT, "typed at the wrong desk")
        with pytest.raises(InvalidInput, match="being taken at another desk"):
            second.end_call(call_a.id)

        assert [n.text for n in first.notes(call_a.id)] == ["Step therapy not met"]
        assert first.call(call_a.id).in_progress
        first.end_call(call_a.id)
        second.end_call(call_b.id)
        assert second.start_call(case_a).case_id == case_a  # free again once ended where it was taken
    finally:
        first.close()
        second.close()


def test_a_reviewer_of_a_related_specialty_is_noted_for_the_appeal(desk: Desk) -> None:
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["physician"]["specialty"] = "Pediatric Gastroenterology"
    call = desk.start_call(desk.import_case(json.dumps(data)))
    desk.set_reviewer(call.id, "Dana Whitfield", "MD", "Pediatrics")
    procedural = [n.text for n in desk.notes(call.id) if n.kind is NoteKind.PROCEDURAL]
    assert procedural == [
        "Reviewer specialty not the case's: the reviewer's specialty (Pediatrics) is similar to the case's "
        "(Pediatric Gastroenterology): both certified by the board of Pediatrics; "
        "a Pediatric Gastroenterology reviewer asked for as a request"
    ]


def test_changes_to_the_call_sent_again_with_their_entry_key_are_logged_once(desk: Desk) -> None:
    """The reviewer (with the specialty mismatch it logs), the educational-only flag and the
    disposition, each sent again after its first answer was lost: on the record once each."""
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["physician"]["specialty"] = "Pediatric Gastroenterology"
    call = desk.start_call(desk.import_case(json.dumps(data)))
    for _ in range(2):
        desk.set_reviewer(call.id, "Dana Whitfield", "MD", "Pediatrics", entry_key="reviewer-1")
        desk.set_educational_only(call.id, True, entry_key="educational-1")
        desk.set_disposition(call.id, Disposition.REVERSED, authorization_number="PA-1", entry_key="outcome-1")
    said = [n.text.split(":")[0] for n in desk.notes(call.id)]
    assert said == [
        "Reviewer on the record",
        "Reviewer specialty not the case's",
        "The plan says this peer-to-peer is educational only",
        "Disposition reversed",
    ]
    desk.set_reviewer(call.id, "Dana Whitfield", "MD", "Pediatrics", entry_key="reviewer-2")  # put again: a new entry
    assert [n.text.split(":")[0] for n in desk.notes(call.id)][4:] == [
        "Reviewer on the record",
        "Reviewer specialty not the case's",
    ]


def test_a_reviewer_whose_specialty_note_cannot_be_written_is_not_put_on_the_record_at_all(desk: Desk) -> None:
    """The reviewer, the note saying so and the specialty note are kept together or not at all:
    the database refusing the specialty note (here a trigger of its own) leaves the call as it was."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from p2pdesk.domain.errors import StoreUnavailable

    call = desk.start_call(desk.load_demo())
    with desk.store.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER no_procedural BEFORE INSERT ON note WHEN NEW.kind = 'procedural_objection' "
                    "BEGIN SELECT RAISE(ABORT, 'no room for this note'); END"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE FUNCTION no_procedural() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'no room for this note'; END $$ LANGUAGE plpgsql"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER no_procedural BEFORE INSERT ON note FOR EACH ROW "
                    "WHEN (NEW.kind = 'procedural_objection') EXECUTE FUNCTION no_procedural()"
                )
            )
    with pytest.raises((DBAPIError, StoreUnavailable)):
        desk.set_reviewer(call.id, "Gregory Haines", "MD", "Family Medicine", entry_key="reviewer-1")
    assert desk.notes(call.id) == []
    assert desk.call(call.id).reviewer_name == ""


def test_the_case_is_not_edited_while_a_call_on_it_is_in_progress(db_url: str, clock) -> None:  # noqa: ANN001
    """A designee's desk editing the brief the physician is reading on the call (and whose criteria
    the physician ticks by number) is refused until the call ends; nothing is changed meanwhile."""
    physician = Desk.open(db_url, clock=clock, desk_id="desk-exam-room-2")
    designee = Desk.open(db_url, clock=clock, desk_id="desk-front-office")
    try:
        case_id = physician.load_demo()
        call = physician.start_call(case_id)
        edited = designee.case(case_id)
        edited.criteria[0], edited.criteria[1] = edited.criteria[1], edited.criteria[0]
        with pytest.raises(InvalidInput, match="case: a call on this case is in progress since"):
            designee.save_case(edited)
        physician.tick_criterion(call.id, physician.case(case_id), 1)
        assert designee.case(case_id).criteria[0].text == physician.case(case_id).criteria[0].text
        assert designee.case(case_id).criteria[0].text != edited.criteria[0].text
        physician.end_call(call.id)
        designee.save_case(edited)  # once the call has ended
        assert designee.case(case_id).criteria[0].text == edited.criteria[0].text
    finally:
        physician.close()
        designee.close()


def test_a_related_specialty_note_and_the_script_say_the_same_of_the_rule(desk: Desk) -> None:
    """Texas, on appeal: the rule lets the physician ask for review in the same specialty, and the
    script asks under it even of a related one; the note in the record says the same."""
    from p2pdesk.playbook.rules import load_rules
    from p2pdesk.playbook.script import build_script

    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["physician"]["specialty"] = "Pediatric Gastroenterology"
    data["denial"]["appeal_filed_on"] = "2026-11-19"
    case_id = desk.import_case(json.dumps(data))
    call = desk.start_call(case_id)
    desk.set_reviewer(call.id, "Dana Whitfield", "MD", "Pediatrics")
    (noted,) = [n.text for n in desk.notes(call.id) if n.kind is NoteKind.PROCEDURAL]
    assert noted.endswith("a Pediatric Gastroenterology reviewer requested under Tex. Ins. Code § 4201.356(b)")
    (step,) = [p for p in build_script(desk.case(case_id), desk.call(call.id), load_rules()) if p.key == "specialty"]
    said = ["".join(s.text for s in line) for line in step.lines]
    assert said[1].startswith("Tex. Ins. Code § 4201.356(b) lets me ask for a reviewer of the same specialty")
