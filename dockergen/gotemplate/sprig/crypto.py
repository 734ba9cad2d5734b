"""Sprig's crypto and security functions (§9.15): hashes of passwords, AES, keys, certs.

``cryptography`` and ``bcrypt`` are imported inside the functions, so a
template that never uses them never loads them.  Results follow Sprig's
formats (PEM block types, ``$2a$`` bcrypt, IV-prefixed base64 AES) and its
quirks (errors returned as text by ``htpasswd``/``genPrivateKey``, Go's
runtime panics on malformed AES input), because templates and the files they
write depend on them.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import hmac
import ipaddress
import secrets
import struct
from collections.abc import Iterator
from typing import Any

from ...limits import check_scan, check_text
from ..errors import GoError
from ..funcs import Function, define
from ..values import INT, LIST, STRING, UINT32, go_bytes, register_struct
from .encoding import go_b64decode

__all__ = ["FUNCTIONS", "Certificate", "CERTIFICATE", "derive_password", "pem_decode"]

FUNCTIONS: dict[str, Function] = {}


class Certificate:
    """Sprig's ``certificate`` struct: PEM texts of a certificate and its key."""

    __slots__ = ("Cert", "Key")

    def __init__(self, cert: str = "", key: str = "") -> None:
        self.Cert = cert
        self.Key = key

    def __repr__(self) -> str:
        return f"Certificate(Cert={self.Cert!r}, Key={self.Key!r})"


CERTIFICATE = register_struct(Certificate, "sprig.certificate", [("Cert", STRING), ("Key", STRING)])


# --- bcrypt ------------------------------------------------------------------------------


def _bcrypt(text: str) -> str:
    import bcrypt

    data = go_bytes(text)
    if len(data) > 72:
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
    return bcrypt.hashpw(data, bcrypt.gensalt(rounds=10, prefix=b"2a")).decode("ascii")


@define(FUNCTIONS, "bcrypt", (STRING,), STRING)
def bcrypt_hash(text: str) -> str:
    return _bcrypt(text)


@define(FUNCTIONS, "htpasswd", (STRING, STRING), STRING)
def htpasswd(user: str, password: str) -> str:
    """An htpasswd line (bcrypt); a user containing ``:`` gives Sprig's message as text."""
    if ":" in user:
        return f"invalid username: {user}"
    return f"{user}:{_bcrypt(password)}"


@define(FUNCTIONS, "randBytes", (INT,), STRING)
def rand_bytes(count: int) -> str:
    if count < 0:
        raise GoError("runtime error: makeslice: len out of range")
    check_text("randBytes", count)
    return base64.b64encode(secrets.token_bytes(count)).decode("ascii")


# --- Master Password (derivePassword) ----------------------------------------------------

_SCOPE = b"com.lyndir.masterpassword"
_TEMPLATES = {
    "maximum": ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
    "long": [
        "CvcvnoCvcvCvcv", "CvcvCvcvnoCvcv", "CvcvCvcvCvcvno", "CvccnoCvcvCvcv", "CvccCvcvnoCvcv",
        "CvccCvcvCvcvno", "CvcvnoCvccCvcv", "CvcvCvccnoCvcv", "CvcvCvccCvcvno", "CvcvnoCvcvCvcc",
        "CvcvCvcvnoCvcc", "CvcvCvcvCvccno", "CvccnoCvccCvcv", "CvccCvccnoCvcv", "CvccCvccCvcvno",
        "CvcvnoCvccCvcc", "CvcvCvccnoCvcc", "CvcvCvccCvccno", "CvccnoCvcvCvcc", "CvccCvcvnoCvcc",
        "CvccCvcvCvccno",
    ],
    "medium": ["CvcnoCvc", "CvcCvcno"],
    "short": ["Cvcn"],
    "basic": ["aaanaaan", "aannaaan", "aaannaaa"],
    "pin": ["nnnn"],
}
_CLASSES = {
    "V": "AEIOU",
    "C": "BCDFGHJKLMNPQRSTVWXYZ",
    "v": "aeiou",
    "c": "bcdfghjklmnpqrstvwxyz",
    "A": "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
    "a": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
    "n": "0123456789",
    "o": "@&%?,=[]_:-+*$#!'^~;()/.",
    "x": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
}


