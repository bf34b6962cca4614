"""the desk a call is taken at

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Calls made before this revision belong to no desk in particular ("").
    op.add_column("call", sa.Column("desk", sa.String(64), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.drop_column("desk")
