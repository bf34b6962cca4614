"""educational-only calls and alternative offers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild): the call table is referenced by notes and records.
    op.add_column("call", sa.Column("educational_only", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("call", sa.Column("alternative_offer", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.drop_column("alternative_offer")
        batch_op.drop_column("educational_only")
