"""Desks of one practice sharing a store, doing the same thing at the same moment."""

from __future__ import annotations

from pathlib import Path

import pytest

from p2pdesk.domain.errors import InvalidInput
from p2pdesk.services.desk import Desk
from tests.at_once import at_once
from tests.conftest import DEMO, ROOT

BUNDLE = ROOT / "resources" / "fhir" / "chronic-migraine-denial.bundle.json"


@pytest.mark.parametrize(("how", "file"), [("import_case", DEMO), ("import_fhir", BUNDLE)])
def test_one_file_imported_by_several_desks_at_once_makes_one_case(db_url: str, how: str, file: Path) -> None:
    Desk.open(db_url).close()
    results = at_once(
        "from p2pdesk.domain.errors import InvalidInput\n"
        "from p2pdesk.services.casefile import parse_case\n"
        "from p2pdesk.services.desk import Desk, _case_file_problems\n"
        "from p2pdesk.services.fhir_import import case_from_bundle\n"
        "desk = Desk.open(sys.argv[1])\n"
        "desk.cases()\n"
        "text = open(sys.argv[3], encoding='utf-8').read()\n"
        "# Read once beforehand (its schema loaded): the desks race on the store, not on reading.\n"
        "_case_file_problems(parse_case(text) if sys.argv[2] == 'import_case' else case_from_bundle(text))\n"
        "ready()\n"
        "try:\n"
        "    print(getattr(desk, sys.argv[2])(text))\n"
        "except InvalidInput as exc:\n"
        "    print(exc)\n",
        db_url,
        how,
        str(file),
        desks=6,
    )
    assert [(r.returncode, r.stderr) for r in results] == [(0, "")] * 6
    desk = Desk.open(db_url)
    (case,) = desk.cases()
    assert (
        sorted(r.stdout for r in results)
        == [f"{case.id}\n"]
        + [
            f"claim number: {case.claim_number!r} of member {case.member_id!r} is already on file as case {case.id}; "
            "open and edit that case instead\n"
        ]
        * 5
    )
    desk.close()


def _follow_up(desk: Desk, demo_text: str) -> int:
    """The first follow-up of a sealed call (an upheld denial's)."""
    from p2pdesk.domain.call import Disposition
    from p2pdesk.services.records import Records

    call = desk.start_call(desk.import_case(demo_text))
    desk.set_disposition(call.id, Disposition.UPHELD, stated_reasoning="Step therapy not completed")
    desk.end_call(call.id)
    Records(desk).seal_and_sign(call.id)
    return desk.follow_ups()[0].id


def test_a_follow_up_marked_done_on_a_desk_that_still_shows_it_open_is_refused_naming_the_first(
    desk: Desk, db_url: str, demo_text: str, clock, memory_keyring
) -> None:  # noqa: ANN001
    follow_up_id = _follow_up(desk, demo_text)
    other = Desk.open(db_url, clock=clock)
    assert [f.id for f in other.follow_ups()][0] == follow_up_id  # its list still shows it open
    first = desk.complete_follow_up(follow_up_id, "Fax 2026-11-20, confirmation #111")
    clock.advance(3600)
    with pytest.raises(InvalidInput) as refused:
        other.complete_follow_up(follow_up_id, "Portal reference 222")
    assert str(refused.value) == (
        "follow-up: was already marked done at 2026-11-20 15:00 (Fax 2026-11-20, confirmation #111); "
        "that confirmation stands and nothing was changed"
    )
    (kept,) = [f for f in desk.follow_ups(open_only=False) if f.id == follow_up_id]
    assert (kept.done_at, kept.done_how) == (first.done_at, "Fax 2026-11-20, confirmation #111")
    other.close()


def test_a_follow_up_marked_done_on_several_desks_at_once_keeps_one_confirmation(
    desk: Desk, db_url: str, demo_text: str, memory_keyring
) -> None:  # noqa: ANN001
    follow_up_id = _follow_up(desk, demo_text)
    results = at_once(
        "from p2pdesk.domain.errors import InvalidInput\n"
        "from p2pdesk.services.desk import Desk\n"
        "desk = Desk.open(sys.argv[1])\n"
        "import os\n"
        "desk.follow_ups()\n"
        "ready()\n"
        "try:\n"
        "    print(desk.complete_follow_up(int(sys.argv[2]), 'confirmed by ' + str(os.getpid())).done_how)\n"
        "except InvalidInput as exc:\n"
        "    print(exc)\n",
        db_url,
        str(follow_up_id),
    )
    assert [(r.returncode, r.stderr) for r in results] == [(0, "")] * 4
    (kept,) = [f for f in desk.follow_ups(open_only=False) if f.id == follow_up_id]
    refused = [r.stdout for r in results if r.stdout.startswith("follow-up: was already marked done at ")]
    assert [r.stdout for r in results if r.stdout not in refused] == [f"{kept.done_how}\n"]
    assert len(refused) == 3 and all(f"({kept.done_how}); that confirmation stands" in line for line in refused)
