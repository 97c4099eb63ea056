"""Protected personal fields: authenticated encryption at rest, keyed blind index, masking.

Two suites, chosen per installation by settings.FIELD_CRYPTO (env GONGZHI_CRYPTO):

- "aes" (default): AES-256-GCM, blind index HMAC-SHA-256, sub-keys by HKDF-SHA-256;
- "sm" (commercial cryptography, GB/T 39786): SM4-GCM (128-bit key), blind index HMAC-SM3,
  sub-keys by HKDF-SM3.

Keys come from settings.FIELD_ENCRYPTION_KEY (env GONGZHI_FIELD_KEY or var/field_key). It may
hold several versions, separated by commas or newlines: "2:new-secret,1:old-secret"; a secret
without a "N:" prefix is version 1. The highest version is the current one: new values are
sealed with it, older values are still read with their own version until `manage.py
reencrypt` rewrites them. Two sub-keys are derived from each secret, so that the blind index
never reuses the encryption key.

Stored form: "<suite>:<key version>:<base64(nonce | ciphertext | tag)>", e.g. "sm4:2:…";
the header is also the AEAD's associated data, so a value cannot be moved to another suite or
key version. Values written before headers existed (plain base64 of 0x01 | nonce | sealed)
are AES-256-GCM with key version 1 and still decrypt.

The blind index carries no header (its column holds exactly 64 hex characters): a row's
index is always computed with the same suite and key version as its encrypted value, which
`reencrypt` keeps true by rewriting both together.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import re
from collections import Counter
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model

SUITES = ("aes", "sm")
# Suite name in settings → tag in the stored header.
_TAGS = {"aes": "aes", "sm": "sm4"}
_SUITE_OF_TAG = {tag: suite for suite, tag in _TAGS.items()}
_LEGACY_VERSION = b"\x01"
_HEADER_RE = re.compile(r"^(aes|sm4):(\d{1,6}):")


class KeyMissing(ImproperlyConfigured):
    """A value was sealed with a key version that the configured key does not hold."""


@dataclass(frozen=True)
class Sealing:
    """How one stored value was sealed: suite ("aes"/"sm"), key version, header or legacy."""

    suite: str
    version: int
    legacy: bool = False

    @property
    def label(self) -> str:
        return f"{_TAGS[self.suite]}:{self.version}" + (" (no header)" if self.legacy else "")


# --- Keys --------------------------------------------------------------------------------


def parse_keys(raw: str) -> dict[int, str]:
    """{version: secret} from "2:secret,1:secret" (a bare secret is version 1)."""
    keys: dict[int, str] = {}
    for entry in re.split(r"[,\s]+", raw.strip()):
        if not entry:
            continue
        prefix, sep, rest = entry.partition(":")
        if sep and prefix.isdigit() and rest:
            version, secret = int(prefix), rest
        else:
            version, secret = 1, entry
        if version < 1:
            raise ImproperlyConfigured("GONGZHI_FIELD_KEY: key versions start at 1")
        if version in keys:
            raise ImproperlyConfigured(f"GONGZHI_FIELD_KEY: key version {version} given twice")
        keys[version] = secret
    if not keys:
        raise ImproperlyConfigured("GONGZHI_FIELD_KEY is empty")
    return keys


def keys() -> dict[int, str]:
    return _parsed(settings.FIELD_ENCRYPTION_KEY)


@functools.cache
def _parsed(raw: str) -> dict[int, str]:
    return parse_keys(raw)


def current_version() -> int:
    return max(keys())


def current_suite() -> str:
    suite = getattr(settings, "FIELD_CRYPTO", "aes")
    if suite not in SUITES:
        raise ImproperlyConfigured(f"GONGZHI_CRYPTO must be one of {', '.join(SUITES)}")
    return suite


def current() -> Sealing:
    return Sealing(current_suite(), current_version())


def current_secret() -> str:
    """The current key version's secret (for other purpose-bound keys, e.g. import files)."""
    return keys()[current_version()]


def _secret(version: int) -> str:
    try:
        return keys()[version]
    except KeyError:
        raise KeyMissing(
            f"a value is sealed with field key version {version}, which GONGZHI_FIELD_KEY "
            f"does not hold (versions held: {sorted(keys())})"
        ) from None


@functools.cache
def _subkey(purpose: bytes, secret: str, suite: str = "aes") -> bytes:
    if suite == "sm":
        return HKDF(algorithm=hashes.SM3(), length=32, salt=b"gongzhi-sm", info=purpose).derive(
            secret.encode()
        )
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"gongzhi", info=purpose).derive(
        secret.encode()
    )


# --- Ciphers -----------------------------------------------------------------------------


