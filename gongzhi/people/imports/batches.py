"""Resident import: the batch workflow used by the pages, the background task and the command."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction

from gongzhi.core import access, audit, clock
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Action
from gongzhi.people.imports.checks import CheckResult, check, error_entries
from gongzhi.people.imports.fileformat import (
    AUDIT_ACTION,
    E_CORRUPT,
    M_CHANGED,
    M_HAS_ERRORS,
    M_NOT_READY,
    ImportFileError,
    ImportRefused,
)
from gongzhi.people.imports.parse import read_file
from gongzhi.people.imports.storage import delete_file, load_file, purge_expired, store_file
from gongzhi.people.imports.writing import Counts, write
from gongzhi.people.models import (
    ImportBatch,
)
from gongzhi.places.models import Place

# -- the batch workflow (pages, task) -----------------------------------------------------------


def background_threshold() -> int:
    return settings.IMPORT_BACKGROUND_ROWS


def start(community: Place, file_name: str, data: bytes, *, actor: User) -> ImportBatch:
    """Upload: check the file's size and header row now (file-level errors raise, nothing is
    kept), store it encrypted and check its rows inline or as a background task."""
    access.require(actor, Action.RESIDENT_IMPORT, community.path, read_action=Action.RESIDENT_VIEW)
    purge_expired()
    parsed = read_file(data, file_name)  # raises ImportFileError before anything is written
    background = parsed.estimated_rows > background_threshold()
    if not background:
        result = check(community, parsed)  # file-level errors raise here too
    batch = ImportBatch.objects.create(
        community=community,
        place_path=community.path,
        created_by=actor,
        file_name=Path(file_name).name[:200],
        file_format=parsed.format,
        background=background,
    )
    store_file(batch, data)
    if background:
        from gongzhi.people.tasks import check_import

        check_import(batch.pk)
        batch.refresh_from_db()
    else:
        _save_check(batch, result)
    return batch


def _save_check(batch: ImportBatch, result: CheckResult) -> None:
    batch.status = ImportBatch.Status.VALIDATED
    batch.total_rows = result.total
    batch.progress = result.total
    batch.error_rows = result.errors
    batch.valid_rows = result.total - result.errors
    batch.new_rows = result.new
    batch.errors = error_entries(result)
    batch.file_error = []
    batch.save()


def _fail(batch: ImportBatch, error: ImportFileError) -> None:
    delete_file(batch)
    batch.status = ImportBatch.Status.FAILED
    batch.file_error = error.as_json()
    batch.finished_at = clock.now()
    batch.save(update_fields=["status", "file_error", "finished_at"])


def _progress_saver(batch: ImportBatch) -> Callable[[int], None]:
    def save(n: int) -> None:
        ImportBatch.objects.filter(pk=batch.pk).update(progress=n)

    return save


def run_check(batch_id: int) -> None:
    """The background check of an uploaded file (gongzhi.people.tasks.check_import)."""
    batch = ImportBatch.objects.select_related("community").get(pk=batch_id)
    if batch.status != ImportBatch.Status.VALIDATING:
        return
    try:
        parsed = read_file(load_file(batch), batch.file_name)
        batch.total_rows = parsed.estimated_rows
        batch.save(update_fields=["total_rows"])
        result = check(batch.community, parsed, _progress_saver(batch))
    except ImportFileError as error:
        _fail(batch, error)
        return
    _save_check(batch, result)


def commit(batch: ImportBatch, mode: str, *, actor: User) -> ImportBatch:
    """The worker's decision: write all rows or nothing, or only the valid rows."""
    access.require(
        actor, Action.RESIDENT_IMPORT, batch.place_path, read_action=Action.RESIDENT_VIEW
    )
    if mode not in ImportBatch.Mode.values:
        raise ValueError(mode)
    if batch.status != ImportBatch.Status.VALIDATED:
        raise ImportRefused(M_NOT_READY, status=batch.get_status_display())
    if mode == ImportBatch.Mode.ALL_OR_NOTHING and batch.error_rows:
        raise ImportRefused(M_HAS_ERRORS, n=batch.error_rows)
    updated = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.VALIDATED).update(
        status=ImportBatch.Status.COMMITTING, mode=mode, committed_by=actor, progress=0
    )
    if not updated:  # a second click, or another worker, got there first
        batch.refresh_from_db()
        raise ImportRefused(M_NOT_READY, status=batch.get_status_display())
    if batch.background:
        from gongzhi.people.tasks import commit_import

        commit_import(batch.pk)
    else:
        run_commit(batch.pk)
    batch.refresh_from_db()
    return batch


def run_commit(batch_id: int) -> None:
    """Re-read and re-check the stored file, then write (inline or as a background task)."""
    batch = ImportBatch.objects.select_related("community", "committed_by").get(pk=batch_id)
    if batch.status != ImportBatch.Status.COMMITTING:
        return
    grant = None
    if batch.committed_by is not None:
        grant = access.grant_for(batch.committed_by, Action.RESIDENT_IMPORT, batch.place_path)
        if grant is None:  # the post was withdrawn meanwhile
            _back_to_preview(batch, None)
            return
    try:
        parsed = read_file(load_file(batch), batch.file_name)
        result = check(batch.community, parsed)
    except ImportFileError as error:
        _fail(batch, error)
        return
    run_write(batch, result, actor=batch.committed_by, post=grant.post if grant else None)


