"""`manage.py backup` / `manage.py restore`: a round trip into a fresh database of the engine
in use (SQLite file; on PostgreSQL a fresh database), verification with audit_verify and
ledger_verify, damaged or altered backups refused, non-empty targets refused without --force.

The tests run against the engine the suite runs on (parametrized by it, never skipped): SQLite
locally, PostgreSQL in CI's second run."""

from __future__ import annotations

import io
import json
import sqlite3
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from gongzhi.core import audit, crypto
from gongzhi.core.management.commands import backup
from gongzhi.core.models import AuditRecord, User

ENGINE = backup.engine_of(django_settings.DATABASES["default"])

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(tmp_path, settings):
    root = tmp_path / "media"
    (root / "tickets" / "2026").mkdir(parents=True)
    (root / "tickets" / "2026" / "photo.jpg").write_bytes(b"\xff\xd8jpeg-bytes")
    (root / "notes.txt").write_text("照片说明")
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def data(db):
    User.objects.create_user(username=None, name="居民甲", phone="13800138000")
    for i in range(3):
        with transaction.atomic():
            audit.record(actor=None, action="test.backup", target_repr=f"记录{i}")


@pytest.fixture
def target(tmp_path):
    """A fresh, empty database of the engine in use, as a DATABASE_URL."""
    if ENGINE == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    admin = {**settings_dict, "NAME": "postgres"}
    kwargs = {
        k2: admin[k1]
        for k1, k2 in (
            ("HOST", "host"),
            ("PORT", "port"),
            ("USER", "user"),
            ("PASSWORD", "password"),
        )
        if admin.get(k1)
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **kwargs) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    yield backup.database_url({**settings_dict, "NAME": name})
    with psycopg.connect(dbname="postgres", autocommit=True, **kwargs) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _backup(tmp_path) -> Path:
    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "backups"), stdout=out)
    assert "the field key is NOT in the backup" in out.getvalue()
    (made,) = (tmp_path / "backups").iterdir()
    return made


def _restore(made: Path, url: str, media_root: Path, *extra) -> str:
    out = io.StringIO()
    call_command(
        "restore",
        str(made),
        "--database-url",
        url,
        "--media-root",
        str(media_root),
        *extra,
        stdout=out,
        stderr=io.StringIO(),
    )
    return out.getvalue()


@pytest.mark.parametrize("engine", [ENGINE])
def test_round_trip_into_a_fresh_database(engine, tmp_path, media, data, target):
    made = _backup(tmp_path)
    manifest = json.loads((made / "manifest.json").read_text())
    assert manifest["engine"] == engine
    assert set(manifest["files"]) == {
        "database.sqlite3" if engine == "sqlite" else "database.pgdump",
        "media.tar",
    }
    assert manifest["media"]["tickets/2026/photo.jpg"] == backup.sha256_file(
        media / "tickets" / "2026" / "photo.jpg"
    )
    assert manifest["audit"]["head"] == AuditRecord.objects.order_by("-id").first().hash
    assert django_settings.FIELD_ENCRYPTION_KEY not in (made / "manifest.json").read_text()

    output = _restore(made, target, tmp_path / "restored-media")
    assert "checksums OK (2 files)" in output
    assert "2 media files restored" in output
    assert "audit_verify: 3 records checked: OK" in output
    assert "ledger_verify:" in output and "OK" in output
    assert "field key: matches the backup" in output
    assert "restore verified: OK" in output
    assert (tmp_path / "restored-media" / "notes.txt").read_text() == "照片说明"
    if engine == "sqlite":
        db = sqlite3.connect(target.removeprefix("sqlite:///"))
        (token,) = db.execute("SELECT phone_encrypted FROM core_user").fetchone()
        db.close()
        assert crypto.decrypt(token) == "13800138000"


@pytest.mark.parametrize("engine", [ENGINE])
def test_non_empty_target_refused_without_force(engine, tmp_path, media, data, target):
    made = _backup(tmp_path)
    _restore(made, target, tmp_path / "m1")
    with pytest.raises(CommandError, match="target database is not empty"):
        _restore(made, target, tmp_path / "m2")
    with pytest.raises(CommandError, match="media folder .* is not empty"):
        _restore(made, target, tmp_path / "m1")
    assert "restore verified: OK" in _restore(made, target, tmp_path / "m1", "--force")


