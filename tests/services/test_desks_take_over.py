"""A call in progress goes on at another desk only when that desk takes it over, deliberately."""

from __future__ import annotations

import pytest

from p2pdesk.domain.call import NoteKind
from p2pdesk.domain.errors import InvalidInput
from p2pdesk.services.desk import Desk
from tests.conftest import DEMO


def test_a_call_taken_over_goes_on_at_the_new_desk_only(db_url: str, clock) -> None:  # noqa: ANN001
    """The desk a call was started at was lost (its user folder, with its name) or the physician
    moved rooms: another desk takes the call over, and only it writes to the call from then on."""
    lost = Desk.open(db_url, clock=clock, desk_id="desk-whose-folder-was-lost")
    here = Desk.open(db_url, clock=clock, desk_id="desk-exam-room-3")
    try:
        case_id = lost.load_demo()
        call = lost.start_call(case_id)
        lost.add_note(call.id, NoteKind.REVIEWER_CLAIM, "Wants a sulfasalazine trial first")
        with pytest.raises(InvalidInput, match="in progress at another desk"):
            here.start_call(case_id)  # the case is held by the lost desk's call...
        taken = here.take_over(call.id)  # ...until this desk takes it over
        assert taken.desk == "desk-exam-room-3" and taken.in_progress
        assert here.call_in_progress().id == call.id
        here.add_note(call.id, NoteKind.OUR_POINT, "Sulfonamide allergy with angioedema (2019)")
        with pytest.raises(InvalidInput, match="being taken at another desk"):
            lost.add_note(call.id, NoteKind.OTHER, "typed at the old desk")
        assert [n.text for n in here.notes(call.id)] == [
            "Wants a sulfasalazine trial first",
            "Call moved to another desk of the practice; the notes from here on were taken there",
            "Sulfonamide allergy with angioedema (2019)",
        ]
        here.end_call(call.id)
        with pytest.raises(InvalidInput, match="nothing to take over"):
            lost.take_over(call.id)
    finally:
        lost.close()
        here.close()


def test_a_desk_on_a_call_of_its_own_takes_over_no_other(db_url: str, clock) -> None:  # noqa: ANN001
    one = Desk.open(db_url, clock=clock, desk_id="desk-one")
    two = Desk.open(db_url, clock=clock, desk_id="desk-two")
    try:
        demo = one.load_demo()
        theirs = one.start_call(demo)
        other_case = two.import_case(DEMO.read_text(encoding="utf-8").replace("LHP448120933", "LHP-OTHER-2"))
        mine = two.start_call(other_case)
        with pytest.raises(InvalidInput, match=f"call {mine.id} is in progress at this desk; end it first"):
            two.take_over(theirs.id)
        assert one.call(theirs.id).desk == "desk-one"
    finally:
        one.close()
        two.close()


def test_a_call_from_before_desks_had_names_is_one_desks_own_only_in_its_sqlite_file(db_url: str, clock) -> None:  # noqa: ANN001
    """A call left in progress when the store was upgraded (or started by an older desk) has no
    desk's name: in a SQLite file (one desk's store) it is that desk's, reopened as before; in a
    shared store no desk writes to it until one takes it over."""
    from p2pdesk.domain.call import Call

    desk = Desk.open(db_url, clock=clock, desk_id="desk-exam-room-3")
    try:
        case_id = desk.load_demo()
        unnamed = desk.store.add_call(Call(case_id=case_id, started_at=clock.now, desk=""))
        shared = db_url.startswith("postgresql")
        assert desk.is_mine(unnamed) is not shared
        assert (desk.call_in_progress() is None) is shared
        if shared:
            with pytest.raises(InvalidInput, match="being taken at another desk"):
                desk.add_note(unnamed.id, NoteKind.OTHER, "typed before taking it over")
            desk.take_over(unnamed.id)
        desk.add_note(unnamed.id, NoteKind.OTHER, "Reviewer back on the line")
        assert desk.call_in_progress().id == unnamed.id
    finally:
        desk.close()
