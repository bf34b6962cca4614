"""Signing identities, the keyring rule, exports, imports and the designee's record commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from p2pdesk.domain.call import Disposition
from p2pdesk.record.signing import SigningUnavailable, pkcs12_identity
from p2pdesk.services.desk import Desk
from p2pdesk.services.records import Records
from tests.conftest import ROOT


def _ended_call(desk: Desk) -> int:
    call = desk.start_call(desk.load_demo())
    desk.set_disposition(call.id, Disposition.UPHELD, stated_reasoning="Wants a sulfasalazine trial")
    desk.end_call(call.id)
    return call.id


def test_the_private_key_is_only_in_the_keyring(sealed, memory_keyring, tmp_path: Path) -> None:  # noqa: ANN001
    desk, _, _ = sealed
    (pem,) = [v for (_, k), v in memory_keyring.secrets.items() if k.startswith("signing-key:")]
    assert "PRIVATE KEY" in pem
    body = "".join(pem.strip().splitlines()[1:-1])
    der = __import__("base64").b64decode(body)
    desk.store.engine.dispose()  # checkpoint nothing away: read the files as they are on disk
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name.startswith("desk.sqlite3") for p in files)
    for path in files:
        data = path.read_bytes()
        for needle in (body[:40].encode(), der[-32:], b"PRIVATE KEY"):
            assert needle not in data, f"key material found in {path.name}"


def test_no_secure_keyring_means_no_signing_and_no_seal(desk: Desk) -> None:
    from keyring.backends import fail

    call_id = _ended_call(desk)
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(SigningUnavailable, match="No secure keyring is available") as err:
        Records(desk).seal_and_sign(call_id)
    assert "never keeps a private key in a plain file" in str(err.value)
    assert desk.call(call_id).sealed_at is None
    assert desk.store.records() == []


def _pkcs12(password: bytes) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Lakeside Rheumatology Group")])
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        b"practice", key, cert, None, serialization.BestAvailableEncryption(password)
    )


def test_a_practice_pkcs12_certificate_signs_with_its_password_in_the_keyring(desk: Desk, memory_keyring) -> None:  # noqa: ANN001
    call_id = _ended_call(desk)
    data = _pkcs12(b"s3cret-pw")
    with pytest.raises(SigningUnavailable, match="wrong password"):
        pkcs12_identity(data, "not-it", "Maya Okafor", "1523847618")
    records = Records(desk)
    records.use_identity(pkcs12_identity(data, "s3cret-pw", "Maya Okafor", "1523847618"))
    assert ("p2pdesk", "signing-key:1523847618") in memory_keyring.secrets
    record = records.seal_and_sign(call_id)
    verdict = records.verify_stored(record.id)
    assert verdict.ok, verdict.lines()
    assert verdict.signer.startswith("Lakeside Rheumatology Group")


def test_export_is_atomic_and_recorded_and_import_elsewhere_verifies(sealed, tmp_path: Path, clock) -> None:  # noqa: ANN001
    desk, records, record = sealed
    out = records.export(record.id, tmp_path / "appeal" / "call-record.pdf")
    assert out.read_bytes() == record.pdf
    assert [p for p in out.parent.iterdir()] == [out]  # no temporary file left behind
    ((path, written_at),) = desk.store.exports(record.id)
    assert path == str(out) and written_at == clock.now

    other = Desk.open(f"sqlite:///{tmp_path / 'other-desk.sqlite3'}")
    imported, verdict = Records(other).import_record(out.read_bytes())
    assert verdict.ok
    again = Records(other).verify_stored(imported.id)
    assert again.ok, again.lines()
    assert any("this desk's database agrees" in f for f in again.findings)
    assert [n.text for n in other.notes(imported.call_id)] == [n.text for n in desk.notes(record.call_id)]
    other.store.engine.dispose()


def test_a_second_database_signs_with_the_same_key_and_the_first_still_verifies(sealed, tmp_path: Path) -> None:  # noqa: ANN001
    from p2pdesk.domain.call import NoteKind

    desk, records, first = sealed
    other = Desk.open(f"sqlite:///{tmp_path / 'second-desk.sqlite3'}", clock=desk._clock)
    call = other.start_call(other.load_demo())  # the same physician (NPI), on a database of its own
    other.end_call(call.id)
    second = Records(other).seal_and_sign(call.id)
    assert Records(other).verify_bytes(second.pdf).ok
    # Its certificate is its own, its key the physician's: the first database takes its record too.
    assert records.verify_bytes(second.pdf).ok, records.verify_bytes(second.pdf).lines()
    # The first database goes on signing: its addendum is signed with the key its certificate names.
    addendum = records.add_addendum(first.call_id, NoteKind.OTHER, "Written confirmation received by fax")
    verdict = records.verify_bytes(addendum.pdf)
    assert verdict.ok, verdict.lines()
    other.close()


def test_a_signature_made_with_another_key_is_not_valid(sealed) -> None:  # noqa: ANN001
    import json
    from io import BytesIO

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    from p2pdesk.record.pdf import render_record
    from p2pdesk.record.signing import load_signer, new_identity

    desk, records, record = sealed
    # The record's certificate, but a signature made with a different key: intact, not valid.
    impostor = new_identity("Someone Else", "MD", "")

    genuine = records.signer_identity(desk.case(desk.call(record.call_id).case_id))
    forged_signer = load_signer(impostor)
    forged_signer = signers.SimpleSigner(
        signing_cert=load_signer(genuine).signing_cert,
        signing_key=forged_signer.signing_key,
        cert_registry=forged_signer.cert_registry,
    )

    unsigned = render_record(json.loads(record.record_json), tz=records.tz)
    out = BytesIO()
    signers.sign_pdf(
        IncrementalPdfFileWriter(BytesIO(unsigned)),
        signers.PdfSignatureMetadata(field_name="Signature1"),
        signer=forged_signer,
        output=out,
    )
    verdict = records.verify_bytes(out.getvalue())
    assert not verdict.ok
    assert "the signature does not match its certificate" in " ".join(verdict.problems)


def test_a_case_edited_after_sealing_keeps_its_records_valid(sealed) -> None:  # noqa: ANN001
    import dataclasses
    from datetime import date

    from p2pdesk.domain.call import NoteKind
    from p2pdesk.domain.errors import InvalidInput

    desk, records, record = sealed
    case = desk.case(desk.call(record.call_id).case_id)
    with pytest.raises(InvalidInput, match="member ID: is fixed: a signed call record of this case names"):
        desk.save_case(dataclasses.replace(case, member_id="W999999999"))
    assert desk.case(case.id).member_id == case.member_id
    desk.save_case(dataclasses.replace(case, appeal_filed_on=date(2026, 11, 24), state="TX"))  # the appeal goes on
    assert records.verify_stored(record.id).ok, records.verify_stored(record.id).lines()
    addendum = records.add_addendum(record.call_id, NoteKind.OTHER, "Member ID on the card reads W1234; see intake")
    assert records.verify_stored(addendum.id).ok


def test_an_addendum_shows_its_date_in_the_record(sealed, clock, tmp_path: Path) -> None:  # noqa: ANN001
    from p2pdesk.domain.call import NoteKind

    desk, records, record = sealed
    clock.advance(3 * 24 * 3600)  # three days after the call
    addendum = records.add_addendum(record.call_id, NoteKind.OTHER, "Written denial received")
    out = tmp_path / "v2.pdf"
    out.write_bytes(addendum.pdf)
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    when = clock.now.astimezone(records.tz)
    lines = text.splitlines()
    row = next(n for n, line in enumerate(lines) if "Written denial received" in line)
    assert lines[row].startswith(when.strftime("%Y-%m-%d")), lines[row]  # the timeline row is dated
    assert lines[row + 1].lstrip().startswith(when.strftime("%H:%M:%S")) or when.strftime("%H:%M:%S") in lines[row]


def test_a_record_signed_for_our_physician_with_another_certificate_is_not_valid_here(sealed) -> None:  # noqa: ANN001
    import json

    from p2pdesk.domain.record import digest_of
    from p2pdesk.record.pdf import render_record
    from p2pdesk.record.signing import KEYRING_SERVICE, keyring_key, load_signer, new_identity, sign_record

    desk, records, record = sealed
    case = desk.case(desk.call(record.call_id).case_id)
    # Someone else's computer: a fresh key and a self-signed certificate in the physician's name and NPI.
    entry = keyring_key(case.physician_npi, case.physician_name)
    genuine_key = keyring.get_password(KEYRING_SERVICE, entry)
    keyring.delete_password(KEYRING_SERVICE, entry)
    forger = new_identity(case.physician_name, case.physician_credentials, case.physician_npi)
    keyring.set_password(KEYRING_SERVICE, entry, genuine_key)
    forged = json.loads(record.record_json)
    forged["call"]["stated_reasoning"] = "Reviewer agreed the criteria are not met"
    forged["digest"] = digest_of(forged)  # whole in itself
    pdf = sign_record(render_record(forged, tz=records.tz), json.dumps(forged).encode(), load_signer(forger), "Forger")
    verdict = records.verify_bytes(pdf)
    assert not verdict.ok
    assert (
        f"signed with a key this desk does not know for {case.physician_name} (NPI {case.physician_npi})"
        in " ".join(verdict.problems)
    )
    assert records.verify_bytes(record.pdf).ok  # the genuine one still verifies


def test_versions_of_one_call_import_as_one_call_in_any_order(sealed, tmp_path: Path) -> None:  # noqa: ANN001
    from p2pdesk.domain.call import NoteKind

    desk, records, first = sealed
    second = records.add_addendum(first.call_id, NoteKind.OTHER, "Written denial received")
    third = records.add_addendum(first.call_id, NoteKind.OUTCOME, "Plan reversed on appeal")
    other = Desk.open(f"sqlite:///{tmp_path / 'other-desk.sqlite3'}")
    elsewhere = Records(other)
    kept = [elsewhere.import_record(version.pdf)[0] for version in (third, first, second)]
    assert len({k.call_id for k in kept}) == 1 and len(other.cases()) == 1
    assert [r.version for r in other.store.records()] == [1, 2, 3]
    assert [n.text for n in other.notes(kept[0].call_id)] == [n.text for n in desk.notes(first.call_id)]
    assert all(elsewhere.verify_stored(r.id).ok for r in other.store.records())
    assert elsewhere.import_record(second.pdf)[0].id == kept[2].id  # the same version again: the one held
    other.close()


def _two_versions_imported_elsewhere(desk: Desk, call_id: int, addendum: str, tmp_path: Path) -> tuple[Desk, int]:
    """Seal the ended call, add ``addendum``, and import both versions on another desk: that desk,
    and the one call both went to (the test fails if they went to two)."""
    from p2pdesk.domain.call import NoteKind

    records = Records(desk)
    versions = [records.seal_and_sign(call_id), records.add_addendum(call_id, NoteKind.OTHER, addendum)]
    other = Desk.open(f"sqlite:///{tmp_path / 'other-desk.sqlite3'}")
    elsewhere = Records(other)
    kept = [elsewhere.import_record(version.pdf)[0] for version in versions]
    assert kept[0].call_id == kept[1].call_id and len(other.cases()) == 1
    assert [r.version for r in other.store.records()] == [1, 2]
    assert all(elsewhere.verify_stored(r.id).ok for r in other.store.records())
    return other, kept[0].call_id


def test_versions_of_a_call_sealed_without_notes_import_as_one_call(desk: Desk, tmp_path: Path) -> None:
    """A call ended and sealed with nothing said (the reviewer never came on the line), then an
    addendum: its versions name the same call, although the first has no note to match by."""
    call = desk.start_call(desk.load_demo())
    desk.end_call(call.id)
    other, _ = _two_versions_imported_elsewhere(desk, call.id, "Reviewer never came on the line", tmp_path)
    other.close()


@pytest.mark.parametrize("member_id", ["W123456789", "W123456789 "])
def test_versions_of_a_call_whose_member_id_an_older_desk_kept_untrimmed_import_as_one_call(
    desk: Desk, demo_text: str, tmp_path: Path, member_id: str
) -> None:
    """An older desk kept a member ID with a trailing space (the desk trims only an ID that is
    changed): the record chains from it as kept, the case imported from it is trimmed, and the
    next version still finds its call."""
    from p2pdesk.domain.call import NoteKind
    from p2pdesk.services.casefile import parse_case

    case = parse_case(demo_text)
    case.member_id = member_id
    call = desk.start_call(desk.store.add_case(case))
    desk.add_note(call.id, NoteKind.REVIEWER_CLAIM, "Wants a sulfasalazine trial")
    desk.end_call(call.id)
    other, kept = _two_versions_imported_elsewhere(desk, call.id, "Faxed the 2019 ED note", tmp_path)
    assert [n.text for n in other.notes(kept)] == [n.text for n in desk.notes(call.id)]
    other.close()


def _cli(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "p2pdesk", "--db", db, *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_record_commands(sealed, db_url: str, tmp_path: Path) -> None:  # noqa: ANN001
    desk, _, record = sealed
    listed = _cli("records", db=db_url)
    assert listed.returncode == 0 and f"call {record.call_id}" in listed.stdout and "v1" in listed.stdout
    out = tmp_path / "exported.pdf"
    exported = _cli("export-record", str(record.id), "-o", str(out), db=db_url)
    assert exported.returncode == 0, exported.stderr
    good = _cli("verify", str(out), db=db_url)
    assert good.returncode == 0, good.stdout
    assert good.stdout.startswith("VALID") and "signed by Maya Okafor, MD (NPI 1523847618)" in good.stdout
    data = bytearray(out.read_bytes())
    data[len(data) // 10] ^= 0x01  # early in the file: inside the signed range
    bad_file = tmp_path / "tampered.pdf"
    bad_file.write_bytes(bytes(data))
    bad = _cli("verify", str(bad_file), db=db_url)
    assert bad.returncode == 2 and bad.stdout.startswith("NOT VALID")
    missing = _cli("verify", str(tmp_path / "nope.pdf"), db=db_url)
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    into_a_folder = _cli("export-record", str(record.id), "-o", str(tmp_path), db=db_url)
    assert into_a_folder.returncode == 1
    assert into_a_folder.stderr == f"p2pdesk: cannot write {tmp_path}: Is a directory\n"  # not a temporary file
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_import_certificate_command_keeps_the_password_out_of_the_database(db_url: str, tmp_path: Path) -> None:
    p12 = tmp_path / "practice.p12"
    p12.write_bytes(_pkcs12(b"pfx-pass-7"))
    env = {
        **__import__("os").environ,
        "PYTHON_KEYRING_BACKEND": "tests.memory_keyring.MemoryKeyring",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "p2pdesk",
            "--db",
            db_url,
            "import-certificate",
            str(p12),
            "--name",
            "Maya Okafor",
            "--npi",
            "1523847618",
        ],
        cwd=ROOT,
        env=env,
        input="pfx-pass-7\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "records will be signed with certificate" in result.stdout
    desk = Desk.open(db_url)
    identity = desk.store.signer("signing-key:1523847618")
    assert identity is not None and identity.kind == "pkcs12" and identity.pkcs12 == p12.read_bytes()
    desk.store.engine.dispose()
    assert b"pfx-pass-7" not in Path(db_url.removeprefix("sqlite:///")).read_bytes()
    wrong = subprocess.run(
        [sys.executable, "-m", "p2pdesk", "--db", db_url, "import-certificate", str(p12), "--name", "Maya Okafor"],
        cwd=ROOT,
        env=env,
        input="nope\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert wrong.returncode == 1 and "wrong password" in wrong.stderr


def test_sealing_and_addenda_on_every_backend(store_url: str) -> None:
    """SQLite and the practice's shared PostgreSQL store keep and guard records alike."""
    from p2pdesk.domain.record import SealedError

    desk = Desk.open(store_url)
    call_id = _ended_call(desk)
    records = Records(desk)
    first = records.seal_and_sign(call_id)
    second = records.add_addendum(call_id, "other", "Written denial received")
    assert records.verify_stored(first.id).ok and records.verify_stored(second.id).ok
    assert desk.store.record(first.id).pdf == first.pdf
    call = desk.call(call_id)
    call.stated_reasoning = "edited later"
    with pytest.raises(SealedError):
        desk.store.save_call(call)
    desk.store.engine.dispose()