class _AesGcm:
    def __init__(self, key: bytes):
        self._aead = AESGCM(key)

    def seal(self, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        return self._aead.encrypt(nonce, data, aad)

    def open(self, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
        return self._aead.decrypt(nonce, sealed, aad)


class _Sm4Gcm:
    """SM4 in GCM mode (cryptography ≥ 44 with OpenSSL 3 offers it), 16-byte tag appended."""

    def __init__(self, key: bytes):
        self._key = key[:16]
        try:
            self.seal(b"\0" * 12, b"", b"")
        except UnsupportedAlgorithm as exc:
            raise ImproperlyConfigured(
                "GONGZHI_CRYPTO=sm needs SM4-GCM and SM3, which this build of the cryptography "
                f"package / OpenSSL does not offer ({exc}); upgrade cryptography (≥ 44)"
            ) from exc

    def seal(self, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        enc = Cipher(algorithms.SM4(self._key), modes.GCM(nonce)).encryptor()
        enc.authenticate_additional_data(aad)
        body = enc.update(data) + enc.finalize()
        return body + enc.tag

    def open(self, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
        if len(sealed) < 16:
            raise ValueError("sealed value too short")
        dec = Cipher(algorithms.SM4(self._key), modes.GCM(nonce, sealed[-16:])).decryptor()
        dec.authenticate_additional_data(aad)
        return dec.update(sealed[:-16]) + dec.finalize()


@functools.cache
def _cipher(suite: str, secret: str) -> _AesGcm | _Sm4Gcm:
    if suite == "sm":
        return _Sm4Gcm(_subkey(b"field-encryption", secret, "sm"))
    return _AesGcm(_subkey(b"field-encryption", secret))


class _Sm3Mac:
    """HMAC-SM3 with the same copy/update/hexdigest use as hmac.HMAC."""

    def __init__(self, key: bytes, ctx: crypto_hmac.HMAC | None = None) -> None:
        self._ctx = ctx or crypto_hmac.HMAC(key, hashes.SM3())

    def copy(self) -> _Sm3Mac:
        return _Sm3Mac(b"", self._ctx.copy())

    def update(self, data: bytes) -> None:
        self._ctx.update(data)

    def hexdigest(self) -> str:
        return self._ctx.finalize().hex()


def _mac(suite: str, secret: str) -> _Sm3Mac | hmac.HMAC:
    if suite == "sm":
        return _Sm3Mac(_subkey(b"blind-index", secret, "sm"))
    return hmac.new(_subkey(b"blind-index", secret), digestmod=hashlib.sha256)


def sealing_of(token: str) -> Sealing:
    """The suite and key version a stored value was sealed with (no decryption)."""
    match = _HEADER_RE.match(token)
    if match:
        return Sealing(_SUITE_OF_TAG[match.group(1)], int(match.group(2)))
    return Sealing("aes", 1, legacy=True)


def header(sealing: Sealing) -> str:
    """The stored prefix of values sealed this way ("sm4:2:"); used to find them in SQL."""
    return f"{_TAGS[sealing.suite]}:{sealing.version}:"


class Protector:
    """Encryption and blind index with the cipher and the keyed hash set up once: one per bulk
    load (imports, demo data) makes sealing many values about three times faster than setting
    them up per value. The module functions below use a shared one.

    Seals with `sealing` (default: the installation's current suite and key version) and
    opens any value whose suite and key version the configured key holds."""

    def __init__(self, sealing: Sealing | None = None) -> None:
        self.sealing = sealing or current()
        secret = _secret(self.sealing.version)
        self._cipher = _cipher(self.sealing.suite, secret)
        self._mac = _mac(self.sealing.suite, secret)
        self._header = header(self.sealing)
        self._aad = self._header[:-1].encode()

    def encrypt(self, plain: str) -> str:
        return self.encrypt_many([plain])[0]

    def encrypt_many(self, plains: list[str]) -> list[str]:
        nonces = os.urandom(12 * len(plains))
        seal = self._cipher.seal
        aad = self._aad
        out = []
        for i, plain in enumerate(plains):
            nonce = nonces[12 * i : 12 * i + 12]
            sealed = seal(nonce, plain.encode(), aad)
            out.append(self._header + base64.b64encode(nonce + sealed).decode())
        return out

    def decrypt(self, token: str) -> str:
        sealing = sealing_of(token)
        cipher = _cipher(sealing.suite, _secret(sealing.version))
        if sealing.legacy:
            raw = base64.b64decode(token)
            version, nonce, sealed = raw[:1], raw[1:13], raw[13:]
            return cipher.open(nonce, sealed, version).decode()
        head = header(sealing)
        raw = base64.b64decode(token[len(head) :])
        return cipher.open(raw[:12], raw[12:], head[:-1].encode()).decode()

    def index(self, kind: str, plain: str) -> str:
        """Keyed hash for equality lookups; `kind` keeps phone and ID indexes apart."""
        mac = self._mac.copy()
        mac.update(f"{kind}:{plain.strip().upper()}".encode())
        return mac.hexdigest()

    def __call__(self, kind: str, plain: str) -> tuple[str, str, str]:
        """(encrypted, blind index, masked) for a protected value; kind is "phone" or "id"."""
        return self.encrypt(plain), self.index(kind, plain), mask(kind, plain)


@functools.cache
def _shared(secret: str, suite: str) -> Protector:
    return Protector()


def _protector() -> Protector:
    # Keyed by the key setting and the suite so that a changed setting (tests) gets a fresh one.
    return _shared(settings.FIELD_ENCRYPTION_KEY, current_suite())


def encrypt(plain: str) -> str:
    return _protector().encrypt(plain)


def decrypt(token: str) -> str:
    return _protector().decrypt(token)


def blind_index(kind: str, plain: str) -> str:
    return _protector().index(kind, plain)


def mask_phone(phone: str) -> str:
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_id_number(number: str) -> str:
    if len(number) < 10:
        return number[:1] + "*" * (len(number) - 1)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask(kind: str, plain: str) -> str:
    return mask_phone(plain) if kind == "phone" else mask_id_number(plain)


def protect(kind: str, plain: str) -> tuple[str, str, str]:
    """(encrypted, blind index, masked) for a protected value; kind is "phone" or "id"."""
    return _protector()(kind, plain)


# --- Where protected values live ----------------------------------------------------------

# The protected field type is a naming convention: `<name>_encrypted` (TextField, the sealed
# value) with an optional `<name>_index` (blind index) and `<name>_masked`. The index kind
# per <name>; a new protected field with an index must be listed here (reencrypt refuses
# to guess, and tests/core/test_crypto_reencrypt.py checks the list covers every model).
INDEX_KINDS = {"phone": "phone", "id": "id"}


@dataclass(frozen=True)
class ProtectedField:
    model: type[Model]
    name: str  # "phone" for phone_encrypted / phone_index
    kind: str | None  # index kind; None when the model keeps no index for it

    @property
    def encrypted(self) -> str:
        return f"{self.name}_encrypted"

    @property
    def index(self) -> str | None:
        return f"{self.name}_index" if self.kind else None

    def __str__(self) -> str:
        return f"{self.model._meta.label}.{self.encrypted}"


def protected_fields() -> list[ProtectedField]:
    """Every `*_encrypted` column of every installed model."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        for column in model._meta.concrete_fields:
            if not column.name.endswith("_encrypted"):
                continue
            base = column.name.removesuffix("_encrypted")
            kind = None
            if f"{base}_index" in names:
                kind = INDEX_KINDS.get(base)
                if kind is None:
                    raise ImproperlyConfigured(
                        f"{model._meta.label}.{base}_index: blind index kind unknown; "
                        "add it to gongzhi.core.crypto.INDEX_KINDS"
                    )
            found.append(ProtectedField(model, base, kind))
    return found


# --- Re-encryption (manage.py reencrypt) ----------------------------------------------------


class VerifyFailed(Exception):
    """A rewritten value did not read back as the original: its batch is rolled back."""


@dataclass
class BatchResult:
    rewritten: int = 0
    found: Counter = field(default_factory=Counter)  # sealing label → values seen
    failed: list = field(default_factory=list)  # (pk, problem) of values that do not decrypt


def reencrypt_rows(pf: ProtectedField, protector: Protector, pks: list) -> BatchResult:
    """Rewrite the protected value `pf` of the rows `pks` (and its blind index) with
    `protector`'s suite and key, in one transaction; every rewritten value is read back,
    decrypted and compared, and its index checked, before the transaction commits.
    Values already sealed that way are left alone; values that cannot be decrypted are
    reported in `failed` and left as they are."""
    from django.db import transaction

    manager = pf.model._base_manager
    enc, idx, kind = pf.encrypted, pf.index, pf.kind
    target = header(protector.sealing)
    result = BatchResult()
    with transaction.atomic():
        # Locked (PostgreSQL; SQLite's IMMEDIATE transaction holds the write lock) so that a
        # concurrent edit cannot slip in between reading and rewriting a value.
        rows = list(manager.select_for_update().filter(pk__in=pks).values_list("pk", enc))
        plains: dict = {}
        updates = []
        for pk, token in rows:
            if not token or token.startswith(target):
                continue
            try:
                sealing = sealing_of(token)
                plain = protector.decrypt(token)
            except (InvalidTag, ValueError, KeyMissing) as exc:
                result.failed.append((pk, type(exc).__name__ + (f": {exc}" if str(exc) else "")))
                continue
            result.found[sealing.label] += 1
            values = {enc: protector.encrypt(plain)}
            if idx and kind:
                values[idx] = protector.index(kind, plain)
            updates.append(pf.model(pk=pk, **values))
            plains[pk] = plain
        if not updates:
            return result
        fields = [enc] + ([idx] if idx else [])
        manager.bulk_update(updates, fields, batch_size=200)
        for row in manager.filter(pk__in=list(plains)).values("pk", *fields):
            plain = plains[row["pk"]]
            if not row[enc].startswith(target) or protector.decrypt(row[enc]) != plain:
                raise VerifyFailed(f"{pf} pk {row['pk']}: value does not read back")
            if idx and kind and row[idx] != protector.index(kind, plain):
                raise VerifyFailed(f"{pf} pk {row['pk']}: blind index does not match")
        result.rewritten = len(updates)
    return result
