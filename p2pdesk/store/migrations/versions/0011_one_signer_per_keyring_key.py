"""one signer per keyring key

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Two desks making a physician's first signing identity at once could keep two for one keyring
    # entry. The first is kept (the one signing read, and the one the store reads now); records keep
    # their own certificate, and a desk whose keyring holds the other key certifies it when it signs.
    op.execute(
        "DELETE FROM signer WHERE id NOT IN (SELECT kept_id FROM (SELECT MIN(id) AS kept_id FROM signer "
        "GROUP BY keyring_key) AS kept)"
    )
    op.create_index("ix_signer_keyring_key", "signer", ["keyring_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_signer_keyring_key", table_name="signer")