def derive_password(counter: int, kind: str, password: str, user: str, site: str) -> str:
    """Master Password v3: scrypt of the master password, HMAC of the site, then a template."""
    templates = _TEMPLATES.get(kind)
    if templates is None:
        return f"cannot find password template {kind}"
    user_bytes, site_bytes = go_bytes(user), go_bytes(site)
    salt = _SCOPE + struct.pack(">I", len(user_bytes)) + user_bytes
    key = hashlib.scrypt(go_bytes(password), salt=salt, n=32768, r=8, p=2, dklen=64, maxmem=128 * 1024 * 1024)
    message = _SCOPE + struct.pack(">I", len(site_bytes)) + site_bytes + struct.pack(">I", counter & 0xFFFFFFFF)
    seed = hmac.new(key, message, hashlib.sha256).digest()
    template = templates[seed[0] % len(templates)]
    return "".join(
        _CLASSES[letter][seed[i + 1] % len(_CLASSES[letter])] for i, letter in enumerate(template)
    )


@define(FUNCTIONS, "derivePassword", (UINT32, STRING, STRING, STRING, STRING), STRING)
def derive_password_fn(counter: int, kind: str, password: str, user: str, site: str) -> str:
    return derive_password(counter, kind, password, user, site)


# --- AES ---------------------------------------------------------------------------------


def _aes_key(password: str) -> bytes:
    return go_bytes(password)[:32].ljust(32, b"\0")


@define(FUNCTIONS, "encryptAES", (STRING, STRING), STRING)
def encrypt_aes(password: str, plaintext: str) -> str:
    """AES-256-CBC with PKCS#7 padding and a random IV in front, as standard base64."""
    if plaintext == "":
        return ""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    data = go_bytes(plaintext)
    pad = 16 - len(data) % 16
    data += bytes([pad]) * pad
    iv = secrets.token_bytes(16)
    encryptor = Cipher(algorithms.AES(_aes_key(password)), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + encryptor.update(data) + encryptor.finalize()).decode("ascii")


@define(FUNCTIONS, "decryptAES", (STRING, STRING), STRING)
def decrypt_aes(password: str, encoded: str) -> str:
    """The inverse of encryptAES; the padding byte is trusted, as Sprig does."""
    if encoded == "":
        return ""
    try:
        data = go_b64decode(encoded)
    except Exception as exc:  # noqa: BLE001 - the decoder's error carries Go's text
        raise GoError(str(exc)) from None
    capacity = len(go_bytes(encoded)) // 4 * 3  # Go's decode buffer; slicing may reach it
    if capacity < 16:
        raise GoError(f"runtime error: slice bounds out of range [:16] with capacity {capacity}")
    if len(data) < 16:
        raise GoError(f"runtime error: slice bounds out of range [16:{len(data)}]")
    iv, body = data[:16], data[16:]
    if len(body) % 16:
        raise GoError("crypto/cipher: input not full blocks")
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    decryptor = Cipher(algorithms.AES(_aes_key(password)), modes.CBC(iv)).decryptor()
    plain = decryptor.update(body) + decryptor.finalize()
    if not plain:
        raise GoError("runtime error: index out of range [-1]")
    end = len(plain) - plain[-1]
    if end < 0:
        raise GoError(f"runtime error: slice bounds out of range [:{end}]")
    return plain[:end].decode("utf-8", "surrogateescape")


# --- keys --------------------------------------------------------------------------------


def _pem(kind: str, der: bytes) -> str:
    body = base64.b64encode(der).decode("ascii")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {kind}-----\n" + "".join(line + "\n" for line in lines) + f"-----END {kind}-----\n"


