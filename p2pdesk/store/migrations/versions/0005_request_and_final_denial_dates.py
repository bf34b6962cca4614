"""request and final denial dates

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild): the case table is referenced by calls and lists.
    op.add_column("case", sa.Column("requested_on", sa.Date(), nullable=True))
    op.add_column("case", sa.Column("final_denial_date", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_column("final_denial_date")
        batch_op.drop_column("requested_on")
