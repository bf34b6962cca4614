"""Record tests keep signing secrets in an in-memory keyring (the real Secret Service has its own
end-to-end test, tests/record/test_secret_service.py)."""

from __future__ import annotations

import pytest

from tests.memory_keyring import MemoryKeyring


@pytest.fixture(autouse=True)
def _signing_secrets_in_memory(memory_keyring: MemoryKeyring) -> MemoryKeyring:
    return memory_keyring


@pytest.fixture
def tz_chicago():  # noqa: ANN201
    from zoneinfo import ZoneInfo

    return ZoneInfo("America/Chicago")


@pytest.fixture
def sealed(desk, clock, tz_chicago):  # noqa: ANN001, ANN201
    """A finished call on the demo case, sealed and signed: (desk, records, record)."""
    from p2pdesk.domain.call import Disposition, NoteKind
    from p2pdesk.services.records import Records

    case_id = desk.load_demo()
    call = desk.start_call(case_id)
    clock.advance(35)
    desk.set_reviewer(call.id, "Zoë Nguyễn", "MD", "Family Medicine")
    clock.advance(20)
    desk.add_note(call.id, NoteKind.REVIEWER_CLAIM, 'Policy needs a trial of sulfasalazine <b>unclosed & "quotes"')
    clock.advance(25)
    desk.add_note(call.id, NoteKind.PROCEDURAL, "Reviewer is family medicine; asked for a rheumatologist")
    clock.advance(15)
    desk.tick_criterion(call.id, desk.case(case_id), 3)
    clock.advance(40)
    desk.set_disposition(call.id, Disposition.REVERSED, authorization_number="AUTH-88213")
    clock.advance(10)
    desk.end_call(call.id)
    records = Records(desk, tz=tz_chicago)
    record = records.seal_and_sign(call.id)
    return desk, records, record