def _pem_for_key(key: Any) -> str:
    """The PEM block Sprig writes for a key: PKCS#1 RSA, SEC 1 EC, PKCS#8 ed25519."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa

    der = serialization.Encoding.DER
    none = serialization.NoEncryption()
    if isinstance(key, rsa.RSAPrivateKey):
        return _pem("RSA PRIVATE KEY", key.private_bytes(der, serialization.PrivateFormat.TraditionalOpenSSL, none))
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return _pem("EC PRIVATE KEY", key.private_bytes(der, serialization.PrivateFormat.TraditionalOpenSSL, none))
    if isinstance(key, dsa.DSAPrivateKey):
        return _pem("DSA PRIVATE KEY", key.private_bytes(der, serialization.PrivateFormat.TraditionalOpenSSL, none))
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return _pem("PRIVATE KEY", key.private_bytes(der, serialization.PrivateFormat.PKCS8, none))
    raise GoError(f"unsupported key type {type(key).__name__}")


@define(FUNCTIONS, "genPrivateKey", (STRING,), STRING)
def gen_private_key(kind: str) -> str:
    """A new key as PEM; an unknown type gives Sprig's message as text."""
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa

    if kind in ("", "rsa"):
        key: Any = rsa.generate_private_key(public_exponent=65537, key_size=4096)
    elif kind == "dsa":
        key = dsa.generate_private_key(key_size=2048)
    elif kind == "ecdsa":
        key = ec.generate_private_key(ec.SECP256R1())
    elif kind == "ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
    else:
        return f"Unknown type {kind}"
    return _pem_for_key(key)


_BEGIN = b"-----BEGIN "
_END = b"\n-----END "


def _pem_blocks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """Each ``(type, body)`` of ``-----BEGIN T-----`` ... ``-----END T-----``, in order.

    A BEGIN line starts the text or follows a newline; its type is the line
    without its final ``-----`` and blanks; its body runs to the first
    ``\n-----END T-----`` of the same type, and the next block is looked for
    after that.  Searches are bounded: many BEGIN lines without an END (a
    container value) would otherwise each search the rest of the text.
    """
    scanned = 0
    unclosed: dict[bytes, int] = {}  # type -> a body start from which no END of it follows
    pos = 0
    while True:
        if pos == 0 and data.startswith(_BEGIN):
            start, header = 0, len(_BEGIN)
        else:
            start = data.find(b"\n" + _BEGIN, pos)
            if start < 0:
                return
            header = start + 1 + len(_BEGIN)
        eol = data.find(b"\n", header)
        if eol < 0:
            return
        line = data[header:eol].rstrip(b" \t\r")
        pos = start + 1
        if not line.endswith(b"-----"):
            continue
        kind = line[:-5]
        body = eol + 1
        if kind in unclosed and unclosed[kind] <= body:
            continue
        scanned += len(data) - body
        check_scan("pem", scanned)
        end = data.find(_END + kind + b"-----", body)
        if end < 0:
            unclosed[kind] = body
            continue
        yield kind, data[body:end]
        pos = end + len(_END) + len(kind) + 5


def pem_decode(text: str) -> tuple[str, bytes] | None:
    """The first PEM block (type, DER bytes) of ``text``, or ``None`` like ``pem.Decode``."""
    for kind, block in _pem_blocks(go_bytes(text)):
        lines = block.split(b"\n")
        first = 0
        while first < len(lines) and b":" in lines[first]:  # RFC 1421 headers (Proc-Type, DEK-Info)
            first += 1
            if first < len(lines) and not lines[first].strip():
                first += 1
        body = b"".join(line.strip() for line in lines[first:])
        try:
            der = base64.b64decode(body, validate=True)
        except ValueError:
            continue
        return kind.decode("utf-8", "surrogateescape"), der
    return None


