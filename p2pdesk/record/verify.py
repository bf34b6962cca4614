"""Check a signed call record, and say what holds in plain words.

A record holds when: it carries a PAdES signature; the signed bytes are unchanged; nothing was
appended after signing; the attached structured record is the one that was signed and is whole
(hash chain and digest); and, when the local database holds the record, the database agrees.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from typing import Any

from p2pdesk.domain.record import record_problems
from p2pdesk.record.signing import RECORD_ATTACHMENT, SIGNED_RECORD_NAME


@dataclass
class Verdict:
    """What was found. ``ok`` only when every check held; ``findings`` say what held, ``problems``
    what did not, each in a sentence a designee can read out."""

    findings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    signer: str = ""
    signed_at: datetime | None = None
    record: dict[str, Any] | None = None
    #: The PDF whose signature was checked: the file itself, or the signed record inside a packet.
    signed_pdf: bytes | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        head = "VALID: the record is intact and signed." if self.ok else "NOT VALID: the record cannot be trusted."
        return [head, *(f"  ✓ {f}" for f in self.findings), *(f"  ✗ {p}" for p in self.problems)]


def _attachments(root: Any, name: str = RECORD_ATTACHMENT) -> list[bytes]:
    """The bytes of every attached file of this name (record.json by default) under a document root."""
    found: list[bytes] = []
    try:
        names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    except KeyError:
        return found
    for i in range(0, len(names) - 1, 2):
        if str(names[i]) != name:
            continue
        spec = names[i + 1].get_object()
        found.append(spec["/EF"]["/F"].get_object().data)
    return found


def verify_pdf(data: bytes, store: Any | None = None) -> Verdict:
    """Verify the bytes of a signed record PDF; ``store`` (a p2pdesk Store) adds the database check."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    verdict = Verdict()
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        signatures = reader.embedded_regular_signatures
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        verdict.problems.append(f"the file is not a readable PDF ({exc})")
        return verdict
    if not signatures:
        inner = _attachments(reader.root, SIGNED_RECORD_NAME)
        if len(inner) == 1:  # an appeal packet: the signed record travels inside it
            verdict = verify_pdf(inner[0], store)
            verdict.findings.insert(
                0,
                f"an appeal packet: the signed record attached inside it ({SIGNED_RECORD_NAME}) is what was "
                "checked; the packet's own pages (cover sheet, letter, copies, attachments) are not signed",
            )
            return verdict
        verdict.problems.append("the file carries no signature: it was never signed, or its signature was removed")
        return verdict

    verdict.signed_pdf = data
    signature = signatures[0]
    cert = signature.signer_cert
    context = ValidationContext(trust_roots=[cert], allow_fetching=False)
    try:
        status = validate_pdf_signature(signature, context)
    except Exception as exc:  # noqa: BLE001 - a damaged signature must be reported, never crash verification
        verdict.problems.append(f"the signature cannot be read: it is damaged ({type(exc).__name__})")
        return verdict
    subject = cert.subject.native
    verdict.signer = subject.get("common_name") or cert.subject.human_friendly
    if subject.get("serial_number"):
        verdict.signer += f" (NPI {subject['serial_number']})"
    verdict.signed_at = status.signer_reported_dt
    when = f" at {status.signer_reported_dt:%Y-%m-%d %H:%M:%S %Z}" if status.signer_reported_dt else ""
    if not status.intact:
        verdict.problems.append(
            "the signed content was changed after signing: its digest no longer matches the signature"
        )
    elif not status.valid:  # the content is as signed, but the signature value does not check out
        verdict.problems.append(
            "the signature does not match its certificate: it was not made with the certificate's key"
        )
    else:
        verdict.findings.append(f"the signature is intact: signed by {verdict.signer}{when}")
    self_signed = cert.subject == cert.issuer
    verdict.findings.append(
        "the certificate is self-signed by the physician (vouched for by the desk, not by a certificate authority)"
        if self_signed
        else f"the certificate was issued by {cert.issuer.human_friendly}"
    )
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        verdict.problems.append("the file was changed after it was signed: an update was appended to it")
    else:
        verdict.findings.append("nothing was added to the file after signing")

    signed_root = reader.get_historical_root(signature.signed_revision)
    signed_json = _attachments(signed_root)
    current_json = _attachments(reader.root)
    if len(signed_json) != 1:
        verdict.problems.append("the signed file does not carry exactly one attached record (record.json)")
        return verdict
    if current_json != signed_json:
        verdict.problems.append("the attached record (record.json) was replaced or added to after signing")
    try:
        record = json.loads(signed_json[0])
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        verdict.problems.append(f"the attached record is not readable JSON ({exc})")
        return verdict
    verdict.record = record
    from p2pdesk.schemas import schema_problems

    shape = schema_problems("record.schema.json", record)
    if shape:
        verdict.problems.append(
            "the attached record does not follow the record format: " + "; ".join(str(p) for p in shape[:5])
        )
        return verdict
    inner = record_problems(record)
    if inner:
        verdict.problems.extend(f"the attached record is not whole: {p}" for p in inner)
    else:
        verdict.findings.append(f"the attached record is whole: hash chain and digest {record['digest'][:16]}… hold")

    if store is not None:
        kept = store.record_by_digest(record.get("digest", ""))
        _check_database(verdict, record, kept, store)
        if kept is None:
            _check_signer(verdict, cert, record, store)
    return verdict


