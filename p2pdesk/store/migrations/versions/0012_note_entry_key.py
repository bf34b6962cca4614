"""a note's entry key: the same note sent twice is stored once

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Notes made before this revision have none (NULL: any number of them).
    op.add_column("note", sa.Column("entry_key", sa.String(36), nullable=True))
    op.create_index("ix_note_entry_key", "note", ["entry_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_note_entry_key", table_name="note")
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.drop_column("entry_key")
