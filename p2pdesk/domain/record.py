"""The sealed call record: its structure, its hash chain and its digest.

The record is evidence: each note's hash covers the previous note's hash, so no note can be
changed, removed or reordered without breaking every hash after it; the record's digest covers
the whole structure. Both are computed over a canonical JSON form (sorted keys, UTF-8, no
white space), so any program can recompute them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from p2pdesk.domain.call import Call, Note
from p2pdesk.domain.case import Case

FORMAT = "p2pdesk-record/1"


class SealedError(RuntimeError):
    """An attempt to change a sealed call, note or record: refused, since the record is evidence."""


def canonical(value: Any) -> bytes:
    """The one byte form every hash and digest is computed over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def instant(value: datetime) -> str:
    """An instant as kept in the record: UTC, ISO 8601, to the microsecond, with a Z."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_instant(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def genesis(started_at: str, member_id: str, claim_number: str) -> str:
    """The hash the chain starts from: it ties the chain to the call's start and the case's
    identifiers (not to database ids, so a record moved to another desk still verifies)."""
    return sha256_hex(canonical({"started_at": started_at, "member_id": member_id, "claim_number": claim_number}))


def chain_genesis(call: Call, case: Case) -> str:
    return genesis(instant(call.started_at), case.member_id, case.claim_number)


def note_entry(seq: int, note: Note) -> dict[str, Any]:
    """A note as the record holds it (without its hash)."""
    return {
        "seq": seq,
        "at": instant(note.at),
        "kind": note.kind.value,
        "text": note.text,
        "criterion": note.criterion,
        "addendum": note.addendum,
    }


def link(previous: str, entry: dict[str, Any]) -> str:
    """One link of the chain: the hash of the previous link and this note."""
    return sha256_hex(previous.encode("ascii") + b"\n" + canonical(entry))


def chain(call: Call, case: Case, notes: list[Note]) -> list[str]:
    """The hash of each note, in order."""
    return chain_from(chain_genesis(call, case), notes)


def chain_from(start: str, notes: list[Note]) -> list[str]:
    """The hash of each note, in order, from the chain's first hash ``start``."""
    hashes, previous = [], start
    for seq, note in enumerate(notes, start=1):
        previous = link(previous, note_entry(seq, note))
        hashes.append(previous)
    return hashes


@dataclass(frozen=True)
class FollowUp:
    """Something the designee must check after the call, and by when."""

    what: str
    due: datetime | date | None = None


def digest_of(record: dict[str, Any]) -> str:
    """The record's digest: over everything in it but the digest itself."""
    return sha256_hex(canonical({k: v for k, v in record.items() if k != "digest"}))


def build_record(
    case: dict[str, Any],
    case_obj: Case,
    call: Call,
    notes: list[Note],
    *,
    version: int,
    sealed_at: datetime,
    follow_ups: list[FollowUp],
    specialty_match: str = "unknown",
) -> dict[str, Any]:
    """The structured record of a sealed call (``case`` is the case in the case-file format;
    ``specialty_match`` is same, similar, different or unknown, from the playbook's matcher)."""
    hashes = chain(call, case_obj, notes)
    addressed = {n.criterion: instant(n.at) for n in reversed(notes) if n.criterion is not None}
    record: dict[str, Any] = {
        "format": FORMAT,
        "version": version,
        "sealed_at": instant(sealed_at),
        "case": case,
        "call": {
            "id": call.id,
            "case_id": call.case_id,
            "started_at": instant(call.started_at),
            "ended_at": instant(call.ended_at) if call.ended_at else None,
            "reviewer": {
                "name": call.reviewer_name,
                "credentials": call.reviewer_credentials,
                "specialty": call.reviewer_specialty,
                "specialty_match": specialty_match,
                "specialty_matches_case": {"same": True, "similar": True, "different": False}.get(specialty_match),
            },
            "disposition": call.disposition.value if call.disposition else None,
            "authorization_number": call.authorization_number,
            "stated_reasoning": call.stated_reasoning,
            "information_requested": call.information_requested,
            "requested_by": _day(call.requested_by),
            "educational_only": call.educational_only,
            "alternative_offer": call.alternative_offer,
        },
        "criteria": [
            {"number": n, "text": c.text, "patient_fact": c.patient_fact, "addressed_at": addressed.get(n)}
            for n, c in enumerate(case_obj.criteria, start=1)
        ],
        "notes": [
            {**note_entry(seq, note), "hash": h} for seq, (note, h) in enumerate(zip(notes, hashes, strict=True), 1)
        ],
        "follow_ups": [
            {
                "what": f.what,
                "due": (instant(f.due) if isinstance(f.due, datetime) else _day(f.due)) if f.due else None,
            }
            for f in follow_ups
        ],
        "chain_head": hashes[-1] if hashes else chain_genesis(call, case_obj),
    }
    record["digest"] = digest_of(record)
    return record


def record_problems(record: dict[str, Any]) -> list[str]:
    """What is wrong inside a record, in words: a broken chain, a digest that does not match.

    Empty when the record is whole.
    """
    try:
        call, coverage = record["call"], record["case"]["coverage"]
        previous = genesis(call["started_at"], coverage["member_id"], coverage.get("claim_number", ""))
        problems = []
        for entry in record["notes"]:
            expected = link(previous, {k: v for k, v in entry.items() if k != "hash"})
            if entry.get("hash") != expected:
                problems.append(f"note {entry.get('seq')} does not match its hash: the chain is broken there")
                break
            previous = expected
        else:
            if record.get("chain_head") != previous:
                problems.append("the chain's last link is not the one recorded")
    except (KeyError, TypeError, AttributeError):
        return ["the record is not in the p2pdesk record format"]
    if record.get("digest") != digest_of(record):
        problems.append("its digest does not match its content")
    return problems