def test_a_record_without_an_npi_signed_with_another_key_in_the_physicians_name_is_refused(
    sealed, tmp_path: Path
) -> None:  # noqa: ANN001
    import json

    from p2pdesk.domain.errors import InvalidInput
    from tests.conftest import DEMO
    from tests.memory_keyring import MemoryKeyring

    desk, records, _ = sealed  # this desk signs for Maya Okafor (NPI 1523847618)
    other = Desk.open(f"sqlite:///{tmp_path / 'stranger.sqlite3'}", clock=desk._clock)
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    del data["physician"]["npi"]  # a case without the NPI: the record names the physician alone
    call = other.start_call(other.import_case(json.dumps(data)))
    other.end_call(call.id)
    ours = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())  # another computer: another key
    try:
        foreign = Records(other).seal_and_sign(call.id)
    finally:
        keyring.set_keyring(ours)
    assert Records(other).verify_bytes(foreign.pdf).ok  # valid where it was made...
    verdict = records.verify_bytes(foreign.pdf)  # ...but not as Maya Okafor's record here
    assert not verdict.ok
    assert "a key this desk does not know for Maya Okafor (the record gives no NPI)" in " ".join(verdict.problems)
    with pytest.raises(InvalidInput):
        records.import_record(foreign.pdf)
    other.close()


