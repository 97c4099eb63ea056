"""Restore a backup written by `manage.py backup`, then verify it.

    manage.py restore BACKUP_DIR [--database-url URL] [--media-root DIR] [--force]

1. Checks every file of the backup against manifest.json (SHA-256 and size): a damaged or
   altered backup is refused before anything is written.
2. Refuses to restore over a database that holds any table, or into a media folder that holds
   any file, unless --force.
3. Restores the database: SQLite through the online backup API into the target file;
   PostgreSQL with pg_restore (its major version at least that of the pg_dump that wrote
   the backup; --force adds --clean --if-exists). Then the media files, each checked
   against its checksum.
4. Verifies the restored database with the existing commands, run against it:
   `audit_verify --anchor <head at backup time>` (the chain holds and no tail is missing)
   and `ledger_verify`. Exit code 1 when any step fails.
5. Says whether the configured field key is the one the backup's personal fields need.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from gongzhi.core.management.commands import backup

logger = logging.getLogger("gongzhi.backup")


class Command(BaseCommand):
    help = (
        "Restore a backup directory (database and media) after checking its checksums, then "
        "verify the restored database with audit_verify and ledger_verify."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup_dir")
        parser.add_argument(
            "--database-url",
            help="the database to restore into (default: the configured database)",
        )
        parser.add_argument("--media-root", help="where to put media files (default: MEDIA_ROOT)")
        parser.add_argument(
            "--force", action="store_true", help="restore over a non-empty database/media folder"
        )
        parser.add_argument("--pg-bin", help="directory of pg_restore (default: found)")

    def handle(
        self, backup_dir, database_url=None, media_root=None, force=False, pg_bin=None, **options
    ):
        source = Path(backup_dir)
        manifest = self._checked_manifest(source)
        url = database_url or backup.database_url(connections["default"].settings_dict)
        target = dj_database_url.parse(url)
        engine = backup.engine_of(target)
        if engine != manifest["engine"]:
            raise CommandError(
                f"the backup is a {manifest['engine']} database; the target is {engine}"
            )
        media = Path(media_root or settings.MEDIA_ROOT)
        if not force:
            if media.is_dir() and any(p.is_file() for p in media.rglob("*")):
                raise CommandError(
                    f"the media folder {media} is not empty: use another --media-root, "
                    "or --force to overwrite"
                )
            if self._has_tables(engine, target):
                raise CommandError(
                    "the target database is not empty: restoring would overwrite it. "
                    "Use a new database, or --force to overwrite"
                )
        if engine == "sqlite":
            self._restore_sqlite(source / backup.SQLITE_FILE, Path(target["NAME"]))
        else:
            self._restore_pg(source / backup.PG_FILE, target, manifest, force, pg_bin)
        for alias in connections:
            connections[alias].close()
        restored = self._restore_media(source / backup.MEDIA_FILE, media, manifest)
        self.stdout.write(f"database restored ({engine}); {restored} media files restored")
        # Without --database-url the checks inherit this process's configuration (DATABASE_URL
        # with all its options, or the embedded SQLite file) and so check the same database.
        self._verify(database_url, manifest)
        self._key_check(manifest)
        self.stdout.write("restore verified: OK")
        logger.info("backup %s restored into a %s database and verified", source, engine)

    # -- steps --------------------------------------------------------------------------------

    def _checked_manifest(self, source: Path) -> dict:
        try:
            manifest = json.loads((source / backup.MANIFEST).read_text())
        except (OSError, ValueError) as exc:
            raise CommandError(f"{source}: no readable {backup.MANIFEST} ({exc})") from exc
        if manifest.get("format") != backup.FORMAT:
            raise CommandError(f"unknown backup format {manifest.get('format')!r}")
        for name, expected in manifest["files"].items():
            path = source / name
            if not path.is_file():
                raise CommandError(f"{name} is missing from the backup")
            if (
                path.stat().st_size != expected["bytes"]
                or backup.sha256_file(path) != (expected["sha256"])
            ):
                raise CommandError(
                    f"checksum mismatch: {name} — the backup is damaged or was altered; "
                    "nothing was restored"
                )
        self.stdout.write(f"checksums OK ({len(manifest['files'])} files)")
        return manifest

    def _has_tables(self, engine: str, target: dict) -> bool:
        if engine == "sqlite":
            path = Path(target["NAME"])
            if not path.exists() or path.stat().st_size == 0:
                return False
            with sqlite3.connect(path) as db:
                return (
                    db.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[
                        0
                    ]
                    > 0
                )
        import psycopg

        with psycopg.connect(**_pg_kwargs(target)) as db:
            return (
                db.execute(
                    "SELECT count(*) FROM information_schema.tables "
                    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
                ).fetchone()[0]
                > 0
            )

    def _restore_sqlite(self, dump: Path, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        dst = sqlite3.connect(path)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()

    def _restore_pg(self, dump: Path, target: dict, manifest: dict, force: bool, pg_bin) -> None:
        binary = backup.pg_binary("pg_restore", pg_bin)
        major = backup.pg_major(binary)
        needed = manifest.get("pg_dump_major", 0)
        if major < needed:
            raise CommandError(
                f"{binary} is version {major}; the backup was written by pg_dump {needed}: "
                f"pg_restore must be at least {needed} (postgresql-client-{needed})"
            )
        args = [binary, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        if force:
            args += ["--clean", "--if-exists"]
        args += ["--dbname", target["NAME"], str(dump)]
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            args, env=backup.pg_env(target), capture_output=True, text=True
        )
        if result.returncode:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()[-2000:]}")

    def _restore_media(self, archive: Path, media: Path, manifest: dict) -> int:
        media.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive) as tar:
            names = [m.name for m in tar.getmembers()]
            if set(names) != set(manifest["media"]):
                raise CommandError("media.tar does not hold the files the manifest lists")
            tar.extractall(media, filter="data")
        for rel, digest in manifest["media"].items():
            if backup.sha256_file(media / rel) != digest:
                raise CommandError(f"checksum mismatch after restore: media file {rel}")
        return len(names)

    def _verify(self, url: str | None, manifest: dict) -> None:
        """audit_verify and ledger_verify, each run against the restored database."""
        env = dict(os.environ, **({"DATABASE_URL": url} if url else {}))
        manage = str(Path(settings.BASE_DIR) / "manage.py")
        anchor = manifest["audit"].get("head")
        checks = [["audit_verify"] + (["--anchor", anchor] if anchor else []), ["ledger_verify"]]
        for check in checks:
            result = subprocess.run(  # noqa: S603 - our own manage.py, no shell
                [sys.executable, manage, *check],
                env=env,
                capture_output=True,
                text=True,
                cwd=settings.BASE_DIR,
            )
            for line in (result.stdout + result.stderr).strip().splitlines():
                self.stdout.write(f"  {check[0]}: {line}")
            if result.returncode:
                raise CommandError(
                    f"the restored database fails {check[0]}: the backup's data are not intact "
                    "(see above); do not put it into service",
                    returncode=1,
                )

    def _key_check(self, manifest: dict) -> None:
        wanted = manifest.get("crypto", {}).get("key_fingerprints", {})
        have = backup.key_fingerprints()
        missing = [v for v, fp in wanted.items() if have.get(v) != fp]
        if missing:
            self.stderr.write(
                "warning: the configured GONGZHI_FIELD_KEY does not hold key version(s) "
                f"{', '.join(sorted(missing))} of the backup: the personal fields of the "
                "restored database will not decrypt until the original key is configured"
            )
        else:
            self.stdout.write("field key: matches the backup")


def _pg_kwargs(target: dict) -> dict:
    kwargs = {"dbname": target["NAME"]}
    for key, name in (
        ("HOST", "host"),
        ("PORT", "port"),
        ("USER", "user"),
        ("PASSWORD", "password"),
    ):
        if target.get(key):
            kwargs[name] = target[key]
    return kwargs
