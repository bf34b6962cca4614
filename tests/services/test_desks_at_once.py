"""Desks of one practice sharing a store, doing the same thing at the same moment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from p2pdesk.domain.errors import InvalidInput
from p2pdesk.services.desk import Desk
from tests.at_once import at_once
from tests.conftest import DEMO, ROOT
from tests.shared_keyring import SharedKeyring, shared_keyring

#: The start of a desk's code that signs: the keyring shared by the desks (its address is argv[2]).
USING_THE_SHARED_KEYRING = (
    "import keyring\nfrom tests.shared_keyring import SharedKeyring\nkeyring.set_keyring(SharedKeyring(sys.argv[2]))\n"
)
#: ... and the desk and its records.
SIGNING_DESK = (
    USING_THE_SHARED_KEYRING
    + "from p2pdesk.services.desk import Desk\n"
    + "from p2pdesk.services.records import Records\n"
)

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


def _ended_calls(desk: Desk, demo_text: str, count: int) -> list[int]:
    """Ended calls of ``count`` cases of one physician (the demo case's, under other claim numbers)."""
    from p2pdesk.domain.call import Disposition

    calls = []
    for n in range(count):
        case = json.loads(demo_text)
        case["coverage"]["claim_number"] = f"CL-{n}"
        call = desk.start_call(desk.import_case(json.dumps(case)))
        desk.set_disposition(call.id, Disposition.UPHELD, stated_reasoning="Step therapy not completed")
        desk.end_call(call.id)
        calls.append(call.id)
    return calls


def test_a_physicians_first_seals_on_several_desks_at_once_make_one_signer(
    desk: Desk, db_url: str, demo_text: str
) -> None:
    """Each desk makes a key for the physician's first signing identity: one is kept in the store,
    its key in the keyring, and every seal (theirs and later ones) verifies."""
    import keyring
    from cryptography.hazmat.primitives import serialization

    from p2pdesk.record.signing import KEYRING_SERVICE, public_key
    from p2pdesk.services.records import Records

    *calls, later = _ended_calls(desk, demo_text, 5)
    with shared_keyring() as where:
        results = at_once(
            SIGNING_DESK + "desk = Desk.open(sys.argv[1])\n"
            "desk.call(int(sys.argv[3]))\n"
            "ready()\n"
            "print(Records(desk).seal_and_sign(int(sys.argv[3])).signer_fingerprint)\n",
            db_url,
            where,
            each=[str(c) for c in calls],
        )
        assert [(r.returncode, r.stderr) for r in results] == [(0, "")] * 4
        previous = keyring.get_keyring()
        keyring.set_keyring(SharedKeyring(where))
        try:
            records = Records(desk)
            physician = desk.case(desk.call(later).case_id)
            (signer,) = desk.store.signers_named(physician.physician_name)
            kept = keyring.get_password(KEYRING_SERVICE, signer.keyring_key)
            key = serialization.load_pem_private_key(kept.encode("ascii"), password=None)
            assert public_key(signer.cert_pem) == key.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            sealed = [*desk.store.records(), records.seal_and_sign(later)]
            assert len({r.signer_fingerprint for r in sealed}) == 1
            assert [(r.call_id, records.verify_stored(r.id).problems) for r in sealed] == [
                (c, []) for c in sorted(calls) + [later]
            ]
        finally:
            keyring.set_keyring(previous)


def test_two_signers_an_older_desk_kept_for_one_key_become_one_that_certifies_the_keyrings_key(
    db_url: str, demo_text: str, clock, memory_keyring
) -> None:  # noqa: ANN001
    """Two desks of an older p2pdesk made the physician's first identity at once: the store kept both,
    the keyring the second one's key. Upgraded, the store keeps the first; sealing certifies the
    keyring's key in it, and the record verifies."""
    from alembic import command
    from sqlalchemy import text

    from p2pdesk.record.signing import KEYRING_SERVICE, new_identity, public_key
    from p2pdesk.services.records import Records
    from p2pdesk.store.db import alembic_config, make_engine

    physician = json.loads(demo_text)["physician"]
    first = new_identity(physician["name"], physician["credentials"], physician["npi"])
    memory_keyring.secrets.clear()  # the second desk's key replaced the first one's in the keyring
    second = new_identity(physician["name"], physician["credentials"], physician["npi"])
    engine = make_engine(db_url)
    command.upgrade(alembic_config(engine), "0009")
    with engine.begin() as conn:
        for identity in (first, second):
            conn.execute(
                text(
                    "INSERT INTO signer (npi, name, kind, keyring_key, cert_pem, created_at) "
                    "VALUES (:npi, :name, 'generated', :key, :cert, '2026-11-01 10:00:00')"
                ),
                {"npi": identity.npi, "name": identity.name, "key": identity.keyring_key, "cert": identity.cert_pem},
            )
    engine.dispose()
    desk = Desk.open(db_url, clock=clock)
    (kept,) = desk.store.signers_named(physician["name"])
    assert kept.cert_pem == first.cert_pem  # the first is kept
    (call,) = _ended_calls(desk, demo_text, 1)
    records = Records(desk)
    record = records.seal_and_sign(call)
    assert records.verify_stored(record.id).problems == []
    (kept,) = desk.store.signers_named(physician["name"])
    assert public_key(kept.cert_pem) == public_key(second.cert_pem)  # the keyring's key, certified
    assert memory_keyring.get_password(KEYRING_SERVICE, kept.keyring_key) is not None
    desk.close()


def test_one_call_sealed_from_several_desks_at_once_is_sealed_once_the_others_told_so(
    desk: Desk, db_url: str, demo_text: str
) -> None:
    """`p2pdesk seal` on four desks at once: one record; each other desk says the call is already
    sealed, as a seal after it does (exit status 2, no traceback)."""
    import keyring

    from p2pdesk.services.records import Records

    (call,) = _ended_calls(desk, demo_text, 1)
    with shared_keyring() as where:
        previous = keyring.get_keyring()
        keyring.set_keyring(SharedKeyring(where))
        try:
            Records(desk).signer_identity(desk.case(desk.call(call).case_id))  # the physician's key, made once
        finally:
            keyring.set_keyring(previous)
        results = at_once(
            USING_THE_SHARED_KEYRING + "from p2pdesk.cli import main\n"
            "import p2pdesk.services.records  # noqa: F401 - imported beforehand, as the desks race on the store\n"
            "ready()\n"
            "sys.exit(main(['--db', sys.argv[1], 'seal', sys.argv[3]]))\n",
            db_url,
            where,
            str(call),
        )
    (record,) = desk.store.records()
    assert (
        sorted((r.returncode, r.stdout, r.stderr) for r in results)
        == [(0, f"record {record.id}: call {call}, version 1, digest {record.digest}\n", "")]
        + [
            (
                2,
                "",
                "p2pdesk: the input was refused; nothing was stored:\n"
                "  call: this call is already sealed; add an addendum instead\n",
            )
        ]
        * 3
    )
    assert len(desk.follow_ups(open_only=False)) == 2  # an upheld denial's, made once


def test_addenda_added_to_one_call_on_several_desks_at_once_each_make_a_version(
    desk: Desk, db_url: str, demo_text: str
) -> None:
    """Each desk's addendum is kept, each in its own signed version (the later ones include the
    earlier ones' notes), and every version verifies."""
    import keyring

    from p2pdesk.services.records import Records

    (call,) = _ended_calls(desk, demo_text, 1)
    with shared_keyring() as where:
        previous = keyring.get_keyring()
        keyring.set_keyring(SharedKeyring(where))
        try:
            records = Records(desk)
            records.seal_and_sign(call)
            results = at_once(
                SIGNING_DESK + "records = Records(Desk.open(sys.argv[1]))\n"
                "records.store.records(int(sys.argv[3]))\n"
                "ready()\n"
                "records.add_addendum(int(sys.argv[3]), 'other', 'Addendum from desk ' + sys.argv[4])\n",
                db_url,
                where,
                str(call),
                each=["1", "2", "3", "4"],
            )
            assert [(r.returncode, r.stderr) for r in results] == [(0, "")] * 4
            versions = desk.store.records(call)
            assert [v.version for v in versions] == [1, 2, 3, 4, 5]
            assert [records.verify_stored(v.id).problems for v in versions] == [[]] * 5
            addenda = [n.text for n in desk.notes(call) if n.addendum]
            assert sorted(addenda) == [f"Addendum from desk {n}" for n in (1, 2, 3, 4)]
            assert [n.addendum for n in desk.notes(call) if n.addendum] == [2, 3, 4, 5]
        finally:
            keyring.set_keyring(previous)


def test_desks_starting_a_call_on_one_case_at_once_start_one(db_url: str) -> None:
    """Four desks (each its own name) start a call on the same case at the same moment: one call
    is in progress, the other desks are told where it is taken and how to take it over."""
    first = Desk.open(db_url, desk_id="desk-0")
    case_id = first.load_demo()
    first.close()
    results = at_once(
        "from p2pdesk.domain.errors import InvalidInput\n"
        "from p2pdesk.services.desk import Desk\n"
        "desk = Desk.open(sys.argv[1], desk_id='desk-' + sys.argv[3])\n"
        "desk.call_in_progress()\n"
        "ready()\n"
        "try:\n"
        "    print('started', desk.start_call(int(sys.argv[2])).id)\n"
        "except InvalidInput as exc:\n"
        "    print(exc)\n",
        db_url,
        str(case_id),
        each=["1", "2", "3", "4"],
    )
    said = sorted(r.stdout.strip() for r in results)
    assert [r.returncode for r in results] == [0] * 4, [r.stderr for r in results]
    assert len([s for s in said if s.startswith("started")]) == 1, said
    refused = [s for s in said if not s.startswith("started")]
    assert len(refused) == 3 and all("in progress at another desk since" in s and "take it over" in s for s in refused)
    desk = Desk.open(db_url, desk_id="desk-check")
    try:
        assert len([c for c in desk.store.calls_for_case(case_id) if c.in_progress]) == 1
    finally:
        desk.close()


def test_versions_of_one_record_imported_by_several_desks_at_once_make_one_call(
    db_url: str, demo_text: str, tmp_path: Path, memory_keyring
) -> None:  # noqa: ANN001
    """The designee and a colleague each import the record the physician's desk sent (its first
    version and the one with an addendum) at the same moment: the store holds one case, one call
    with the signed notes once, and each version once; every desk is told which record it kept."""
    from p2pdesk.domain.call import NoteKind
    from p2pdesk.services.records import Records

    signing = Desk.open(f"sqlite:///{tmp_path / 'physician.sqlite3'}")
    records = Records(signing)
    (call,) = _ended_calls(signing, demo_text, 1)
    first = records.seal_and_sign(call)
    second = records.add_addendum(call, NoteKind.OTHER, "Written denial received")
    files = {}
    for version in (first, second):
        files[version.version] = tmp_path / f"record-v{version.version}.pdf"
        files[version.version].write_bytes(version.pdf)
    Desk.open(db_url).close()
    results = at_once(
        "from p2pdesk.services.desk import Desk\n"
        "from p2pdesk.services.records import Records\n"
        "records = Records(Desk.open(sys.argv[1]))\n"
        "data = open(sys.argv[2], 'rb').read()\n"
        "records.verify_bytes(data)  # read once beforehand: the desks race on the store, not on reading\n"
        "ready()\n"
        "kept, verdict = records.import_record(data)\n"
        "print(kept.call_id, kept.version, kept.digest)\n",
        db_url,
        each=[str(files[1]), str(files[2]), str(files[1]), str(files[2]), str(files[2]), str(files[1])],
    )
    assert [(r.returncode, r.stderr) for r in results] == [(0, "")] * 6
    desk = Desk.open(db_url)
    try:
        (case,) = desk.cases()
        (kept_call,) = desk.store.calls_for_case(case.id)
        assert [(v.version, v.digest) for v in desk.store.records(kept_call.id)] == [
            (1, first.digest),
            (2, second.digest),
        ]
        assert sorted(r.stdout for r in results) == sorted(
            [f"{kept_call.id} 1 {first.digest}\n"] * 3 + [f"{kept_call.id} 2 {second.digest}\n"] * 3
        )
        assert [(n.text, n.chain_hash) for n in desk.notes(kept_call.id)] == [
            (n.text, n.chain_hash) for n in signing.notes(call)
        ]
        assert [Records(desk).verify_stored(v.id).problems for v in desk.store.records()] == [[], []]
    finally:
        desk.close()
        signing.close()
