"""The tables, as typed SQLAlchemy 2 models.

Column names equal the domain dataclasses' field names, so rows and domain objects map by name
(see ``p2pdesk.store.mapping``). The schema itself is owned by the Alembic migrations; a test
fails when these models and the migrations drift apart.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.expression import false

from p2pdesk.domain.call import Disposition, NoteKind
from p2pdesk.domain.case import PlanType
from p2pdesk.domain.scheduling import AttemptOutcome


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC instant. SQLite keeps no zone, so naive values are refused on the way in
    and every value comes back marked as UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store aware UTC instants only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


intpk = Annotated[int, mapped_column(Integer, primary_key=True)]
long_text = Annotated[str, mapped_column(Text, default="", server_default="")]
short_text = Annotated[str, mapped_column(String(200), default="", server_default="")]
instant = Annotated[datetime, mapped_column(UTCDateTime())]


def _enum(cls: type) -> Enum:
    """Enums are stored by value (the lower-case word), never by Python name."""
    return Enum(
        cls,
        values_callable=lambda e: [m.value for m in e],
        native_enum=False,
        validate_strings=True,
        length=40,
        name=cls.__name__.lower(),
    )


class Base(DeclarativeBase):
    pass


class CaseRow(Base):
    __tablename__ = "case"

    id: Mapped[intpk]
    patient_name: Mapped[short_text]
    patient_dob: Mapped[date | None] = mapped_column(Date)
    patient_mrn: Mapped[short_text]
    member_id: Mapped[short_text]
    group_number: Mapped[short_text]
    claim_number: Mapped[short_text]
    authorization_number: Mapped[short_text]
    payer: Mapped[short_text]
    plan_name: Mapped[short_text]
    plan_type: Mapped[PlanType] = mapped_column(_enum(PlanType))
    state: Mapped[str] = mapped_column(String(2), default="", server_default="")
    physician_name: Mapped[short_text]
    physician_credentials: Mapped[short_text]
    physician_specialty: Mapped[short_text]
    physician_npi: Mapped[str] = mapped_column(String(10), default="", server_default="")
    diagnosis_code: Mapped[str] = mapped_column(String(10))
    diagnosis_description: Mapped[long_text]
    service_code: Mapped[str] = mapped_column(String(10))
    service_description: Mapped[long_text]
    service_start: Mapped[date | None] = mapped_column(Date)
    service_end: Mapped[date | None] = mapped_column(Date)
    denial_date: Mapped[date | None] = mapped_column(Date)
    requested_on: Mapped[date | None] = mapped_column(Date)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    appeal_filed_on: Mapped[date | None] = mapped_column(Date)
    final_denial_date: Mapped[date | None] = mapped_column(Date)
    external_review_requested_on: Mapped[date | None] = mapped_column(Date)
    denial_reason: Mapped[long_text]
    denial_code: Mapped[short_text]
    bottom_line: Mapped[long_text]
    consequence: Mapped[long_text]
    policy_name: Mapped[short_text]
    policy_number: Mapped[short_text]
    created_at: Mapped[instant]


class _CaseChild:
    """Columns every row of a brief table has: its case and its place in the list."""

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)


class ComorbidityRow(_CaseChild, Base):
    __tablename__ = "comorbidity"

    text: Mapped[long_text]


class SeverityMeasureRow(_CaseChild, Base):
    __tablename__ = "severity_measure"

    name: Mapped[short_text]
    value: Mapped[short_text]
    unit: Mapped[short_text]
    measured_on: Mapped[date | None] = mapped_column(Date)


class PriorTreatmentRow(_CaseChild, Base):
    __tablename__ = "prior_treatment"

    therapy: Mapped[short_text]
    dose: Mapped[short_text]
    start: Mapped[date | None] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[long_text]
    why_stopped: Mapped[long_text]


class GuidelineCitationRow(_CaseChild, Base):
    __tablename__ = "guideline_citation"

    organization: Mapped[short_text]
    title: Mapped[long_text]
    year: Mapped[int | None] = mapped_column(Integer)
    recommendation: Mapped[short_text]
    pmid: Mapped[str] = mapped_column(String(20), default="", server_default="")


class PolicyCriterionRow(_CaseChild, Base):
    __tablename__ = "policy_criterion"

    text: Mapped[long_text]
    patient_fact: Mapped[long_text]
    evidence: Mapped[long_text]


class ObjectionRow(_CaseChild, Base):
    __tablename__ = "objection"

    objection: Mapped[long_text]
    answer: Mapped[long_text]


class CallRow(Base):
    __tablename__ = "call"

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="RESTRICT"), index=True)
    started_at: Mapped[instant]
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewer_name: Mapped[short_text]
    reviewer_credentials: Mapped[short_text]
    reviewer_specialty: Mapped[short_text]
    disposition: Mapped[Disposition | None] = mapped_column(_enum(Disposition))
    authorization_number: Mapped[short_text]
    stated_reasoning: Mapped[long_text]
    information_requested: Mapped[long_text]
    requested_by: Mapped[date | None] = mapped_column(Date)
    sealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    educational_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    alternative_offer: Mapped[long_text]
    #: The desk the call is taken at (p2pdesk.config.desk_id); "" for calls from before desks had names.
    desk: Mapped[str] = mapped_column(String(64), default="", server_default="")


class NoteRow(Base):
    __tablename__ = "note"

    id: Mapped[intpk]
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="RESTRICT"), index=True)
    at: Mapped[instant]
    kind: Mapped[NoteKind] = mapped_column(_enum(NoteKind))
    text: Mapped[long_text]
    criterion: Mapped[int | None] = mapped_column(Integer)
    addendum: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    chain_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    #: Made by the desk when the note is sent; the same note sent again is not stored again.
    entry_key: Mapped[str | None] = mapped_column(String(36), unique=True, index=True)


class SchedulingAttemptRow(Base):
    """One attempt to schedule the P2P with the plan (append-only)."""

    __tablename__ = "scheduling_attempt"

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    at: Mapped[instant]
    outcome: Mapped[AttemptOutcome] = mapped_column(_enum(AttemptOutcome))
    whom: Mapped[short_text]
    reference: Mapped[short_text]
    hold_minutes: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[long_text]


class FollowUpRow(Base):
    """A follow-up after a sealed call; the designee marks it done (when, and how it was confirmed)."""

    __tablename__ = "follow_up"

    id: Mapped[intpk]
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="RESTRICT"), index=True)
    what: Mapped[long_text]
    due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_how: Mapped[short_text]


class SignerRow(Base):
    """A physician's signing identity: the certificate (public) and, for an imported PKCS#12
    file, its still-encrypted bytes. Private keys and passwords live in the OS keyring only."""

    __tablename__ = "signer"

    id: Mapped[intpk]
    npi: Mapped[str] = mapped_column(String(10), default="", server_default="")
    name: Mapped[short_text]
    kind: Mapped[str] = mapped_column(String(20))  # "generated" or "pkcs12"
    # One identity per keyring entry: the certificate of the key kept there.
    keyring_key: Mapped[str] = mapped_column(String(200), default="", server_default="", unique=True, index=True)
    cert_pem: Mapped[long_text]
    pkcs12: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[instant]


class RecordRow(Base):
    """One signed version of a call's record. Written once; never updated or deleted."""

    __tablename__ = "record"
    __table_args__ = (UniqueConstraint("call_id", "version"),)

    id: Mapped[intpk]
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="RESTRICT"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    sealed_at: Mapped[instant]
    digest: Mapped[str] = mapped_column(String(64), index=True)
    chain_head: Mapped[str] = mapped_column(String(64))
    record_json: Mapped[long_text]
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    signer_name: Mapped[short_text]
    signer_fingerprint: Mapped[str] = mapped_column(String(64))


class RecordExportRow(Base):
    """Where and when a record's signed PDF was written (an export never changes the record)."""

    __tablename__ = "record_export"

    id: Mapped[intpk]
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="RESTRICT"), index=True)
    path: Mapped[long_text]
    written_at: Mapped[instant]


#: Each list of the case (``p2pdesk.domain.case.CASE_LISTS``) and the row class that keeps it.
CASE_CHILDREN: dict[str, type[_CaseChild]] = {
    "comorbidities": ComorbidityRow,
    "severity_measures": SeverityMeasureRow,
    "prior_treatments": PriorTreatmentRow,
    "guidelines": GuidelineCitationRow,
    "criteria": PolicyCriterionRow,
    "objections": ObjectionRow,
}