def _parse_private_key(text: str) -> Any:
    """Sprig's parsePrivateKeyPEM: the PEM block type decides the format."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    block = pem_decode(text)
    if block is None:
        raise GoError("no PEM data in input")
    kind, der = block
    expected = {"RSA PRIVATE KEY": rsa.RSAPrivateKey, "EC PRIVATE KEY": ec.EllipticCurvePrivateKey}
    if kind not in expected and kind != "PRIVATE KEY":
        raise GoError(f"no private key data in PEM block of type {kind}")
    try:
        key = serialization.load_der_private_key(der, password=None)
    except (ValueError, TypeError):
        message = {
            "RSA PRIVATE KEY": "x509: failed to parse private key",
            "EC PRIVATE KEY": "x509: failed to parse EC private key",
        }.get(kind, "x509: failed to parse private key")
        raise GoError(message) from None
    if kind in expected and not isinstance(key, expected[kind]):
        raise GoError("x509: failed to parse private key")
    if kind == "PRIVATE KEY" and not isinstance(
        key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey)
    ):
        raise GoError("x509: unknown key type in PKCS#8 wrapping")
    return key


# --- certificates ------------------------------------------------------------------------


def _ip_addresses(values: Any) -> list[Any]:
    from ..fmt import format_v

    found = []
    for value in values or ():
        if type(value) is not str:
            raise GoError(f"error parsing ip: {format_v(value)} is not a string")
        try:
            found.append(ipaddress.ip_address(value))
        except ValueError:
            raise GoError(f"error parsing ip: {value}") from None
    return found


def _dns_names(values: Any) -> list[str]:
    from ..fmt import format_v

    found = []
    for value in values or ():
        if type(value) is not str:
            raise GoError(f"error processing alternate dns name: {format_v(value)} is not a string")
        found.append(value)
    return found


def _signature_hash(key: Any) -> Any:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    if isinstance(key, ed25519.Ed25519PrivateKey):
        return None
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return {"secp384r1": hashes.SHA384(), "secp521r1": hashes.SHA512()}.get(key.curve.name, hashes.SHA256())
    return hashes.SHA256()


def _new_rsa_key() -> Any:
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _build(
    cn: str, days: int, key: Any, *, is_ca: bool, ips: list[Any] = (), dns: list[str] = (),  # type: ignore[assignment]
    issuer: tuple[Any, Any] | None = None,
) -> Certificate:
    """Create and sign a certificate the way Sprig's templates describe it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = _dt.datetime.now(_dt.timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]) if cn else x509.Name([])
    issuer_cert, issuer_key = issuer if issuer else (None, key)
    serial = 0
    while serial == 0:
        serial = secrets.randbits(128)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject if issuer_cert is not None else subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now)
        .not_valid_after(now + _dt.timedelta(days=days))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=True,
                data_encipherment=False, key_agreement=False, key_cert_sign=is_ca, crl_sign=False,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
    )
    if is_ca:
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    if issuer_cert is not None:
        try:
            ski = issuer_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier(ski.digest, None, None), critical=False
            )
        except x509.ExtensionNotFound:
            pass
    names: list[Any] = [x509.DNSName(name) for name in dns] + [x509.IPAddress(ip) for ip in ips]
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=not cn)
    try:
        cert = builder.sign(issuer_key, _signature_hash(issuer_key))
    except (ValueError, TypeError) as exc:
        raise GoError(f"error creating certificate: {exc}") from None
    return Certificate(cert.public_bytes(serialization.Encoding.PEM).decode("ascii"), _pem_for_key(key))


def _given_key(pem_text: str) -> Any:
    try:
        return _parse_private_key(pem_text)
    except GoError as exc:
        raise GoError(f"parsing private key: {exc}") from None


