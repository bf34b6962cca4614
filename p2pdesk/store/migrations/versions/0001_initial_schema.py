"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("patient_dob", sa.Date(), nullable=True),
        sa.Column("patient_mrn", sa.String(length=200), server_default="", nullable=False),
        sa.Column("member_id", sa.String(length=200), server_default="", nullable=False),
        sa.Column("group_number", sa.String(length=200), server_default="", nullable=False),
        sa.Column("claim_number", sa.String(length=200), server_default="", nullable=False),
        sa.Column("authorization_number", sa.String(length=200), server_default="", nullable=False),
        sa.Column("payer", sa.String(length=200), server_default="", nullable=False),
        sa.Column("plan_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column(
            "plan_type",
            sa.Enum(
                "erisa",
                "aca_marketplace",
                "medicare_advantage",
                "medicaid_managed_care",
                "state_commercial",
                "other",
                name="plantype",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("state", sa.String(length=2), server_default="", nullable=False),
        sa.Column("physician_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("physician_credentials", sa.String(length=200), server_default="", nullable=False),
        sa.Column("physician_specialty", sa.String(length=200), server_default="", nullable=False),
        sa.Column("physician_npi", sa.String(length=10), server_default="", nullable=False),
        sa.Column("diagnosis_code", sa.String(length=10), nullable=False),
        sa.Column("diagnosis_description", sa.Text(), server_default="", nullable=False),
        sa.Column("service_code", sa.String(length=10), nullable=False),
        sa.Column("service_description", sa.Text(), server_default="", nullable=False),
        sa.Column("service_start", sa.Date(), nullable=True),
        sa.Column("service_end", sa.Date(), nullable=True),
        sa.Column("denial_date", sa.Date(), nullable=True),
        sa.Column("denial_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("denial_code", sa.String(length=200), server_default="", nullable=False),
        sa.Column("bottom_line", sa.Text(), server_default="", nullable=False),
        sa.Column("consequence", sa.Text(), server_default="", nullable=False),
        sa.Column("policy_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("policy_number", sa.String(length=200), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("reviewer_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("reviewer_credentials", sa.String(length=200), server_default="", nullable=False),
        sa.Column("reviewer_specialty", sa.String(length=200), server_default="", nullable=False),
        sa.Column(
            "disposition",
            sa.Enum("reversed", "upheld", "deferred", name="disposition", native_enum=False, length=40),
            nullable=True,
        ),
        sa.Column("authorization_number", sa.String(length=200), server_default="", nullable=False),
        sa.Column("stated_reasoning", sa.Text(), server_default="", nullable=False),
        sa.Column("information_requested", sa.Text(), server_default="", nullable=False),
        sa.Column("requested_by", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_case_id"), ["case_id"], unique=False)

    op.create_table(
        "comorbidity",
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("comorbidity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comorbidity_case_id"), ["case_id"], unique=False)

    op.create_table(
        "guideline_citation",
        sa.Column("organization", sa.String(length=200), server_default="", nullable=False),
        sa.Column("title", sa.Text(), server_default="", nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("recommendation", sa.String(length=200), server_default="", nullable=False),
        sa.Column("pmid", sa.String(length=20), server_default="", nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("guideline_citation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guideline_citation_case_id"), ["case_id"], unique=False)

    op.create_table(
        "objection",
        sa.Column("objection", sa.Text(), server_default="", nullable=False),
        sa.Column("answer", sa.Text(), server_default="", nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("objection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_objection_case_id"), ["case_id"], unique=False)

    op.create_table(
        "policy_criterion",
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.Column("patient_fact", sa.Text(), server_default="", nullable=False),
        sa.Column("evidence", sa.Text(), server_default="", nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("policy_criterion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_criterion_case_id"), ["case_id"], unique=False)

    op.create_table(
        "prior_treatment",
        sa.Column("therapy", sa.String(length=200), server_default="", nullable=False),
        sa.Column("dose", sa.String(length=200), server_default="", nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("outcome", sa.Text(), server_default="", nullable=False),
        sa.Column("why_stopped", sa.Text(), server_default="", nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("prior_treatment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prior_treatment_case_id"), ["case_id"], unique=False)

    op.create_table(
        "severity_measure",
        sa.Column("name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("value", sa.String(length=200), server_default="", nullable=False),
        sa.Column("unit", sa.String(length=200), server_default="", nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("severity_measure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_severity_measure_case_id"), ["case_id"], unique=False)

    op.create_table(
        "note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "reviewer_claim",
                "our_point",
                "info_requested",
                "procedural_objection",
                "outcome",
                "other",
                name="notekind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.Column("criterion", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["call_id"], ["call.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_note_call_id"), ["call_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_call_id"))

    op.drop_table("note")
    with op.batch_alter_table("severity_measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_severity_measure_case_id"))

    op.drop_table("severity_measure")
    with op.batch_alter_table("prior_treatment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prior_treatment_case_id"))

    op.drop_table("prior_treatment")
    with op.batch_alter_table("policy_criterion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_criterion_case_id"))

    op.drop_table("policy_criterion")
    with op.batch_alter_table("objection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objection_case_id"))

    op.drop_table("objection")
    with op.batch_alter_table("guideline_citation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guideline_citation_case_id"))

    op.drop_table("guideline_citation")
    with op.batch_alter_table("comorbidity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comorbidity_case_id"))

    op.drop_table("comorbidity")
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_case_id"))

    op.drop_table("call")
    op.drop_table("case")
