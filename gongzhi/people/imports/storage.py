"""Resident import: the encrypted file of a batch (AES-GCM under var/imports/), kept until commit."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from gongzhi.core import clock, crypto
from gongzhi.people.models import (
    ImportBatch,
)

# -- the encrypted file of a batch --------------------------------------------------------------


def _file_key(version: int) -> bytes:
    # One field-key version's secret, named in the file's first byte: adding a key version
    # (rotation) leaves uploads already waiting readable.
    return crypto._subkey(b"import-file", crypto.keys()[version])


def imports_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def file_path(batch: ImportBatch) -> Path:
    return imports_dir() / f"{batch.pk}.bin"


def store_file(batch: ImportBatch, data: bytes) -> None:
    version = crypto.current_version()
    nonce = os.urandom(12)
    sealed = AESGCM(_file_key(version)).encrypt(nonce, data, f"import:{batch.pk}".encode())
    path = file_path(batch)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(bytes([version]) + nonce + sealed)


def load_file(batch: ImportBatch) -> bytes:
    raw = file_path(batch).read_bytes()
    key = _file_key(raw[0])
    return AESGCM(key).decrypt(raw[1:13], raw[13:], f"import:{batch.pk}".encode())


def delete_file(batch: ImportBatch) -> None:
    file_path(batch).unlink(missing_ok=True)


def purge_expired() -> int:
    """Discard unfinished uploads older than IMPORT_KEEP_HOURS; delete their files."""
    cutoff = clock.now() - dt.timedelta(hours=settings.IMPORT_KEEP_HOURS)
    stale = list(
        ImportBatch.objects.filter(
            status__in=[ImportBatch.Status.VALIDATED, ImportBatch.Status.FAILED],
            created_at__lt=cutoff,
        )
    )
    for batch in stale:
        delete_file(batch)
    ImportBatch.objects.filter(pk__in=[b.pk for b in stale]).update(
        status=ImportBatch.Status.DISCARDED, finished_at=clock.now()
    )
    return len(stale)