def test_a_record_of_a_physician_this_desk_does_not_sign_for_verifies(sealed, tmp_path: Path) -> None:  # noqa: ANN001
    import json

    from tests.conftest import DEMO
    from tests.memory_keyring import MemoryKeyring

    desk, records, _ = sealed
    other = Desk.open(f"sqlite:///{tmp_path / 'colleague.sqlite3'}", clock=desk._clock)
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["physician"] = {"name": "Lin Chen", "credentials": "MD", "specialty": "Rheumatology"}
    data["coverage"]["claim_number"] += "-LC"
    call = other.start_call(other.import_case(json.dumps(data)))
    other.end_call(call.id)
    ours = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        colleague = Records(other).seal_and_sign(call.id)
    finally:
        keyring.set_keyring(ours)
    assert records.verify_bytes(colleague.pdf).ok, records.verify_bytes(colleague.pdf).lines()
    other.close()


def test_an_appeal_packet_imported_brings_the_signed_record_inside_it(sealed, tmp_path: Path) -> None:  # noqa: ANN001
    desk, records, record = sealed
    packet, _ = records.appeal_packet(record.call_id, [])
    other = Desk.open(f"sqlite:///{tmp_path / 'other-desk.sqlite3'}")
    imported, verdict = Records(other).import_record(packet)
    assert verdict.ok
    kept = other.store.record(imported.id)
    assert kept.pdf == record.pdf, "the unsigned packet was kept as the signed record"
    assert Records(other).verify_stored(imported.id).ok
    other.close()


def test_an_addendum_sent_again_with_its_entry_key_makes_one_version(sealed) -> None:  # noqa: ANN001
    """The answer to an addendum is lost (the connection broke after it was stored); sent again
    as it was, it is the version already signed, not another one."""
    from p2pdesk.domain.call import NoteKind

    desk, records, first = sealed
    second = records.add_addendum(first.call_id, NoteKind.OTHER, "Faxed the 2019 ED note", entry_key="fax-1")
    again = records.add_addendum(first.call_id, NoteKind.OTHER, "Faxed the 2019 ED note", entry_key="fax-1")
    assert (again.id, again.version) == (second.id, 2)
    assert [r.version for r in desk.store.records(first.call_id)] == [1, 2]
    assert [n.text for n in desk.notes(first.call_id) if n.addendum] == ["Faxed the 2019 ED note"]
    later = records.add_addendum(first.call_id, NoteKind.OTHER, "Faxed the 2019 ED note", entry_key="fax-2")
    assert later.version == 3  # said again, another time: another addendum
