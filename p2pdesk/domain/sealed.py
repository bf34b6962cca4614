"""A signed record version as kept, and a signing identity as the store knows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class SealedRecord:
    """One signed version of a call's record: the structured record and the signed PDF's bytes."""

    call_id: int
    version: int
    sealed_at: datetime
    digest: str
    chain_head: str
    record_json: str
    pdf: bytes
    pdf_sha256: str
    signer_name: str
    signer_fingerprint: str
    id: int | None = None


@dataclass
class SignerIdentity:
    """Who signs: the certificate (public) and where the keyring keeps the secret.

    ``kind`` is "generated" (a key made here; its PEM is in the keyring) or "pkcs12" (a practice's
    own certificate file, kept encrypted in ``pkcs12``; its password is in the keyring).
    """

    name: str
    npi: str
    kind: str
    keyring_key: str
    cert_pem: str
    created_at: datetime
    pkcs12: bytes | None = None
    id: int | None = None
