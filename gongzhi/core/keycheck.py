"""Does this process hold the field key the database was written with?

A process started with another GONGZHI_FIELD_KEY cannot read a phone or ID number and cannot
find anyone by phone (the blind index changes with the key): reveals fail and phone logins read
as a wrong password. So each key version seals a known text (`core.KeySentinel`) the first time
it is current, and `check()` opens every sentinel whose version the process holds. Production
refuses to serve with a key that fails (gongzhi/wsgi.py); readiness (/readyz) reports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from django.db import IntegrityError, transaction
from django.db.utils import DatabaseError

from gongzhi.core import crypto

SENTINEL = "gongzhi field key sentinel"


@dataclass
class KeyStatus:
    ok: bool
    wrong: list[int] = field(default_factory=list)  # versions whose sentinel does not open
    retired: list[int] = field(default_factory=list)  # sentinels of versions no longer held
    checked: list[int] = field(default_factory=list)

    @property
    def message(self) -> str:
        if self.ok:
            return "ok"
        return (
            f"GONGZHI_FIELD_KEY does not match the database: version(s) {self.wrong} cannot open "
            "their sentinel (docs/deployment.md 'Keys')"
        )


def check() -> KeyStatus:
    """Open every sentinel of a held version; seal one for the current version if it has none."""
    from gongzhi.core.models import KeySentinel

    held = crypto.keys()
    current = crypto.current()
    rows = {row.version: row.token for row in KeySentinel.objects.all()}
    if current.version not in rows:
        token = crypto.Protector(current).encrypt(SENTINEL)
        try:
            with transaction.atomic():
                KeySentinel.objects.create(version=current.version, token=token)
        except IntegrityError:  # another process sealed it first: read theirs
            token = KeySentinel.objects.get(version=current.version).token
        rows[current.version] = token
    status = KeyStatus(ok=True)
    for version, token in sorted(rows.items()):
        if version not in held:
            status.retired.append(version)
            continue
        status.checked.append(version)
        try:
            opened = crypto.decrypt(token)
        except (InvalidTag, ValueError, crypto.KeyMissing):
            opened = None
        if opened != SENTINEL:
            status.wrong.append(version)
    status.ok = not status.wrong
    return status


def verify_at_start() -> None:
    """Refuse to serve with a key that cannot open the database's sentinels. A database not yet
    migrated has none: nothing to check then."""
    try:
        status = check()
    except DatabaseError:
        return
    if not status.ok:
        raise crypto.KeyMissing(status.message)
