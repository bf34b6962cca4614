"""sealed records and signers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("npi", sa.String(length=10), server_default="", nullable=False),
        sa.Column("name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("keyring_key", sa.String(length=200), server_default="", nullable=False),
        sa.Column("cert_pem", sa.Text(), server_default="", nullable=False),
        sa.Column("pkcs12", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sealed_at", sa.DateTime(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("chain_head", sa.String(length=64), nullable=False),
        sa.Column("record_json", sa.Text(), server_default="", nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("signer_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("signer_fingerprint", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["call.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("call_id", "version"),
    )
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_call_id"), ["call_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_record_digest"), ["digest"], unique=False)

    op.create_table(
        "record_export",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), server_default="", nullable=False),
        sa.Column("written_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["record.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("record_export", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_export_record_id"), ["record_id"], unique=False)

    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_at", sa.DateTime(), nullable=True))

    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.add_column(sa.Column("addendum", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("chain_hash", sa.String(length=64), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.drop_column("chain_hash")
        batch_op.drop_column("addendum")

    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.drop_column("sealed_at")

    with op.batch_alter_table("record_export", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_export_record_id"))

    op.drop_table("record_export")
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_digest"))
        batch_op.drop_index(batch_op.f("ix_record_call_id"))

    op.drop_table("record")
    op.drop_table("signer")
