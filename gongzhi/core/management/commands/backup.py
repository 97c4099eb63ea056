"""Back up the database and the media folder into one directory, with a checksum manifest.

    manage.py backup [--output DIR] [--pg-bin DIR]

Writes DIR/gongzhi-<YYYYmmdd-HHMMSS>/ (DIR: var/backups by default) holding

- database.sqlite3 (SQLite: the online backup API, consistent while the site runs) or
  database.pgdump (PostgreSQL: pg_dump --format=custom; pg_dump's major version must be at
  least the server's: the command checks and says which to install);
- media.tar: the uploaded files (MEDIA_ROOT);
- manifest.json: SHA-256 and size of each file and of every media file, the audit chain's
  head at backup time (restore checks the restored chain still holds it), the field cipher
  suite and a fingerprint of each field key version (never the keys).

The field key (GONGZHI_FIELD_KEY or var/field_key) is NOT in the backup: keep it apart, as
safely. Without it the personal fields in the backup (phones, ID numbers) cannot be read;
with it, whoever holds the backup holds those personal data. See docs/deployment.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from gongzhi.core import audit, clock, crypto

logger = logging.getLogger("gongzhi.backup")
MANIFEST = "manifest.json"
FORMAT = 1
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA_FILE = "media.tar"


def prune(parent: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` complete backups (those with a manifest) under `parent`;
    the directory names sort by time. Returns what was removed."""
    done = sorted(
        (d for d in parent.glob("gongzhi-*") if d.is_dir() and (d / MANIFEST).exists()),
        key=lambda d: d.name,
    )
    removed = done[:-keep] if keep else []
    for old in removed:
        shutil.rmtree(old)
    return removed


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def engine_of(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise CommandError(f"backup supports SQLite and PostgreSQL, not {engine}")


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for these connection settings (for the verifying subprocesses)."""
    if engine_of(settings_dict) == "sqlite":
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(settings_dict['NAME'], safe='')}"


# --- PostgreSQL client programs ---------------------------------------------------------------


def pg_binary(name: str, pg_bin: str | None = None) -> str:
    """pg_dump / pg_restore: from --pg-bin or GONGZHI_PG_BIN, else PATH, else the newest
    /usr/lib/postgresql/<major>/bin (Debian/Ubuntu keep several versions side by side)."""
    folder = pg_bin or os.environ.get("GONGZHI_PG_BIN")
    if folder:
        candidate = Path(folder) / name
        if not candidate.exists():
            raise CommandError(f"{candidate} not found")
        return str(candidate)
    found = []
    for candidate in Path("/usr/lib/postgresql").glob(f"*/bin/{name}"):
        try:
            found.append((int(candidate.parts[-3]), str(candidate)))
        except ValueError:
            continue
    if found:
        return max(found)[1]
    on_path = shutil.which(name)
    if on_path:
        return on_path
    raise CommandError(
        f"{name} not found: install the PostgreSQL client (postgresql-client-<major> at least "
        "the server's major version) or pass --pg-bin / set GONGZHI_PG_BIN"
    )


def pg_major(binary: str) -> int:
    output = subprocess.run(  # noqa: S603 - our own binary path, no shell
        [binary, "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", output)
    if not match:
        raise CommandError(f"cannot read the version of {binary}: {output.strip()}")
    return int(match.group(1))


def pg_env(settings_dict: dict) -> dict[str, str]:
    """libpq environment for the client programs (the password stays out of `ps`)."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    env["PGDATABASE"] = settings_dict["NAME"]
    return env


def key_fingerprints() -> dict[str, str]:
    """A fingerprint per field key version: lets restore tell whether the configured key is the
    one the backup needs, without storing anything that helps to recover the key."""
    return {
        str(version): crypto._subkey(b"backup-key-fingerprint", secret).hex()[:16]
        for version, secret in crypto.keys().items()
    }


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup or pg_dump custom format) and the media "
        "folder into one directory with a checksum manifest. The field key is not included."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="parent directory (default: var/backups)")
        parser.add_argument("--pg-bin", help="directory of pg_dump (default: found)")
        parser.add_argument("--database", default="default", help="connection alias")
        parser.add_argument(
            "--keep",
            type=int,
            default=0,
            help="after a successful backup, delete all but the newest KEEP backups in the "
            "output directory (default: keep all)",
        )

    def handle(self, *args, output=None, pg_bin=None, database="default", keep=0, **options):
        conn = connections[database]
        settings_dict = conn.settings_dict
        engine = engine_of(settings_dict)
        parent = Path(output or Path(settings.VAR_DIR) / "backups")
        stamp = clock.now().astimezone(dt.UTC).strftime("%Y%m%d-%H%M%S")
        target = parent / f"gongzhi-{stamp}"
        n = 1
        while target.exists():
            n += 1
            target = parent / f"gongzhi-{stamp}-{n}"
        target.mkdir(parents=True)
        os.chmod(target, 0o700)

        # The head first: the dump, taken after, holds it (records only get appended).
        head_id, head_hash, algorithm = audit.head()
        manifest = {
            "format": FORMAT,
            "created_at": clock.now().astimezone(dt.UTC).isoformat(timespec="seconds"),
            "engine": engine,
            "audit": {"head_id": head_id, "head": head_hash, "algorithm": algorithm},
            "crypto": {
                "suite": crypto.current_suite(),
                "key_version": crypto.current_version(),
                "key_fingerprints": key_fingerprints(),
            },
            "files": {},
            "media": {},
        }
        if engine == "sqlite":
            db_file = target / SQLITE_FILE
            conn.ensure_connection()
            destination = sqlite3.connect(db_file)
            try:
                conn.connection.backup(destination)
            finally:
                destination.close()
        else:
            db_file = target / PG_FILE
            dump = pg_binary("pg_dump", pg_bin)
            client, server = pg_major(dump), conn.pg_version // 10000
            if client < server:
                raise CommandError(
                    f"{dump} is version {client}, the server is PostgreSQL {server}: pg_dump "
                    f"must be at least {server} (postgresql-client-{server})"
                )
            manifest["pg_dump_major"] = client
            manifest["server_major"] = server
            subprocess.run(  # noqa: S603 - fixed arguments, no shell
                [dump, "--format=custom", "--file", str(db_file)],
                env=pg_env(settings_dict),
                check=True,
            )
        media_root = Path(settings.MEDIA_ROOT)
        with tarfile.open(target / MEDIA_FILE, "w") as tar:
            if media_root.is_dir():
                for path in sorted(p for p in media_root.rglob("*") if p.is_file()):
                    rel = path.relative_to(media_root).as_posix()
                    manifest["media"][rel] = sha256_file(path)
                    tar.add(path, arcname=rel, recursive=False)
        for path in (db_file, target / MEDIA_FILE):
            os.chmod(path, 0o600)
            manifest["files"][path.name] = {
                "sha256": sha256_file(path),
                "bytes": path.stat().st_size,
            }
        (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        os.chmod(target / MANIFEST, 0o600)
        self.stdout.write(f"backup written: {target}")
        logger.info("backup written: %s (%s, audit head id %s)", target, engine, head_id)
        self.stdout.write(
            f"{engine} database, {len(manifest['media'])} media files, "
            f"audit head id {head_id or '-'} hash {head_hash or '-'}"
        )
        self.stdout.write(
            "the field key is NOT in the backup: keep GONGZHI_FIELD_KEY (or var/field_key) "
            "safe and separate; without it the personal fields cannot be read"
        )
        if keep > 0:
            for old in prune(parent, keep):
                self.stdout.write(f"old backup removed: {old}")
                logger.info("old backup removed: %s", old)
