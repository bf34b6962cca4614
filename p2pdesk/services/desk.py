"""The desk's use-cases: import a case, run a call, take notes, record the outcome.

The window and the command line both go through here. Every method that writes returns only
after the write is durable; every rule broken raises InvalidInput naming the field, before
anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from p2pdesk.demo import DEMO_CASE_FILE, DEMO_CLAIM_NUMBER, DEMO_MEMBER_ID
from p2pdesk.domain.call import (
    Call,
    Disposition,
    Note,
    NoteKind,
    check_disposition,
    check_end,
    clean_field,
    clean_note_text,
    local_when,
    require_utc,
    utc_now,
)
from p2pdesk.domain.case import Case
from p2pdesk.domain.errors import AlreadyOnFile, CallOnCase, InvalidInput, Problem
from p2pdesk.domain.followup import FollowUpItem
from p2pdesk.domain.scheduling import AttemptOutcome, SchedulingAttempt
from p2pdesk.domain.summary import ArchiveRow, CaseSummary
from p2pdesk.resources import resource_path
from p2pdesk.store.db import make_engine, upgrade
from p2pdesk.store.repo import Store


class Desk:
    """The use-cases over one store. ``clock`` returns the current aware UTC instant."""

    def __init__(self, store: Store, clock: Callable[[], datetime] = utc_now, *, desk_id: str | None = None) -> None:
        """``desk_id``: this desk's name in a shared store (default: ``p2pdesk.config.desk_id()``)."""
        from p2pdesk.config import desk_id as this_desk

        self.store = store
        self._clock = clock
        self.desk_id = desk_id if desk_id is not None else this_desk()

    @classmethod
    def open(
        cls,
        url: str,
        clock: Callable[[], datetime] = utc_now,
        *,
        busy_timeout_ms: int = 2000,
        desk_id: str | None = None,
    ) -> Desk:
        """Open the database at ``url``, migrating its schema to the newest version first."""
        engine = make_engine(url, busy_timeout_ms=busy_timeout_ms)
        upgrade(engine)
        return cls(Store(engine), clock, desk_id=desk_id)

    def close(self) -> None:
        """Close the store's connections. For SQLite, the last one to close writes the log back
        into the database file and removes it, so the file alone then holds everything (a copy
        of it is a whole copy). Closing loses nothing either way: every commit is already on disk."""
        self.store.engine.dispose()

    def now(self) -> datetime:
        return require_utc(self._clock(), "clock")

    # Cases -----------------------------------------------------------------------------------

    def import_case(self, text: str) -> int:
        """Validate a case file and store it whole; returns the new case's id."""
        from p2pdesk.services.casefile import parse_case

        return self._add_case(_trimmed(parse_case(text)))

    def import_fhir(self, text: str) -> int:
        """Prefill and store a new case from a FHIR R4 Bundle (all or nothing); returns its id.

        The case it gives must be a case file, as one imported or edited here must: a value in
        another form (a CPT code with its modifier, a name too long for its field, a birth date in
        the future) is refused by name, so that a record sealed from it verifies on any desk."""
        from p2pdesk.services.fhir_import import case_from_bundle

        case = _trimmed(case_from_bundle(text))
        problems = _case_file_problems(case)
        if problems:
            raise InvalidInput(problems)
        return self._add_case(case)

    def _add_case(self, case: Case) -> int:
        """Store a new case, one per denial: its member ID and claim number already on file are
        refused, naming that case, even when another desk imports the same file at this moment."""
        try:
            return self.store.add_case(case, one_per_denial=True)
        except AlreadyOnFile as exc:
            raise _on_file(case, exc.case_id) from None

    def _refuse_a_second(self, case: Case, kept: Case | None = None) -> None:
        """One case per denial: a member ID and claim number already on file (another case's)
        are refused, naming that case, rather than making a second case of the same denial.

        A case that already shares its numbers with another (an older desk's double import, or a
        signed record imported from another desk, which keeps the case as it was signed) can still
        be saved, as long as its numbers are not changed to another case's. ``kept``: the case as
        stored, when ``case`` is an edit of it."""
        if not case.member_id or not case.claim_number:
            return  # a draft without them is not yet a denial of its own
        if kept is not None and (kept.member_id, kept.claim_number) == (case.member_id, case.claim_number):
            return
        held = self.store.find_case(member_id=case.member_id, claim_number=case.claim_number, other_than=case.id)
        if held is not None:
            raise _on_file(case, held)

    def load_demo(self) -> int:
        """The demo case's id, importing it the first time."""
        existing = self.store.find_case(member_id=DEMO_MEMBER_ID, claim_number=DEMO_CLAIM_NUMBER)
        if existing is not None:
            return existing
        from p2pdesk.services.casefile import parse_case

        case = _trimmed(parse_case(resource_path(*DEMO_CASE_FILE).read_text(encoding="utf-8")))
        try:
            return self.store.add_case(case, one_per_denial=True)
        except AlreadyOnFile as exc:  # another desk loaded it at this moment
            return exc.case_id

    def export_case(self, case_id: int) -> str:
        from p2pdesk.services.casefile import dump_case

        return dump_case(self.store.get_case(case_id))

    def cases(self) -> list[CaseSummary]:
        return self.store.list_cases()

    def case(self, case_id: int) -> Case:
        return self.store.get_case(case_id)

    def save_case(self, case: Case) -> None:
        """Keep the case as edited (a draft may still have gaps; the readiness list shows them).

        What is kept must still be a case file: a value in the wrong form (a state in lower case,
        a year past 2100, a blank row in a list) is refused by name, so that the case can always be
        exported and imported again, and a record sealed from it verifies on another desk."""
        if not case.patient_name.strip():
            raise InvalidInput(Problem("patient name", "cannot be empty"))
        kept = self.store.get_case(case.id) if case.id is not None else None
        live = self.store.live_call_on_case(kept.id) if kept is not None else None  # type: ignore[arg-type]
        if live is not None:
            # The physician is reading this brief to the plan, and ticking its criteria by number.
            raise InvalidInput(
                Problem(
                    "case",
                    f"a call on this case is in progress since {local_when(live.started_at, self.now())}; "
                    "edit it once the call has ended",
                )
            )
        _trimmed(case, kept)
        problems = _case_file_problems(case)
        if problems:
            raise InvalidInput(problems)
        self._refuse_a_second(case, kept)
        if kept is not None and any(c.sealed_at is not None for c in self.store.calls_for_case(kept.id)):
            # A signed record's hash chain starts from these two identifiers: changed here, the
            # case would no longer match its records. A correction goes in an addendum.
            for field, label in (("member_id", "member ID"), ("claim_number", "claim number")):
                if getattr(case, field) != getattr(kept, field):
                    raise InvalidInput(
                        Problem(
                            label,
                            f"is fixed: a signed call record of this case names {getattr(kept, field)!r}; "
                            "note the correction in an addendum to that call",
                        )
                    )
        renumbered = kept is None or (kept.member_id, kept.claim_number) != (case.member_id, case.claim_number)
        try:
            self.store.update_case(case, one_per_denial=renumbered)
        except AlreadyOnFile as exc:  # another desk gave another case these numbers at this moment
            raise _on_file(case, exc.case_id) from None

    # Scheduling -------------------------------------------------------------------------------

    def log_attempt(
        self,
        case_id: int,
        outcome: AttemptOutcome | str,
        *,
        whom: str = "",
        reference: str = "",
        hold_minutes: int | None = None,
        detail: str = "",
    ) -> SchedulingAttempt:
        """Log one attempt to schedule the P2P, stamped now. An attempt says something of itself
        (whom, a reference, a hold time or what was said): it is what the written demand cites."""
        if not (whom.strip() or reference.strip() or detail.strip()) and hold_minutes is None:
            raise InvalidInput(
                Problem(
                    "attempt",
                    "says nothing yet; give whom you reached, the reference number, the hold time or what was said",
                )
            )
        if hold_minutes is not None and not 0 <= hold_minutes <= 24 * 60:
            raise InvalidInput(Problem("hold time", f"{hold_minutes} minutes is not a plausible hold time"))
        return self.store.add_attempt(
            SchedulingAttempt(
                case_id=case_id,
                at=self.now(),
                outcome=AttemptOutcome(outcome),
                whom=clean_field(whom, "whom"),
                reference=clean_field(reference, "reference number"),
                hold_minutes=hold_minutes,
                detail=clean_note_text(detail) if detail.strip() else "",
            )
        )

    def attempts(self, case_id: int) -> list[SchedulingAttempt]:
        return self.store.attempts(case_id)

    def archive(self) -> list[ArchiveRow]:
        return self.store.archive()

    def history(self) -> list[Any]:
        """The practice's reversal rates and times (p2pdesk.playbook.analytics)."""
        from p2pdesk.playbook.analytics import history

        cases: dict[int, Case] = {}
        pairs = []
        for call in self.store.all_calls():
            if call.disposition is None:
                continue
            if call.case_id not in cases:
                cases[call.case_id] = self.store.get_case(call.case_id)
            pairs.append((cases[call.case_id], call))
        return history(pairs)

    # Follow-ups -------------------------------------------------------------------------------

    def follow_ups(self, *, open_only: bool = True) -> list[FollowUpItem]:
        return self.store.follow_ups(open_only=open_only)

    def complete_follow_up(self, follow_up_id: int, how: str) -> FollowUpItem:
        """Mark a follow-up done now, saying how it was confirmed (fax, portal, EOB of a date...).

        One already marked done (on another desk whose list still showed it open, or at the same
        moment) is refused, naming when (local time) and how; that first confirmation is kept."""
        how = clean_field(how, "how it was confirmed", limit=200)
        if not how:
            raise InvalidInput(Problem("how it was confirmed", "is empty: say how (fax, portal, phone, EOB)"))
        item, marked = self.store.complete_follow_up(follow_up_id, self.now(), how)
        if not marked:
            when = item.done_at.astimezone().strftime("%Y-%m-%d %H:%M") if item.done_at else "?"
            raise InvalidInput(
                Problem(
                    "follow-up",
                    f"was already marked done at {when} ({item.done_how}); that confirmation stands and nothing "
                    "was changed",
                )
            )
        return item

    # Calls -----------------------------------------------------------------------------------

    def call(self, call_id: int) -> Call:
        return self.store.get_call(call_id)

    def notes(self, call_id: int) -> list[Note]:
        return self.store.notes(call_id)

    def call_in_progress(self) -> Call | None:
        """This desk's call in progress (another desk's, in a shared store, is that desk's)."""
        return self.store.call_in_progress(self._own_desks())

    def _own_desks(self) -> tuple[str, ...]:
        """The desk names whose calls are this desk's: its own; and in a SQLite file, one desk's
        store, also calls from before desks had names (""). In a shared store such a call is
        taken over deliberately, like any other desk's."""
        return (self.desk_id, "") if self.store.engine.dialect.name == "sqlite" else (self.desk_id,)

    def is_mine(self, call: Call) -> bool:
        """Whether this desk writes to ``call`` while it is in progress."""
        return call.desk in self._own_desks()

    def start_call(self, case_id: int) -> Call:
        """Start a call now. One call at a time at a desk (a call still open must be ended
        first), and one at a time on a case, at whatever desk."""
        open_call = self.call_in_progress()
        if open_call is not None:
            raise InvalidInput(
                Problem("call", f"call {open_call.id} is still in progress; end it before starting another")
            )
        try:
            return self.store.add_call(Call(case_id=case_id, started_at=self.now(), desk=self.desk_id))
        except CallOnCase as exc:  # checked and stored in one transaction: two desks cannot both start one
            raise InvalidInput(
                Problem(
                    "call",
                    f"a call on this case is in progress at another desk since "
                    f"{local_when(exc.call.started_at, self.now())}; "  # type: ignore[attr-defined]
                    "open it from Home (Ctrl+H) to take it over here",
                )
            ) from None

    def take_over(self, call_id: int) -> Call:
        """Go on with a call in progress that another desk started (the physician moved rooms, or
        that desk's user folder was lost with its name): from now on it is this desk's, and the
        other can no longer write to it. Not while this desk has a call of its own in progress."""
        call = self.store.get_call(call_id)
        if not call.in_progress:
            raise InvalidInput(Problem("call", "this call has ended; there is nothing to take over"))
        own = self.call_in_progress()
        if own is not None and own.id != call.id:
            raise InvalidInput(Problem("call", f"call {own.id} is in progress at this desk; end it first"))
        if not self.store.move_call(call_id, from_desk=call.desk, to_desk=self.desk_id):
            raise InvalidInput(Problem("call", "this call ended or moved meanwhile; open it again from Home"))
        self.add_note(
            call_id,
            NoteKind.PROCEDURAL,
            "Call moved to another desk of the practice; the notes from here on were taken there",
        )
        return self.store.get_call(call_id)

    def _open_call(self, call_id: int) -> Call:
        call = self.store.get_call(call_id)
        if not call.in_progress:
            raise InvalidInput(Problem("call", "this call has ended; its notes can no longer change"))
        return self._at_this_desk(call)

    def _at_this_desk(self, call: Call) -> Call:
        """``call``, when this desk may write to it: another desk's live call is written there."""
        if call.in_progress and not self.is_mine(call):
            raise InvalidInput(Problem("call", "this call is being taken at another desk; its notes are written there"))
        return call

    def add_note(
        self, call_id: int, kind: NoteKind, text: str, *, criterion: int | None = None, entry_key: str | None = None
    ) -> Note:
        """Append a note stamped now; durable on disk when this returns. ``entry_key``: made when
        the note was first sent; sent again with it (the first answer lost), the note stored the
        first time is returned and nothing is stored twice."""
        self._open_call(call_id)
        return self.store.add_note(self._note(call_id, kind, text, criterion=criterion, entry_key=entry_key))

    def _note(
        self, call_id: int, kind: NoteKind, text: str, *, criterion: int | None = None, entry_key: str | None = None
    ) -> Note:
        """A note stamped now, its text checked and cleaned as every note's is (not yet stored)."""
        cleaned = clean_note_text(text)
        return Note(
            call_id=call_id, at=self.now(), kind=NoteKind(kind), text=cleaned, criterion=criterion, entry_key=entry_key
        )

    def set_reviewer(
        self, call_id: int, name: str, credentials: str, specialty: str, *, entry_key: str | None = None
    ) -> Note:
        """Put the reviewer on the record, and log that it was done and when. ``entry_key``: as for
        add_note (sent again after its answer was lost, nothing is logged twice)."""
        call = self._open_call(call_id)
        call.reviewer_name = clean_field(name, "reviewer name")
        call.reviewer_credentials = clean_field(credentials, "reviewer credentials")
        call.reviewer_specialty = clean_field(specialty, "reviewer specialty")
        if not call.reviewer_name:  # credentials alone do not say who decided
            raise InvalidInput(Problem("reviewer name", "is empty; ask for name, credentials and specialty"))
        said = f"Reviewer on the record: {call.reviewer_display}"
        notes = [self._note(call_id, NoteKind.OTHER, said, entry_key=entry_key)]
        mismatch = self._specialty_mismatch(call)
        if mismatch is not None:  # logged with the reviewer, in the same transaction
            also = None if entry_key is None else logged_with(entry_key)
            notes.append(self._note(call_id, NoteKind.PROCEDURAL, mismatch, entry_key=also))
        return self.store.change_call(call, notes)[0]

    def _specialty_mismatch(self, call: Call) -> str | None:
        """A reviewer outside the case's specialty is a procedural fact for the appeal, logged at once:
        what the note says, with the rule (if any) the same-specialty request rests on; None when
        the specialties match or one is not known."""
        from p2pdesk.playbook.rules import case_stage, load_rules, specialty_rule
        from p2pdesk.playbook.script import similar_may_meet
        from p2pdesk.playbook.specialties import match

        case = self.store.get_case(call.case_id)
        if not call.reviewer_specialty or not case.physician_specialty:
            return None
        found = match(case.physician_specialty, call.reviewer_specialty)
        if found.verdict not in ("similar", "different"):
            return None
        # A practice rules file that cannot be used is left out: the call goes on (the window names it).
        rule = specialty_rule(load_rules(problems=[]), case.state, case.plan_type, case_stage(case))
        if found.verdict == "similar":  # a fact for the appeal; a rule met by a related specialty is not breached
            basis = (
                f"a {case.physician_specialty} reviewer requested under {rule.citation}"
                if rule is not None and rule.is_demand and not similar_may_meet(rule)
                else f"a {case.physician_specialty} reviewer asked for as a request"
            )
            return f"Reviewer specialty not the case's: {found.sentence()}; {basis}"
        basis = (
            f"same-specialty review requested under {rule.citation}"
            if rule is not None and rule.is_demand
            else "same-specialty review asked for as a request (no rule on file requires it at this stage)"
        )
        return f"Reviewer specialty mismatch: {found.sentence()}; {basis}"

    def tick_criterion(self, call_id: int, case: Case, number: int) -> Note:
        """Log that policy criterion ``number`` (1-based) was addressed; once in a call (ticked
        again, the tick sent again after its answer was lost, say: the note logged first)."""
        if not 1 <= number <= len(case.criteria):
            raise InvalidInput(Problem("criterion", f"there is no criterion {number} in this case's policy"))
        text = case.criteria[number - 1].text
        return self.add_note(
            call_id,
            NoteKind.OUR_POINT,
            f"Criterion {number} addressed: {text}",
            criterion=number,
            entry_key=f"criterion {number} of call {call_id}",
        )

    def set_disposition(
        self,
        call_id: int,
        disposition: Disposition,
        *,
        authorization_number: str = "",
        stated_reasoning: str = "",
        information_requested: str = "",
        requested_by: date | None = None,
        alternative_offer: str = "",
        entry_key: str | None = None,
    ) -> Note:
        """Record how the call ended; logged as an outcome note with the time it was said
        (``entry_key``: as for add_note).

        Each disposition keeps its own details (reversed: the authorization number; upheld: the
        stated reasoning; deferred: what was requested and by when); details given for another
        disposition, such as those of an earlier choice changed on the call, are not kept."""
        from p2pdesk.playbook.clock import local_day, practice_zone

        call = self._open_call(call_id)
        disposition = Disposition(disposition)
        if disposition is not Disposition.REVERSED:
            authorization_number = ""
        if disposition is not Disposition.UPHELD:
            stated_reasoning = ""
        if disposition is not Disposition.DEFERRED:
            information_requested, requested_by = "", None
        auth = clean_field(authorization_number, "authorization number", limit=100)
        reasoning = clean_note_text(stated_reasoning) if stated_reasoning.strip() else ""
        requested = clean_note_text(information_requested) if information_requested.strip() else ""
        check_disposition(
            disposition,
            authorization_number=auth,
            stated_reasoning=reasoning,
            information_requested=requested,
        )
        # The day of the call where the practice is: a call at 17:30 in California is already the
        # next day in UTC, and "by today" must still be accepted.
        if requested_by is not None and requested_by < local_day(call.started_at, practice_zone()):
            raise InvalidInput(Problem("requested by", f"{requested_by} is before the call"))
        call.disposition = disposition
        call.authorization_number = auth
        call.stated_reasoning = reasoning
        call.information_requested = requested
        call.requested_by = requested_by
        call.alternative_offer = clean_note_text(alternative_offer) if alternative_offer.strip() else ""
        detail = {
            Disposition.REVERSED: f"authorization number {auth}",
            Disposition.UPHELD: f"stated reasoning: {reasoning}",
            Disposition.DEFERRED: f"requested: {requested}"
            + (f", by {requested_by.isoformat()}" if requested_by else ""),
        }[disposition]
        if call.alternative_offer:
            detail += f"; alternative offered: {call.alternative_offer}"
        said = f"Disposition {disposition.label.lower()}: {detail}"
        return self.store.change_call(call, [self._note(call_id, NoteKind.OUTCOME, said, entry_key=entry_key)])[0]

    def set_educational_only(self, call_id: int, educational: bool, *, entry_key: str | None = None) -> Note:
        """Record that the plan calls this P2P "educational only" (it cannot reverse the denial), or
        that it no longer does; logged with the time, as a procedural fact for the appeal
        (``entry_key``: as for add_note)."""
        call = self._open_call(call_id)
        call.educational_only = educational
        text = (
            "The plan says this peer-to-peer is educational only: it cannot reverse the denial"
            if educational
            else "Correction: the peer-to-peer is not educational only"
        )
        return self.store.change_call(call, [self._note(call_id, NoteKind.PROCEDURAL, text, entry_key=entry_key)])[0]

    def end_call(self, call_id: int) -> Call:
        """Stamp the call's end; after this its notes are closed."""
        call = self._at_this_desk(self.store.get_call(call_id))
        ended_at = self.now()
        check_end(call, ended_at)
        call.ended_at = ended_at
        self.store.save_call(call)
        return call


