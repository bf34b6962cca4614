"""Who signs, and how: a physician's key pair in the OS keyring, or a practice's PKCS#12 file.

A private key is never written to disk in plaintext and never stored in the database: a key
made here lives only in the OS keyring (Secret Service, macOS Keychain, Windows Credential
Locker); an imported PKCS#12 file stays encrypted, and its password lives in the keyring. Where
no secure keyring is available the desk says so and how to fix it, and does not sign.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from io import BytesIO

import keyring
import keyring.backend
import keyring.errors
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils import embed
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from p2pdesk.domain.sealed import SignerIdentity
from p2pdesk.record.pdf import SIGNATURE_BOX
from p2pdesk.resources import resource_path

KEYRING_SERVICE = "p2pdesk"
RECORD_ATTACHMENT = "record.json"
#: The name under which an appeal packet carries the signed record, byte for byte.
SIGNED_RECORD_NAME = "call-record-signed.pdf"
SIGNATURE_FIELD = "CallRecordSignature"

#: Keyring backends that keep secrets in plaintext or nowhere: never used for a signing key.
_INSECURE = {
    "fail.Keyring",
    "null.Keyring",
    "keyrings.alt.file.PlaintextKeyring",
    "keyring.backends.fail.Keyring",
}
#: Encrypted file keyrings, acceptable only when the user chose one explicitly.
_ENCRYPTED_FILE = {"keyrings.cryptfile.cryptfile.CryptFileKeyring", "keyrings.alt.file.EncryptedKeyring"}


class SigningUnavailable(RuntimeError):
    """Signing cannot happen here; the message says why and how to fix it."""


def _backend_name(backend: keyring.backend.KeyringBackend) -> str:
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def check_keyring() -> keyring.backend.KeyringBackend:
    """The keyring to keep signing secrets in, or SigningUnavailable saying how to get one."""
    backend = keyring.get_keyring()
    name = _backend_name(backend)
    short = f"{type(backend).__module__.rsplit('.', 1)[-1]}.{type(backend).__qualname__}"
    if name in _INSECURE or short in _INSECURE or getattr(backend, "priority", 0) <= 0 and name not in _ENCRYPTED_FILE:
        raise SigningUnavailable(
            "No secure keyring is available to keep the signing key, so the record cannot be signed. "
            "On a Linux desktop, install and unlock GNOME Keyring or KWallet (the Secret Service); on a "
            "machine without one, choose an encrypted file keyring explicitly, e.g. "
            "PYTHON_KEYRING_BACKEND=keyrings.cryptfile.cryptfile.CryptFileKeyring. "
            "p2pdesk never keeps a private key in a plain file."
        )
    return backend


def _set_secret(key: str, secret: str) -> None:
    check_keyring()
    try:
        keyring.set_password(KEYRING_SERVICE, key, secret)
    except keyring.errors.KeyringError as exc:
        raise SigningUnavailable(f"The keyring refused to keep the signing secret: {exc}") from exc


def _get_secret(key: str) -> str | None:
    check_keyring()
    try:
        return keyring.get_password(KEYRING_SERVICE, key)
    except keyring.errors.KeyringError as exc:
        raise SigningUnavailable(f"The keyring could not be read: {exc}") from exc


def keyring_key(npi: str, name: str) -> str:
    """The keyring entry of a physician's signing secret."""
    return f"signing-key:{npi}" if npi else f"signing-key:{name}"


def new_identity(name: str, credentials: str, npi: str, now: datetime | None = None) -> SignerIdentity:
    """Make a key pair and a self-signed certificate (name and NPI in the subject); the private
    key goes straight into the keyring."""
    identity, keep_key = make_identity(name, credentials, npi, now)
    keep_key()
    return identity


def make_identity(
    name: str, credentials: str, npi: str, now: datetime | None = None
) -> tuple[SignerIdentity, Callable[[], None]]:
    """A self-signed certificate (name and NPI in the subject) for the key the keyring keeps for
    this physician, or for a new key pair; and what puts a new key into the keyring (nothing to
    do for a kept one). Whoever stores the identity calls it once the identity is the one stored,
    so that the key in the keyring is always the one the stored certificate is for (two desks
    making a physician's first identity at once each make a key, and only one is stored)."""
    now = now or datetime.now(UTC)
    entry = keyring_key(npi, name)
    kept = _get_secret(entry)
    if kept is None:
        key = ec.generate_private_key(ec.SECP256R1())
    else:
        # Another database on this computer already signs for this physician with the key kept
        # there: this one certifies the same key, so that neither's signatures stop matching.
        try:
            key = serialization.load_pem_private_key(kept.encode("ascii"), password=None)
        except (ValueError, TypeError, UnicodeEncodeError):
            raise SigningUnavailable(
                f"The keyring already keeps a certificate password for {name} (a practice certificate "
                "imported into another database): import that certificate here too (import-certificate)"
            ) from None
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise SigningUnavailable(f"The keyring's signing key for {name} is not one p2pdesk made")
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, f"{name}, {credentials}" if credentials else name)]
    if npi:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"NPI {npi}"))
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, npi))
    attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, "p2pdesk (self-signed)"))
    subject = x509.Name(attributes)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    identity = SignerIdentity(
        name=name,
        npi=npi,
        kind="generated",
        keyring_key=entry,
        cert_pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        created_at=now,
    )
    if kept is not None:
        return identity, lambda: None
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    return identity, lambda: _set_secret(entry, pem_key)


