"""scheduling log

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduling_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum("scheduled", "failed", name="attemptoutcome", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("whom", sa.String(length=200), server_default="", nullable=False),
        sa.Column("reference", sa.String(length=200), server_default="", nullable=False),
        sa.Column("hold_minutes", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("scheduling_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scheduling_attempt_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("scheduling_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduling_attempt_case_id"))

    op.drop_table("scheduling_attempt")
