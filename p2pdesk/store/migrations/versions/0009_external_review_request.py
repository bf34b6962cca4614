"""external review request date

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild): the case table is referenced by calls and lists.
    op.add_column("case", sa.Column("external_review_requested_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_column("external_review_requested_on")
