from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from p2pdesk.domain.call import (
    MAX_NOTE_CHARS,
    Call,
    Disposition,
    Note,
    NoteKind,
    check_disposition,
    check_end,
    clean_note_text,
    format_duration,
    format_offset,
    require_utc,
)
from p2pdesk.domain.errors import InvalidInput

T0 = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def test_note_text_is_kept_exactly_but_trimmed() -> None:
    text = "  <b>not bold</b> & \"quoted\" 'single' مرحبا 李小龙 Zoë Nguyễn Łukasz  "
    assert clean_note_text(text) == text.strip()


def test_empty_note_is_refused_with_the_field_named() -> None:
    with pytest.raises(InvalidInput) as err:
        clean_note_text("   ")
    assert str(err.value).startswith("note: is empty")


def test_overlong_note_is_refused_and_says_the_text_is_kept() -> None:
    with pytest.raises(InvalidInput) as err:
        clean_note_text("x" * 100_000)
    message = str(err.value)
    assert "100,000 characters" in message and f"{MAX_NOTE_CHARS:,}" in message
    assert "still in the entry" in message
    assert clean_note_text("x" * MAX_NOTE_CHARS) == "x" * MAX_NOTE_CHARS


@pytest.mark.parametrize(("seconds", "shown"), [(0, "+00:00"), (59, "+00:59"), (61, "+01:01"), (3600 + 62, "+1:01:02")])
def test_offset_format(seconds: int, shown: str) -> None:
    assert format_offset(timedelta(seconds=seconds)) == shown


@pytest.mark.parametrize(
    ("seconds", "shown"), [(0, "0 s"), (45, "45 s"), (8 * 60 + 2, "8 min 02 s"), (3600 + 125, "1 h 02 min")]
)
def test_a_calls_length_reads_as_minutes_or_hours_in_words(seconds: int, shown: str) -> None:
    assert format_duration(timedelta(seconds=seconds)) == shown


def test_call_cannot_end_before_it_started_or_twice() -> None:
    call = Call(case_id=1, started_at=T0)
    with pytest.raises(InvalidInput) as err:
        check_end(call, T0 - timedelta(seconds=1))
    assert "call end" in str(err.value) and "before the call's start" in str(err.value)
    call.ended_at = T0 + timedelta(minutes=9)
    with pytest.raises(InvalidInput, match="already ended"):
        check_end(call, T0 + timedelta(minutes=10))


def test_naive_instants_are_refused_and_others_become_utc() -> None:
    with pytest.raises(InvalidInput, match="time zone"):
        require_utc(datetime(2026, 11, 20, 9, 0), "clock")
    chicago = timezone(timedelta(hours=-6))
    assert require_utc(datetime(2026, 11, 20, 9, 0, tzinfo=chicago), "clock") == T0


@pytest.mark.parametrize(
    ("disposition", "field"),
    [
        (Disposition.REVERSED, "authorization number"),
        (Disposition.UPHELD, "stated reasoning"),
        (Disposition.DEFERRED, "information requested"),
    ],
)
def test_each_disposition_needs_its_fact(disposition: Disposition, field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        check_disposition(disposition, authorization_number="", stated_reasoning="", information_requested="")
    assert err.value.problems[0].field == field


@pytest.mark.parametrize(
    ("seconds", "phase"),
    [
        (0, "open"),
        (59, "open"),
        (60, "criteria"),
        (299, "criteria"),
        (300, "concerns"),
        (539, "concerns"),
        (540, "close"),
        (1500, "close"),
    ],
)
def test_phase_clock(seconds: int, phase: str) -> None:
    from p2pdesk.playbook.script import phase_at

    assert phase_at(seconds)[0] == phase


def test_a_case_or_a_note_shown_in_a_traceback_or_log_carries_no_patient_data() -> None:
    from p2pdesk.domain.case import Case, PlanType, PriorTreatment

    case = Case(
        patient_name="Zoë Nguyễn",
        member_id="M-552",
        payer="Lakeshore",
        plan_type=PlanType.ERISA,
        diagnosis_code="M05.79",
        service_code="J1745",
        prior_treatments=[PriorTreatment("methotrexate", outcome="failed after 14 weeks")],
    )
    note = Note(call_id=1, at=datetime(2026, 11, 25, 15, 0, tzinfo=UTC), kind=NoteKind.OUR_POINT, text="DAS28 5.4")
    from p2pdesk.playbook.readiness import readiness
    from p2pdesk.playbook.script import build_script

    call = Call(case_id=1, started_at=note.at, reviewer_name="Gregory Haines", stated_reasoning="DAS28 borderline")
    shown_forms = [repr(case), str(case), repr(case.prior_treatments), repr(note), f"{note!r}", repr(call)]
    shown_forms += [repr(build_script(case, call)), repr(readiness(case))]
    for shown in shown_forms:
        for private in ("Zoë", "M-552", "M05.79", "methotrexate", "DAS28", "Haines"):
            assert private not in shown
    assert case == Case(**{**case.__dict__})  # still compared by value