def _check_signer(verdict: Verdict, cert: Any, record: dict[str, Any], store: Any) -> None:
    """A record this desk does not hold, made out to a physician this desk signs for, must be signed
    with the key this desk signs for them with: another key is not theirs here. The physician is the
    record's own: by NPI when it gives one, else by name. The key decides, not the certificate
    around it (the physician's second database on this computer makes its own for the same key)."""
    from p2pdesk.record.signing import public_key

    physician = record.get("case", {}).get("physician") or {}
    name, npi = physician.get("name", ""), physician.get("npi", "")
    if npi:
        mine = [s for s in (store.signer_for_npi(npi),) if s is not None]
    else:
        mine = store.signers_named(name) if name else []
    if not mine or any(public_key(s.cert_pem) == cert.public_key.dump() for s in mine):
        return
    whom = f"{name} (NPI {npi})" if npi else f"{name} (the record gives no NPI)"
    verdict.problems.append(
        f"it is signed with a key this desk does not know for {whom}: this desk signs that physician's "
        "records with another one (records from another desk verify here when both use the practice's own "
        "certificate: import-certificate)"
    )


def _check_database(verdict: Verdict, record: dict[str, Any], kept: Any, store: Any) -> None:
    from p2pdesk.domain.record import chain_from, genesis, note_entry

    if kept is None:
        verdict.findings.append("this desk's database does not hold this record (nothing to compare)")
        return
    try:
        store.get_call(kept.call_id)
        notes = [n for n in store.notes(kept.call_id) if n.addendum <= kept.version]
    except LookupError:
        verdict.problems.append("the database holds the record but not its call")
        return
    # The chain as the record started it (its own call start and case identifiers), so a case
    # corrected in the database after sealing does not read as notes edited after sealing.
    coverage = record.get("case", {}).get("coverage", {})
    start = genesis(record["call"]["started_at"], coverage.get("member_id", ""), coverage.get("claim_number", ""))
    entries = [
        {**note_entry(seq, n), "hash": h}
        for seq, (n, h) in enumerate(zip(notes, chain_from(start, notes), strict=True), 1)
    ]
    signed_notes = record.get("notes", [])
    for seq, (ours, theirs) in enumerate(zip(entries, signed_notes, strict=False), start=1):
        if ours != theirs:
            verdict.problems.append(
                f"the database's note {seq} of call {kept.call_id} differs from the signed record: "
                "it was edited after sealing"
            )
            return
    stored_hashes = [n.chain_hash for n in notes]
    if len(entries) != len(signed_notes) or stored_hashes != [e["hash"] for e in entries]:
        verdict.problems.append(
            f"the database's notes of call {kept.call_id} do not match the signed record "
            "(added or removed after sealing)"
        )
        return
    verdict.findings.append(
        f"this desk's database agrees: call {kept.call_id}, version {kept.version}, all {len(entries)} notes"
    )
