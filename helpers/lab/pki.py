"""The lab's public-key infrastructure: a root CA, an issuing CA, leaf certificates.

Everything is derived from the lab seed so that certificates, and therefore
TLSA digests (RFC 6698 §2.1) and DNSSEC signatures, are byte-identical from
one run to the next:

- EC keys (P-256, the default) are ``derive_private_key(H(seed, label) mod n)``;
- RSA keys (on request) come from primes found with a seeded generator;
- ECDSA signatures are deterministic (RFC 6979);
- validity dates are fixed constants, not "now".

The keys protect nothing outside the lab; they are never used elsewhere.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import math
import random
import ssl
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

UTC = _dt.timezone.utc

#: Validity of every normal lab certificate: fixed, so outputs never change.
NOT_BEFORE = _dt.datetime(2025, 1, 1, tzinfo=UTC)
NOT_AFTER = _dt.datetime(2036, 1, 1, tzinfo=UTC)
#: Validity of the deliberately expired certificates.
EXPIRED_NOT_BEFORE = _dt.datetime(2024, 1, 1, tzinfo=UTC)
EXPIRED_NOT_AFTER = _dt.datetime(2025, 1, 1, tzinfo=UTC)

_P256_ORDER = int(
    "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16
)


def _seed_bytes(seed: int, label: str) -> bytes:
    return hashlib.sha512(f"smtp-tls-lab/{seed}/{label}".encode()).digest()


def _ec_key(seed: int, label: str) -> ec.EllipticCurvePrivateKey:
    scalar = int.from_bytes(_seed_bytes(seed, label), "big") % (_P256_ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP256R1())


_SMALL_PRIMES = [p for p in range(3, 2000, 2) if all(p % q for q in range(3, int(p**0.5) + 1, 2))]
_SMALL_PRODUCT = 1
for _p in _SMALL_PRIMES:
    _SMALL_PRODUCT *= _p


def _is_probable_prime(n: int, rng: random.Random) -> bool:
    """Miller-Rabin with 16 rounds, after a quick sieve by the primes below 2000."""
    if math.gcd(n, _SMALL_PRODUCT) != 1:
        return n in _SMALL_PRIMES
    d, r = n - 1, 0
    while d % 2 == 0:
        d //= 2
        r += 1
    for _ in range(16):
        x = pow(rng.randrange(2, n - 1), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _rsa_key(seed: int, label: str, bits: int = 2048) -> rsa.RSAPrivateKey:
    # cryptography cannot generate RSA keys from a seed, so find the primes
    # ourselves with a seeded generator and hand the numbers over.
    rng = random.Random(_seed_bytes(seed, label))
    e = 65537

    def prime(nbits: int) -> int:
        while True:
            candidate = rng.getrandbits(nbits) | (3 << (nbits - 2)) | 1
            if (candidate - 1) % e and _is_probable_prime(candidate, rng):
                return candidate

    while True:
        p, q = prime(bits // 2), prime(bits // 2)
        if p != q:
            break
    if p < q:
        p, q = q, p
    phi = (p - 1) * (q - 1)
    d = pow(e, -1, phi)
    numbers = rsa.RSAPrivateNumbers(
        p=p, q=q, d=d,
        dmp1=d % (p - 1), dmq1=d % (q - 1), iqmp=pow(q, -1, p),
        public_numbers=rsa.RSAPublicNumbers(e, p * q),
    )
    return numbers.private_key()


@lru_cache(maxsize=256)
def private_key(seed: int, label: str, kind: str = "ec"):
    """The lab key named ``label`` for ``seed``: ``kind`` is ``"ec"`` (P-256) or ``"rsa"``."""
    if kind == "ec":
        return _ec_key(seed, label)
    if kind == "rsa":
        return _rsa_key(seed, label)
    raise ValueError(f"unknown key kind {kind!r}: use 'ec' or 'rsa'")


def _serial(seed: int, label: str) -> int:
    # RFC 5280 §4.1.2.2: positive, at most 20 octets.
    return int.from_bytes(_seed_bytes(seed, "serial/" + label)[:16], "big") >> 1 | 1


def _sign(builder: x509.CertificateBuilder, issuer_key) -> x509.Certificate:
    if isinstance(issuer_key, ec.EllipticCurvePrivateKey):
        return builder.sign(issuer_key, hashes.SHA256(), ecdsa_deterministic=True)
    return builder.sign(issuer_key, hashes.SHA256())  # PKCS#1 v1.5 is deterministic


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "SMTP TLS course lab"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


@dataclass(frozen=True)
class Issued:
    """A certificate with its private key and the chain a server should present."""

    cert: x509.Certificate
    key: object
    chain: tuple[x509.Certificate, ...] = ()  # intermediates, leaf excluded

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def chain_pem(self) -> bytes:
        """Leaf then intermediates, as a TLS server sends them."""
        return self.cert_pem + b"".join(
            c.public_bytes(serialization.Encoding.PEM) for c in self.chain)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def _ca(seed: int, label: str, cn: str, issuer: Issued | None, path_length: int) -> Issued:
    key = private_key(seed, label)
    subject = _name(cn)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(_serial(seed, label))
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    cert = _sign(builder, issuer.key if issuer else key)
    return Issued(cert, key)


@lru_cache(maxsize=8)
def pki_for(seed: int) -> "PKI":
    """The PKI of ``seed``, built once per process (it never changes)."""
    return PKI(seed)


class PKI:
    """The lab CA hierarchy for one seed: root CA -> issuing CA -> leaves.

    The root is the only trust anchor (``ca_pem``); servers send the issuing CA
    with their leaf, so a DANE-TA record (usage 2) can name it.
    """

    def __init__(self, seed: int):
        self.seed = seed
        self.root = _ca(seed, "ca/root", "SMTP TLS Lab Root CA", None, 1)
        self.issuing = _ca(seed, "ca/issuing", "SMTP TLS Lab Issuing CA", self.root, 0)

    @property
    def ca_pem(self) -> bytes:
        """The trust store of the lab: its root CA certificate, PEM."""
        return self.root.cert_pem

    def leaf(
        self,
        names: tuple[str, ...],
        *,
        key_label: str | None = None,
        key_kind: str = "ec",
        expired: bool = False,
        self_signed: bool = False,
        generation: int = 0,
    ) -> Issued:
        """A server certificate for ``names`` (first is the CN; all are DNS SANs).

        ``key_label`` picks the key (default: the first name), so a renewal
        with the same key and a rollover to a new key are both expressible;
        ``generation`` N is the Nth renewal: a new serial number, valid from
        N × 90 days after the first.
        """
        return _leaf(self, tuple(names), key_label or names[0], key_kind, expired, self_signed,
                     generation)


@lru_cache(maxsize=512)
def _leaf(pki: PKI, names, key_label, key_kind, expired, self_signed, generation) -> Issued:
    key = private_key(pki.seed, "leaf/" + key_label, key_kind)
    subject = _name(names[0])
    issuer = None if self_signed else pki.issuing
    label = f"leaf/{','.join(names)}/{key_label}/{key_kind}/{expired}/{self_signed}"
    if generation:
        label += f"/{generation}"
    renewed = _dt.timedelta(days=90 * generation)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject if self_signed else issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(_serial(pki.seed, label))
        .not_valid_before((EXPIRED_NOT_BEFORE if expired else NOT_BEFORE) + renewed)
        .not_valid_after(EXPIRED_NOT_AFTER if expired else NOT_AFTER)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    cert = _sign(builder, key if self_signed else issuer.key)
    return Issued(cert, key, () if self_signed else (issuer.cert,))


def server_cert(pki: PKI, host: str, kind: str = "valid", key_label: str | None = None,
                key_kind: str = "ec") -> Issued:
    """The certificate a lab server for ``host`` presents, by scenario ``kind``:
    ``valid``, ``expired``, ``wrong-name`` (issued to ``www.`` + the parent
    name, a sibling host of the same operator) or ``self-signed``."""
    if kind == "valid":
        return pki.leaf((host,), key_label=key_label, key_kind=key_kind)
    if kind == "expired":
        return pki.leaf((host,), key_label=key_label, key_kind=key_kind, expired=True)
    if kind == "wrong-name":
        return pki.leaf(("www." + host.split(".", 1)[1],), key_label=key_label or host,
                        key_kind=key_kind)
    if kind == "self-signed":
        return pki.leaf((host,), key_label=key_label, key_kind=key_kind, self_signed=True)
    raise ValueError(f"unknown certificate kind {kind!r}")


def server_context(issued: Issued, directory: Path, name: str) -> ssl.SSLContext:
    """A TLS server context serving ``issued`` (its chain and key), as the lab's
    servers use; the files are written to ``directory``'s ``certs`` and ``keys``."""
    # ssl can load keys only from files; these are lab keys, in the lab's folder.
    cert_file = directory / "certs" / f"{name}.pem"
    key_file = directory / "keys" / f"{name}.key"
    cert_file.write_bytes(issued.chain_pem)
    key_file.write_bytes(issued.key_pem)
    key_file.chmod(0o600)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert_file, key_file)
    return ctx
