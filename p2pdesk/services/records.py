"""Sealing and signing a call, its addenda, exporting, verifying and importing records.

Rendering and signing take a fraction of a second; the window runs these off its GUI thread.
Nothing is written until the record is rendered and signed, so a failure (no keyring, say)
leaves the call exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, time, tzinfo
from pathlib import Path
from typing import Any

from p2pdesk.domain.call import Call, Note, NoteKind, clean_note_text
from p2pdesk.domain.case import Case
from p2pdesk.domain.errors import InvalidInput, Outdated, Problem
from p2pdesk.domain.followup import FollowUpItem
from p2pdesk.domain.record import SealedError, build_record, chain, genesis, parse_instant
from p2pdesk.domain.sealed import SealedRecord, SignerIdentity
from p2pdesk.files import write_whole
from p2pdesk.playbook.followups import follow_ups
from p2pdesk.playbook.specialties import match
from p2pdesk.record.packet import Attachment
from p2pdesk.record.pdf import render_record
from p2pdesk.record.signing import (
    certifies_kept_key,
    fingerprint,
    keyring_key,
    load_signer,
    make_identity,
    sign_record,
)
from p2pdesk.record.verify import Verdict, verify_pdf
from p2pdesk.services.casefile import case_to_dict, parse_case
from p2pdesk.services.desk import Desk


class Records:
    """The record use-cases over one desk. ``tz`` is the zone the PDF shows times in (local if None)."""

    def __init__(self, desk: Desk, tz: tzinfo | None = None) -> None:
        self.desk = desk
        self.store = desk.store
        self.tz = tz

    # Signing identity --------------------------------------------------------------------------

    def signer_identity(self, case: Case) -> SignerIdentity:
        """The treating physician's signing identity, made (key in the keyring) at first use."""
        if not case.physician_name:
            raise InvalidInput(Problem("physician", "the case names no physician to sign the record"))
        key = keyring_key(case.physician_npi, case.physician_name)
        identity = self.store.signer(key)
        if identity is not None and certifies_kept_key(identity):
            return identity
        made, keep_key = make_identity(
            case.physician_name, case.physician_credentials, case.physician_npi, self.desk.now()
        )
        if identity is None:
            # Another desk may be making it at this moment: the one stored first is used by both, and
            # only its key goes into the keyring.
            return self.store.add_signer(made, keep_key)
        # Two desks made the first identity at once before p2pdesk kept one per key: the keyring
        # kept one desk's key, the store the other's certificate. The key signs: certify it.
        return self.store.save_signer(made)

    def use_identity(self, identity: SignerIdentity) -> SignerIdentity:
        """Keep an identity made elsewhere (e.g. a practice's imported PKCS#12 certificate)."""
        return self.store.save_signer(identity)

    # Sealing ---------------------------------------------------------------------------------

    def _sign(self, case: Case, call: Call, notes: list[Note], version: int) -> SealedRecord:
        identity = self.signer_identity(case)
        signer = load_signer(identity)
        sealed_at = self.desk.now()
        record = build_record(
            case_to_dict(case),
            case,
            call,
            notes,
            version=version,
            sealed_at=sealed_at,
            follow_ups=follow_ups(call),
            specialty_match=match(case.physician_specialty, call.reviewer_specialty).verdict,
        )
        record_json = json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8")
        pdf = sign_record(render_record(record, tz=self.tz), record_json, signer, case.physician_display)
        return SealedRecord(
            call_id=call.id,  # type: ignore[arg-type]
            version=version,
            sealed_at=sealed_at,
            digest=record["digest"],
            chain_head=record["chain_head"],
            record_json=record_json.decode("utf-8"),
            pdf=pdf,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            signer_name=identity.name,
            signer_fingerprint=fingerprint(identity.cert_pem),
        )

    def seal_and_sign(self, call_id: int) -> SealedRecord:
        """Seal an ended call and keep its signed record (version 1)."""
        call = self.desk.call(call_id)
        if call.in_progress:
            raise InvalidInput(Problem("call", "end the call before sealing it"))
        if call.sealed_at is not None:
            raise InvalidInput(Problem("call", "this call is already sealed; add an addendum instead"))
        case = self.desk.case(call.case_id)
        notes = self.desk.notes(call_id)
        call.sealed_at = self.desk.now()
        for note, link in zip(notes, chain(call, case, notes), strict=True):
            note.chain_hash = link
        record = self._sign(case, call, notes, version=1)
        try:
            return self.store.seal(call, notes, record, self._follow_up_items(call))
        except SealedError:  # another desk sealed it while this one was signing
            raise InvalidInput(Problem("call", "this call is already sealed; add an addendum instead")) from None

    @staticmethod
    def _follow_up_items(call: Call) -> list[FollowUpItem]:
        """The follow-ups of the call's disposition, to track until done (a date due is due at the
        end of that day, where the practice is)."""
        items = []
        for item in follow_ups(call):
            due = item.due
            if due is not None and not isinstance(due, datetime):
                due = datetime.combine(due, time(23, 59, 59)).astimezone()
            items.append(FollowUpItem(call_id=call.id, what=item.what, due=due))  # type: ignore[arg-type]
        return items

    def add_addendum(self, call_id: int, kind: NoteKind, text: str, *, entry_key: str | None = None) -> SealedRecord:
        """A dated addendum to a sealed call: a new note and a new signed version; earlier
        versions stay exactly as they were. Another desk adding a version at the same moment goes
        first: this addendum is then signed again as the version after it (which includes it).
        ``entry_key``: made when the addendum was first sent; sent again with it (the first answer
        lost), the version that holds it is returned and nothing is signed or stored twice."""
        cleaned = clean_note_text(text)
        for _attempt in range(5):
            held = self.store.note_with_key(entry_key) if entry_key else None
            if held is not None and (held.call_id, held.kind, held.text) == (call_id, NoteKind(kind), cleaned):
                return next(r for r in self.store.records(call_id) if r.version == held.addendum)
            call = self.desk.call(call_id)
            if call.sealed_at is None:
                raise InvalidInput(Problem("addendum", "the call is not sealed yet; add a note instead"))
            versions = self.store.records(call_id)
            version = (versions[-1].version if versions else 1) + 1
            case = self.desk.case(call.case_id)
            notes = self.desk.notes(call_id)
            note = Note(
                call_id=call_id,
                at=self.desk.now(),
                kind=NoteKind(kind),
                text=cleaned,
                addendum=version,
                entry_key=entry_key,
            )
            notes.append(note)
            note.chain_hash = chain(call, case, notes)[-1]
            record = self._sign(case, call, notes, version=version)
            try:
                self.store.add_addendum(note, record)
            except Outdated:
                continue
            return record
        raise InvalidInput(
            Problem("addendum", "other desks kept adding versions of this record at the same time; nothing was stored")
        )

    # Records ---------------------------------------------------------------------------------

    def records(self) -> list[SealedRecord]:
        return self.store.records()

    def export(self, record_id: int, path: Path) -> Path:
        """Write a stored signed PDF atomically (temporary file, fsync, rename) and note where and when."""
        record = self.store.record(record_id)
        path = path.expanduser().resolve()
        write_whole(path, record.pdf)
        self.store.add_export(record_id, str(path), self.desk.now())
        return path

    def verify_bytes(self, data: bytes) -> Verdict:
        return verify_pdf(data, self.store)

    def verify_stored(self, record_id: int) -> Verdict:
        record = self.store.record(record_id)
        verdict = verify_pdf(record.pdf, self.store)
        if hashlib.sha256(record.pdf).hexdigest() != record.pdf_sha256:
            verdict.problems.append("the stored PDF's bytes no longer match their SHA-256 kept with them")
        return verdict

    def import_record(self, data: bytes) -> tuple[SealedRecord, Verdict]:
        """Bring a record signed on another desk into this one, after verifying it: a new call, or
        one more version of a call held here (see ``Store.keep_imported``), in one transaction."""
        verdict = verify_pdf(data, self.store)
        if not verdict.ok or verdict.record is None:
            raise InvalidInput([Problem("record", p) for p in verdict.problems] or [Problem("record", "unreadable")])
        data = verdict.signed_pdf or data  # from an appeal packet, the signed record inside it is what is kept
        record = verdict.record

        def new_call() -> tuple[Case, Call]:
            from p2pdesk.domain.call import Disposition

            source = record["call"]
            reviewer = source["reviewer"]
            call = Call(
                case_id=0,  # the new case's, set as it is stored
                started_at=parse_instant(source["started_at"]),
                ended_at=parse_instant(source["ended_at"]) if source.get("ended_at") else None,
                reviewer_name=reviewer.get("name", ""),
                reviewer_credentials=reviewer.get("credentials", ""),
                reviewer_specialty=reviewer.get("specialty", ""),
                disposition=Disposition(source["disposition"]) if source.get("disposition") else None,
                authorization_number=source.get("authorization_number", ""),
                stated_reasoning=source.get("stated_reasoning", ""),
                information_requested=source.get("information_requested", ""),
                educational_only=bool(source.get("educational_only", False)),
                alternative_offer=source.get("alternative_offer", ""),
                sealed_at=parse_instant(record["sealed_at"]),
            )
            return parse_case(json.dumps(record["case"])), call

        notes = [_signed_note(entry) for entry in record["notes"]]
        coverage = record["case"]["coverage"]
        named = (coverage["member_id"], coverage.get("claim_number", ""))
        start = genesis(record["call"]["started_at"], *named)
        version = _kept_version(record, data, verdict)
        return self.store.keep_imported(version, notes, new_call, chain_start=start, named=named), verdict

    def appeal_packet(self, call_id: int, attachments: list[Attachment]) -> tuple[bytes, dict[str, int]]:
        """The appeal packet around the call's latest signed record (refuses non-PDF attachments)."""
        from p2pdesk.playbook.rules import case_stage, load_rules, specialty_rule
        from p2pdesk.record.packet import build_packet

        call = self.desk.call(call_id)  # NotFound for a call that does not exist
        versions = self.store.records(call_id)
        if not versions:
            raise InvalidInput(Problem("call", "seal and sign the call before building its appeal packet"))
        case = self.desk.case(call.case_id)
        # The rule of the stage the case was at on the day of the call, not today's: the day the
        # packet's letter names (its zone is the record's).
        day = call.started_at.astimezone(self.tz).date()
        rule = specialty_rule(load_rules(), case.state, case.plan_type, case_stage(case, on=day))
        reviewers = [c for c in self.store.calls_for_case(case.id) if c.reviewer_name or c.reviewer_specialty]  # type: ignore[arg-type]
        return build_packet(
            case, call, versions[-1], rule, self.desk.attempts(case.id), reviewers, attachments, tz=self.tz
        )  # type: ignore[arg-type]


def _kept_version(record: dict[str, Any], data: bytes, verdict: Verdict) -> SealedRecord:
    """An imported record version as kept here (its call's id is set as it is stored)."""
    return SealedRecord(
        call_id=0,
        version=record["version"],
        sealed_at=parse_instant(record["sealed_at"]),
        digest=record["digest"],
        chain_head=record["chain_head"],
        record_json=json.dumps(record, ensure_ascii=False, indent=1),
        pdf=data,
        pdf_sha256=hashlib.sha256(data).hexdigest(),
        signer_name=verdict.signer,
        signer_fingerprint="",
    )


def _signed_note(entry: dict[str, Any]) -> Note:
    """A note as a signed record holds it, with its chain hash (its call's id is set as it is stored)."""
    note = Note(
        call_id=0,
        at=parse_instant(entry["at"]),
        kind=NoteKind(entry["kind"]),
        text=entry["text"],
        criterion=entry.get("criterion"),
        addendum=entry.get("addendum", 0),
    )
    note.chain_hash = entry["hash"]
    return note