def _load_ca(ca: Certificate) -> tuple[Any, Any]:
    from cryptography import x509

    block = pem_decode(ca.Cert)
    if block is None:
        raise GoError("unable to decode certificate")
    try:
        cert = x509.load_der_x509_certificate(block[1])
    except ValueError as exc:
        raise GoError(f"error parsing certificate: decodedSignerCert.Bytes: {exc}") from None
    if pem_decode(ca.Key) is None:
        raise GoError("unable to decode key")
    try:
        key = _parse_private_key(ca.Key)
    except GoError as exc:
        raise GoError(f"error parsing private key: decodedSignerKey.Bytes: {exc}") from None
    return cert, key


@define(FUNCTIONS, "genCA", (STRING, INT), CERTIFICATE)
def gen_ca(cn: str, days: int) -> Certificate:
    return _build(cn, days, _new_rsa_key(), is_ca=True)


@define(FUNCTIONS, "genCAWithKey", (STRING, INT, STRING), CERTIFICATE)
def gen_ca_with_key(cn: str, days: int, key_pem: str) -> Certificate:
    return _build(cn, days, _given_key(key_pem), is_ca=True)


@define(FUNCTIONS, "genSelfSignedCert", (STRING, LIST, LIST, INT), CERTIFICATE)
def gen_self_signed_cert(cn: str, ips: Any, dns: Any, days: int) -> Certificate:
    return _build(cn, days, _new_rsa_key(), is_ca=False, ips=_ip_addresses(ips), dns=_dns_names(dns))


@define(FUNCTIONS, "genSelfSignedCertWithKey", (STRING, LIST, LIST, INT, STRING), CERTIFICATE)
def gen_self_signed_cert_with_key(cn: str, ips: Any, dns: Any, days: int, key_pem: str) -> Certificate:
    key = _given_key(key_pem)
    return _build(cn, days, key, is_ca=False, ips=_ip_addresses(ips), dns=_dns_names(dns))


@define(FUNCTIONS, "genSignedCert", (STRING, LIST, LIST, INT, CERTIFICATE), CERTIFICATE)
def gen_signed_cert(cn: str, ips: Any, dns: Any, days: int, ca: Certificate) -> Certificate:
    addresses, names = _ip_addresses(ips), _dns_names(dns)
    issuer = _load_ca(ca)
    return _build(cn, days, _new_rsa_key(), is_ca=False, ips=addresses, dns=names, issuer=issuer)


@define(FUNCTIONS, "genSignedCertWithKey", (STRING, LIST, LIST, INT, CERTIFICATE, STRING), CERTIFICATE)
def gen_signed_cert_with_key(cn: str, ips: Any, dns: Any, days: int, ca: Certificate, key_pem: str) -> Certificate:
    key = _given_key(key_pem)
    addresses, names = _ip_addresses(ips), _dns_names(dns)
    issuer = _load_ca(ca)
    return _build(cn, days, key, is_ca=False, ips=addresses, dns=names, issuer=issuer)


@define(FUNCTIONS, "buildCustomCert", (STRING, STRING), CERTIFICATE)
def build_custom_cert(cert_b64: str, key_b64: str) -> Certificate:
    """Wrap an existing base64-encoded PEM certificate and key, after checking both parse."""
    from cryptography import x509

    try:
        cert_pem = go_b64decode(cert_b64)
    except Exception:  # noqa: BLE001 - any decoding error has one message
        raise GoError("unable to decode base64 certificate") from None
    try:
        key_pem = go_b64decode(key_b64)
    except Exception:  # noqa: BLE001
        raise GoError("unable to decode base64 private key") from None
    cert_text = cert_pem.decode("utf-8", "surrogateescape")
    key_text = key_pem.decode("utf-8", "surrogateescape")
    block = pem_decode(cert_text)
    if block is None:
        raise GoError("unable to decode certificate")
    try:
        x509.load_der_x509_certificate(block[1])
    except ValueError as exc:
        raise GoError(f"error parsing certificate: decodedCert.Bytes: {exc}") from None
    try:
        _parse_private_key(key_text)
    except GoError as exc:
        raise GoError(f"error parsing private key: {exc}") from None
    return Certificate(cert_text, key_text)