@pytest.mark.parametrize("engine", [ENGINE])
@pytest.mark.parametrize("victim", ["database", "media.tar", "manifest-media"])
def test_damaged_or_altered_backup_is_refused(engine, victim, tmp_path, media, data, target):
    made = _backup(tmp_path)
    if victim == "database":
        path = next(made.glob("database.*"))
        raw = bytearray(path.read_bytes())
        raw[len(raw) // 2] ^= 0xFF
        path.write_bytes(bytes(raw))
        message = "checksum mismatch: database"
    elif victim == "media.tar":
        with open(made / "media.tar", "ab") as fh:
            fh.write(b"\0" * 512)
        message = "checksum mismatch: media.tar"
    else:
        manifest = json.loads((made / "manifest.json").read_text())
        manifest["media"]["notes.txt"] = "0" * 64
        (made / "manifest.json").write_text(json.dumps(manifest))
        message = "checksum mismatch after restore: media file notes.txt"
    with pytest.raises(CommandError, match=message):
        _restore(made, target, tmp_path / "restored-media")


@pytest.mark.parametrize("engine", [ENGINE])
def test_tampered_audit_trail_fails_verification(engine, tmp_path, media, data, target):
    """Checksums cannot prove the data were intact when backed up: audit_verify does."""
    victim = AuditRecord.objects.order_by("id").values_list("id", flat=True)[1]
    with connection.cursor() as cur:
        cur.execute("UPDATE core_auditrecord SET reason = %s WHERE id = %s", ["改过", victim])
    made = _backup(tmp_path)
    with pytest.raises(CommandError, match="fails audit_verify"):
        _restore(made, target, tmp_path / "restored-media")


@pytest.mark.parametrize("engine", [ENGINE])
def test_cut_off_tail_fails_the_anchor(engine, tmp_path, media, data, target):
    """The restored chain must hold the head noted at backup time (audit_verify --anchor):
    a backup whose newest audit records are missing fails."""
    made = _backup(tmp_path)
    manifest = json.loads((made / "manifest.json").read_text())
    manifest["audit"]["head"] = "f" * 64  # a head the restored chain does not hold
    (made / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="fails audit_verify"):
        _restore(made, target, tmp_path / "restored-media")


@pytest.mark.parametrize("engine", [ENGINE])
def test_wrong_field_key_is_reported(engine, tmp_path, media, data, target, settings):
    made = _backup(tmp_path)
    settings.FIELD_ENCRYPTION_KEY = "another-key"
    err = io.StringIO()
    call_command(
        "restore",
        str(made),
        "--database-url",
        target,
        "--media-root",
        str(tmp_path / "restored-media"),
        stdout=io.StringIO(),
        stderr=err,
    )
    assert "does not hold key version(s) 1" in err.getvalue()


def test_not_a_backup_is_refused_clearly(tmp_path):
    with pytest.raises(CommandError, match="no readable manifest.json"):
        call_command("restore", str(tmp_path), stdout=io.StringIO())


@pytest.mark.parametrize("engine", [ENGINE])
def test_backup_of_one_engine_is_not_restored_into_another(engine, tmp_path, media, data):
    made = _backup(tmp_path)
    other = "postgres://u@127.0.0.1/none" if engine == "sqlite" else "sqlite:///x.sqlite3"
    with pytest.raises(CommandError, match=f"the backup is a {engine} database"):
        _restore(made, other, tmp_path / "restored-media")


def test_keep_removes_only_the_oldest_complete_backups(tmp_path):
    from gongzhi.core.management.commands.backup import MANIFEST, prune

    for name in ["gongzhi-20261201-020000", "gongzhi-20261202-020000", "gongzhi-20261203-020000"]:
        (tmp_path / name).mkdir()
        (tmp_path / name / MANIFEST).write_text("{}")
    (tmp_path / "gongzhi-20261130-020000").mkdir()  # unfinished: no manifest, left alone
    removed = prune(tmp_path, 2)
    assert [p.name for p in removed] == ["gongzhi-20261201-020000"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "gongzhi-20261130-020000",
        "gongzhi-20261202-020000",
        "gongzhi-20261203-020000",
    ]