#: What a denial is known by, kept without the spaces around it: a number copied with a trailing
#: space is the same number (one case per denial), and the same on every paper it is printed on.
_IDENTIFIERS = ("member_id", "group_number", "claim_number", "authorization_number", "physician_npi")


def logged_with(entry_key: str) -> str:
    """The key of the note a change sent with ``entry_key`` logs after its own (the specialty
    mismatch after the reviewer's): made from it, so that the change sent again logs it once."""
    import uuid  # (not imported at start-up)

    return str(uuid.uuid5(uuid.UUID(_LOGGED_WITH), entry_key))


#: The namespace logged_with's keys are made in.
_LOGGED_WITH = "9b0d3c6e-5a4f-4f7e-8d2a-6c1e0b7f3a51"


def _trimmed(case: Case, kept: Case | None = None) -> Case:
    """``case`` with its identifiers trimmed; one left as ``kept`` (the case as stored) holds it
    is left as it is (a signed record names it so)."""
    for name in _IDENTIFIERS:
        value = getattr(case, name)
        if kept is None or value != getattr(kept, name):
            setattr(case, name, value.strip())
    return case


def _on_file(case: Case, held: int) -> InvalidInput:
    """The refusal of a second case of a denial already on file as case ``held``."""
    return InvalidInput(
        Problem(
            "claim number",
            f"{case.claim_number!r} of member {case.member_id!r} is already on file as case {held}; "
            "open and edit that case instead",
        )
    )


def _case_file_problems(case: Case) -> list[Problem]:
    """What keeps ``case`` from being a case file: a value in another form, dates out of order.
    A draft's missing sections are not counted (the readiness list shows them)."""
    from p2pdesk.schemas import schema_problems
    from p2pdesk.services.casefile import case_to_dict, date_order_problems

    data = case_to_dict(case)
    problems = [
        p
        for p in schema_problems("case.schema.json", data)
        if "[" in p.field or p.message != "is required but missing"  # a section's own gap is a draft's
    ]
    return problems + date_order_problems(data)