def certifies_kept_key(identity: SignerIdentity) -> bool:
    """Whether an identity made here is a certificate for the key the keyring keeps for it. True
    as well when the keyring keeps none (signing then says so), a secret that is no key of ours
    (idem), and for a practice's PKCS#12 file (it holds its own key)."""
    if identity.kind != "generated":
        return True
    kept = _get_secret(identity.keyring_key)
    if kept is None:
        return True
    try:
        key = serialization.load_pem_private_key(kept.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError):
        return True
    return public_key(identity.cert_pem) == key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def pkcs12_identity(data: bytes, password: str, name: str, npi: str, now: datetime | None = None) -> SignerIdentity:
    """A practice's own PKCS#12 certificate: checked now, kept encrypted, its password in the keyring."""
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(data, other_certs=None, passphrase=password.encode())
    except Exception as exc:  # noqa: BLE001 - any failure here means a wrong password or a bad file
        raise SigningUnavailable(
            f"The PKCS#12 file could not be opened (wrong password or not a .p12/.pfx): {exc}"
        ) from exc
    if signer is None or signer.signing_cert is None:
        raise SigningUnavailable("The PKCS#12 file holds no certificate with a private key")
    entry = keyring_key(npi, name)
    _set_secret(entry, password)
    cert_pem = "-----BEGIN CERTIFICATE-----\n" + _b64(signer.signing_cert.dump()) + "-----END CERTIFICATE-----\n"
    return SignerIdentity(
        name=name,
        npi=npi,
        kind="pkcs12",
        keyring_key=entry,
        cert_pem=cert_pem,
        created_at=now or datetime.now(UTC),
        pkcs12=data,
    )


def _b64(der: bytes) -> str:
    import base64

    raw = base64.b64encode(der).decode("ascii")
    return "".join(raw[i : i + 64] + "\n" for i in range(0, len(raw), 64))


def load_signer(identity: SignerIdentity) -> signers.Signer:
    """A pyHanko signer for an identity, its secret read from the keyring."""
    secret = _get_secret(identity.keyring_key)
    if secret is None:
        raise SigningUnavailable(
            f"The signing secret of {identity.name} is not in this computer's keyring; "
            "import the practice's certificate again, or sign on the computer that made the key."
        )
    if identity.kind == "pkcs12":
        signer = signers.SimpleSigner.load_pkcs12_data(identity.pkcs12, other_certs=None, passphrase=secret.encode())
        if signer is None:
            raise SigningUnavailable("The PKCS#12 file could not be opened with the password in the keyring")
        return signer
    cert = load_certs_from_pemder_data(identity.cert_pem.encode("ascii"))
    certificate = next(iter(cert))
    key = load_private_key_from_pemder_data(secret.encode("ascii"), passphrase=None)
    return signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([certificate]),
    )


def public_key(cert_pem: str) -> bytes:
    """The certificate's public key, as DER (SubjectPublicKeyInfo)."""
    key = x509.load_pem_x509_certificate(cert_pem.encode("ascii")).public_key()
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprint(cert_pem: str) -> str:
    """SHA-256 of the certificate's DER bytes, as hex."""
    der = x509.load_pem_x509_certificate(cert_pem.encode("ascii")).public_bytes(serialization.Encoding.DER)
    return hashlib.sha256(der).hexdigest()


def _stamp_text_style(signer_name: str) -> TextBoxStyle:
    """The signature block's text style: PDF's built-in font when the signer's name is Latin-1
    (fast: nothing to embed), else the embedded DejaVu Sans, subset to the glyphs used."""
    try:
        signer_name.encode("latin-1")
    except UnicodeEncodeError:
        from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory

        logging.getLogger("fontTools").setLevel(logging.ERROR)  # it reports tables it drops when subsetting
        return TextBoxStyle(font=GlyphAccumulatorFactory(str(resource_path("fonts", "DejaVuSans.ttf"))), font_size=8)
    return TextBoxStyle(font_size=8)


def sign_record(pdf: bytes, record_json: bytes, signer: signers.Signer, signer_name: str) -> bytes:
    """Attach the structured record to the PDF and sign both (PAdES), with a visible signature block
    in the box the page keeps free for it."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    attachment = embed.EmbeddedFileObject.from_file_data(writer, data=record_json, mime_type="application/json")
    embed.embed_file(
        writer,
        embed.FileSpec(
            file_spec_string=RECORD_ATTACHMENT,
            embedded_data=attachment,
            description="The structured call record (p2pdesk-record/1)",
        ),
    )
    style = TextStampStyle(
        stamp_text="Digitally signed by %(signer)s\n%(ts)s",
        timestamp_format="%Y-%m-%d %H:%M:%S %Z",
        text_box_style=_stamp_text_style(signer_name),
        border_width=1,
    )
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason="Peer-to-peer review call record, sealed",
        name=signer_name,
    )
    x0, y0, x1, y1 = SIGNATURE_BOX
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(SIGNATURE_FIELD, on_page=0, box=(int(x0), int(y0), int(x1), int(y1))),
    )
    out = pdf_signer.sign_pdf(writer)
    return out.getvalue()