def _back_to_preview(batch: ImportBatch, result: CheckResult | None) -> None:
    if result is not None:
        _save_check(batch, result)
    else:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.VALIDATED)


def run_write(
    batch: ImportBatch,
    result: CheckResult,
    *,
    actor: User | None = None,
    post: Post | None = None,
    reason: str = "",
) -> Counts:
    """Write a checked file for a batch in its mode; one audit record for the batch."""
    valid = result.valid
    progress = _progress_saver(batch)
    if batch.mode == ImportBatch.Mode.ALL_OR_NOTHING and result.errors:
        # The data changed since the preview (a household removed, a person registered
        # elsewhere): show the new errors, write nothing.
        _back_to_preview(batch, result)
        raise ImportRefused(M_HAS_ERRORS, n=result.errors)
    try:
        if batch.mode == ImportBatch.Mode.ALL_OR_NOTHING:
            with transaction.atomic():
                counts = write(valid, atomic_chunks=False)
                _finish(batch, result, counts, actor, post, reason)
        else:
            counts = write(valid, atomic_chunks=True, progress=progress)
            with transaction.atomic():
                _finish(batch, result, counts, actor, post, reason)
    except IntegrityError as exc:
        # Someone registered one of these people between the check and the write.
        _back_to_preview(batch, None)
        raise ImportRefused(M_CHANGED) from exc
    delete_file(batch)
    return counts


def _finish(
    batch: ImportBatch,
    result: CheckResult,
    counts: Counts,
    actor: User | None,
    post: Post | None,
    reason: str,
) -> None:
    batch.status = ImportBatch.Status.COMMITTED
    batch.total_rows = result.total
    batch.error_rows = result.errors
    batch.valid_rows = result.total - result.errors
    batch.errors = error_entries(result)
    batch.created_count = counts.created
    batch.updated_count = counts.updated
    batch.unchanged_count = counts.unchanged
    batch.progress = result.total
    batch.finished_at = clock.now()
    batch.save()
    audit.record(
        actor=actor,
        post=post,
        action=AUDIT_ACTION,
        target=batch,
        place_path=batch.place_path,
        target_repr=f"{batch.community.name}: {batch.file_name}",
        changes={
            "file": batch.file_name,
            "community": batch.community.name,
            "mode": batch.mode,
            "rows": result.total,
            "errors": result.errors,
            "created": counts.created,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
        },
        reason=reason,
    )


def import_file(
    community: Place,
    file_name: str,
    data: bytes,
    mode: str,
    *,
    reason: str = "",
    dry_run: bool = False,
) -> tuple[CheckResult, ImportBatch | None]:
    """The operators' path (`manage.py import_residents`): check and write in one go, as
    the system (no user, no permission check: the operator runs the server)."""
    parsed = read_file(data, file_name)
    result = check(community, parsed)
    if dry_run:
        return result, None
    if mode == ImportBatch.Mode.ALL_OR_NOTHING and result.errors:
        refusal = ImportRefused(M_HAS_ERRORS, n=result.errors)
        refusal.result = result
        raise refusal
    batch = ImportBatch.objects.create(
        community=community,
        place_path=community.path,
        file_name=Path(file_name).name[:200],
        file_format=parsed.format,
        status=ImportBatch.Status.COMMITTING,
        mode=mode,
    )
    run_write(batch, result, reason=reason)
    return result, batch


def recover(batch_id: int) -> None:
    """After an unexpected failure of a task: a check is marked failed; a commit goes back to
    the preview (rows already written in valid_only mode are found as unchanged next time)."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return
    if batch.status == ImportBatch.Status.VALIDATING:
        _fail(batch, ImportFileError(E_CORRUPT))
    elif batch.status == ImportBatch.Status.COMMITTING:
        _back_to_preview(batch, None)


def discard(batch: ImportBatch, *, actor: User) -> None:
    """Throw a previewed batch away: its stored file is deleted and the batch marked discarded,
    under the batch's row lock so a commit started at the same moment cannot also run."""
    grant = access.require(
        actor, Action.RESIDENT_IMPORT, batch.place_path, read_action=Action.RESIDENT_VIEW
    )
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status in {ImportBatch.Status.COMMITTED, ImportBatch.Status.COMMITTING}:
            raise ImportRefused(M_NOT_READY, status=batch.get_status_display())
        batch.status = ImportBatch.Status.DISCARDED
        batch.finished_at = clock.now()
        batch.save(update_fields=["status", "finished_at"])
        audit.record(
            actor=actor,
            post=grant.post,
            action="resident.import_discard",
            target=batch,
            place_path=batch.place_path,
            target_repr=batch.file_name,
            changes={"file": batch.file_name},
        )
        delete_file(batch)
