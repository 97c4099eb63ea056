"""Protected personal fields: AES-GCM encryption at rest, keyed blind index, masking.

The key comes from settings.FIELD_ENCRYPTION_KEY (environment or var/field_key).
Two sub-keys are derived from it with HKDF so that the blind index never reuses the
encryption key.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_VERSION = b"\x01"


@functools.cache
def _subkey(purpose: bytes, secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"gongzhi", info=purpose).derive(
        secret.encode()
    )


def _enc_key() -> bytes:
    return _subkey(b"field-encryption", settings.FIELD_ENCRYPTION_KEY)


def _index_key() -> bytes:
    return _subkey(b"blind-index", settings.FIELD_ENCRYPTION_KEY)


class Protector:
    """Encryption and blind index with the cipher and the keyed hash set up once: one per bulk
    load (imports, demo data) makes sealing many values about three times faster than setting
    them up per value. The module functions below use a shared one."""

    def __init__(self) -> None:
        self._aead = AESGCM(_enc_key())
        self._mac = hmac.new(_index_key(), digestmod=hashlib.sha256)

    def encrypt(self, plain: str) -> str:
        return self.encrypt_many([plain])[0]

    def encrypt_many(self, plains: list[str]) -> list[str]:
        nonces = os.urandom(12 * len(plains))
        seal = self._aead.encrypt
        out = []
        for i, plain in enumerate(plains):
            nonce = nonces[12 * i : 12 * i + 12]
            sealed = seal(nonce, plain.encode(), _VERSION)
            out.append(base64.b64encode(_VERSION + nonce + sealed).decode())
        return out

    def decrypt(self, token: str) -> str:
        raw = base64.b64decode(token)
        version, nonce, sealed = raw[:1], raw[1:13], raw[13:]
        return self._aead.decrypt(nonce, sealed, version).decode()

    def index(self, kind: str, plain: str) -> str:
        """Keyed hash for equality lookups; `kind` keeps phone and ID indexes apart."""
        mac = self._mac.copy()
        mac.update(f"{kind}:{plain.strip().upper()}".encode())
        return mac.hexdigest()

    def __call__(self, kind: str, plain: str) -> tuple[str, str, str]:
        """(encrypted, blind index, masked) for a protected value; kind is "phone" or "id"."""
        return self.encrypt(plain), self.index(kind, plain), mask(kind, plain)


@functools.cache
def _shared(secret: str) -> Protector:
    return Protector()


def _protector() -> Protector:
    # Keyed by the secret so that a changed key (tests) gets a fresh cipher.
    return _shared(settings.FIELD_ENCRYPTION_KEY)


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
