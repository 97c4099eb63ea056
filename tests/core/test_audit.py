"""The audit trail: the hash chain and its verification, append-only rows, concurrent
appends, and the auditors' page and API (scope, filters, refusals, bounded queries)."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from gongzhi.core import audit, clock, context
from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.places import services as place_services
from tests.conftest import make_user


def _edits(actor, place, n, prefix="名称"):
    for i in range(n):
        place_services.update_place(actor=actor, place=place, name=f"{prefix}{i}")


def _verify() -> str:
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


@pytest.fixture
def officer(world):
    return make_user(Role.DISTRICT_OFFICER, world.district, name="区干部")


# --- The chain ----------------------------------------------------------------------


def test_verify_reports_count_and_ok(world, officer):
    _edits(officer, world.grid_a1_1, 4)
    output = _verify()
    assert "4 records checked: OK" in output
    assert AuditRecord.objects.order_by("-id").first().hash in output


def test_tampered_row_is_named(world, officer):
    _edits(officer, world.grid_a1_1, 5)
    ids = list(AuditRecord.objects.order_by("id").values_list("id", flat=True))
    victim = ids[2]
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE core_auditrecord SET target_repr = %s WHERE id = %s", ["别的名字", victim]
        )
    with pytest.raises(CommandError) as failure:
        _verify()
    message = str(failure.value)
    assert f"record id {victim} " in message
    assert "place.update" in message
    assert "content does not match its hash" in message
    assert failure.value.returncode == 1


def test_tampered_changes_are_named(world, officer):
    _edits(officer, world.grid_a1_1, 3)
    first = AuditRecord.objects.order_by("id").values_list("id", flat=True).first()
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE core_auditrecord SET changes = %s WHERE id = %s",
            ['{"name": ["a", "b"]}', first],
        )
    result = audit.verify_chain()
    assert (result.ok, result.broken_id, result.checked) == (False, first, 0)


def test_deleted_middle_row_is_detected(world, officer):
    _edits(officer, world.grid_a1_1, 5)
    ids = list(AuditRecord.objects.order_by("id").values_list("id", flat=True))
    with connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditrecord WHERE id = %s", [ids[2]])
    with pytest.raises(CommandError) as failure:
        _verify()
    # The record after the gap no longer points at its predecessor.
    assert f"record id {ids[3]} " in str(failure.value)
    assert "prev_hash" in str(failure.value)


def test_rehashed_row_is_still_detected_at_the_next_one(world, officer):
    """Recomputing the tampered row's own hash moves the break to the next row."""
    _edits(officer, world.grid_a1_1, 4)
    ids = list(AuditRecord.objects.order_by("id").values_list("id", flat=True))
    row = AuditRecord.objects.get(pk=ids[1])
    row.reason = "改过"
    new_hash = audit.compute_hash(row.prev_hash, row)
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE core_auditrecord SET reason = %s, hash = %s WHERE id = %s",
            ["改过", new_hash, ids[1]],
        )
    result = audit.verify_chain()
    assert result.broken_id == ids[2]


def test_truncating_the_newest_rows_needs_an_anchor(world, officer):
    _edits(officer, world.grid_a1_1, 4)
    anchor = AuditRecord.objects.order_by("-id").first().hash
    with connection.cursor() as cur:
        cur.execute(
            "DELETE FROM core_auditrecord WHERE id = %s",
            [AuditRecord.objects.order_by("-id").values_list("id", flat=True).first()],
        )
    # Without an anchor a cut-off tail is a consistent, shorter chain ...
    assert "3 records checked: OK" in _verify()
    # ... the head hash noted earlier shows that rows are missing.
    with pytest.raises(CommandError, match="anchor hash is not in the chain"):
        call_command("audit_verify", anchor=anchor, stdout=io.StringIO())


def test_anchor_inside_the_chain_passes(world, officer):
    _edits(officer, world.grid_a1_1, 3)
    anchor = AuditRecord.objects.order_by("id").first().hash
    _edits(officer, world.grid_a1_1, 2, prefix="新")
    assert "5 records checked: OK" in _verify_with_anchor(anchor)


def _verify_with_anchor(anchor):
    out = io.StringIO()
    call_command("audit_verify", anchor=anchor, stdout=out)
    return out.getvalue()


def test_values_that_databases_respell_still_verify(world, officer):
    """Floats, an uppercase IPv6 address, datetimes and NUL survive the round trip."""
    token = context.activate(context.RequestContext(client_ip="2001:DB8:0:0:0:0:0:1"))
    try:
        with transaction.atomic():
            entry = audit.record(
                actor=officer,
                action="test.values",
                place_path=world.district.path,
                changes={
                    "big": [1e20, -0.0],
                    "ratio": [0.1, 2.5],
                    "when": [None, dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)],
                    "text": ["a\x00b", "中文"],
                },
            )
    finally:
        context.deactivate(token)
    stored = AuditRecord.objects.get(pk=entry.pk)
    assert stored.client_ip == "2001:db8::1"
    assert stored.changes["big"] == ["1e+20", "-0.0"]
    assert audit.verify_chain().ok


def test_invalid_client_address_does_not_break_the_write(world, officer):
    token = context.activate(context.RequestContext(client_ip="not-an-address"))
    try:
        place_services.update_place(actor=officer, place=world.grid_a1_1, name="新名")
    finally:
        context.deactivate(token)
    assert AuditRecord.objects.get().client_ip is None
    assert audit.verify_chain().ok


def test_record_outside_a_transaction_is_refused(transactional_db, world, officer):
    with pytest.raises(RuntimeError):
        audit.record(actor=officer, action="x")


def test_rows_are_append_only(world, officer):
    _edits(officer, world.grid_a1_1, 2)
    entry = AuditRecord.objects.order_by("id").first()
    entry.reason = "x"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditRecord.objects.filter(pk=entry.pk).update(reason="x")
    with pytest.raises(PermissionError):
        AuditRecord.objects.all().delete()
    assert AuditRecord.objects.count() == 2
    assert audit.verify_chain().ok


def test_writer_threads_do_not_fork_the_chain(transactional_db, world):
    """Two threads append at once. PostgreSQL: the advisory lock orders the appends;
    SQLite: IMMEDIATE transactions queue the writers (no 'database is locked')."""
    rounds = 15
    users = [
        make_user(Role.DISTRICT_OFFICER, world.district, name="甲"),
        make_user(Role.DISTRICT_OFFICER, world.district, name="乙"),
    ]
    targets = [world.grid_a1_1, world.grid_b1_1]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(user, place):
        try:
            barrier.wait(timeout=10)
            _edits(user, place, rounds, prefix=user.name)
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, args=pair) for pair in zip(users, targets, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    result = audit.verify_chain()
    assert result.ok, result.problem
    assert result.checked == 2 * rounds
    prevs = list(AuditRecord.objects.values_list("prev_hash", flat=True))
    assert len(set(prevs)) == len(prevs)


# --- Browsing -------------------------------------------------------------------------


@pytest.fixture
def trail(world, officer):
    """Records in street A, street B, another district, and one without a place."""
    other = make_user(Role.DISTRICT_OFFICER, world.district_b, name="外区干部")
    place_services.update_place(actor=officer, place=world.grid_a1_1, name="甲网格")
    place_services.update_place(actor=officer, place=world.grid_b1_1, name="乙网格")
    place_services.update_place(actor=other, place=world.grid_c1_1, name="丙网格")
    with transaction.atomic():
        audit.record(actor=officer, action="auth.login", target=officer)
    return {r.target_repr: r for r in AuditRecord.objects.all()}


def _ids(response) -> set[int]:
    return {item.pk for item in response.context["page"]}


def test_district_officer_sees_own_district_only(client, login, world, officer, trail):
    response = login(officer).get("/audit/")
    assert response.status_code == 200
    assert _ids(response) == {trail["甲网格"].pk, trail["乙网格"].pk}
    content = response.content.decode()
    # Before and after of the change are shown.
    assert "甲网格" in content and world.grid_a1_1.name in content


def test_placeless_records_are_for_the_audit_admin_not_the_system_admin(
    client, login, world, trail
):
    # Separation of duties (issue 13, gongzhi/core/duties.py): the system admin reads only
    # the records of their own actions; the audit admin reads the whole trail.
    admin = make_user(Role.SYSTEM_ADMIN, world.district)
    assert _ids(login(admin).get("/audit/")) == set()
    auditor = make_user(Role.AUDIT_ADMIN, world.district)
    assert _ids(login(auditor).get("/audit/")) == {r.pk for r in trail.values()}


def test_superuser_sees_everything(client, login, world, trail):
    from gongzhi.core.models import User

    root = User.objects.create_superuser("root", "Gz-root-pass-2026")
    assert _ids(login(root).get("/audit/")) == {r.pk for r in trail.values()}


def test_filters(client, login, world, officer, trail):
    c = login(officer)
    assert _ids(c.get("/audit/", {"place": world.street_a.pk})) == {trail["甲网格"].pk}
    assert _ids(c.get("/audit/", {"action": "place."})) == {trail["甲网格"].pk, trail["乙网格"].pk}
    assert _ids(c.get("/audit/", {"action": "place.create"})) == set()
    assert _ids(c.get("/audit/", {"actor": "外区"})) == set()
    assert len(_ids(c.get("/audit/", {"actor": "区干部"}))) == 2
    assert len(_ids(c.get("/audit/", {"target_type": "places.Place"}))) == 2
    today = clock.today()
    assert len(_ids(c.get("/audit/", {"since": today, "until": today}))) == 2
    yesterday = today - dt.timedelta(days=1)
    assert _ids(c.get("/audit/", {"until": yesterday})) == set()


def test_date_filter_uses_local_days(client, login, world, officer):
    # 23:30 in Shanghai on 1 March is still 1 March there (15:30 UTC).
    with clock.travel_to(timezone.make_aware(dt.datetime(2026, 3, 1, 23, 30))):
        place_services.update_place(actor=officer, place=world.grid_a1_1, name="深夜")
    c = login(officer)
    assert len(_ids(c.get("/audit/", {"since": "2026-03-01", "until": "2026-03-01"}))) == 1
    assert _ids(c.get("/audit/", {"since": "2026-03-02"})) == set()


def test_place_filter_outside_scope_is_404(client, login, world, officer, trail):
    assert login(officer).get("/audit/", {"place": world.district_b.pk}).status_code == 404


@pytest.mark.parametrize(
    ("role", "place_attr"),
    [(Role.COMMUNITY_SECRETARY, "community_a1"), (Role.GRID_WORKER, "grid_a1_1")],
)
def test_non_auditors_are_refused(client, login, world, trail, role, place_attr):
    user = make_user(role, getattr(world, place_attr))
    c = login(user)
    assert c.get("/audit/").status_code == 403
    assert c.get(f"/audit/{trail['甲网格'].pk}/").status_code == 403
    api = APIClient()
    api.force_authenticate(user)
    assert api.get("/api/v1/audit/").status_code == 403
    assert api.get(f"/api/v1/audit/{trail['甲网格'].pk}/").status_code == 403


def test_anonymous_is_sent_to_login(client, world):
    assert client.get("/audit/").status_code == 302
    assert APIClient().get("/api/v1/audit/").status_code in (401, 403)


def test_detail(client, login, world, officer, trail):
    c = login(officer)
    response = c.get(f"/audit/{trail['甲网格'].pk}/")
    assert response.status_code == 200
    assert trail["甲网格"].hash in response.content.decode()
    assert c.get(f"/audit/{trail['丙网格'].pk}/").status_code == 404
    assert c.get(f"/audit/{trail['区干部'].pk}/").status_code == 404


def test_list_queries_are_bounded(client, login, world, officer, django_assert_max_num_queries):
    for i in range(3):
        for grid in (world.grid_a1_1, world.grid_a1_2, world.grid_a2_1, world.grid_b1_1):
            place_services.update_place(actor=officer, place=grid, name=f"网格{i}")
    c = login(officer)
    with django_assert_max_num_queries(12):
        response = c.get("/audit/", {"action": "place.update", "place": world.district.pk})
    assert len(response.context["page"]) == 12


def test_list_is_paginated_and_keeps_filters(client, login, world, officer):
    from gongzhi.core import views_audit

    for i in range(views_audit.PAGE_SIZE + 1):
        place_services.update_place(actor=officer, place=world.grid_a1_1, name=f"网格{i}")
    response = login(officer).get("/audit/", {"action": "place.update"})
    assert len(response.context["page"]) == views_audit.PAGE_SIZE
    assert "action=place.update&amp;page=2" in response.content.decode()


def test_api(world, officer, trail):
    api = APIClient()
    api.force_authenticate(officer)
    body = api.get("/api/v1/audit/").json()
    assert body["count"] == 2
    assert {r["id"] for r in body["results"]} == {trail["甲网格"].pk, trail["乙网格"].pk}
    row = api.get("/api/v1/audit/", {"place": world.street_a.pk}).json()["results"]
    assert [r["target_repr"] for r in row] == ["甲网格"]
    assert row[0]["changes"]["name"] == [world.grid_a1_1.name, "甲网格"]
    assert api.get("/api/v1/audit/", {"action": "auth."}).json()["count"] == 0
    assert api.get("/api/v1/audit/", {"place": world.district_b.pk}).status_code == 404
    assert api.get(f"/api/v1/audit/{trail['丙网格'].pk}/").status_code == 404
    # Read-only.
    assert api.delete(f"/api/v1/audit/{trail['甲网格'].pk}/").status_code == 405


def test_the_chain_cannot_fork_even_without_the_lock(world):
    """The database refuses a second record following the same one (unique prev_hash)."""
    from django.db import IntegrityError

    with transaction.atomic():
        first = audit.record(actor=None, action="test.first")
    fork = AuditRecord(at=first.at, action="test.fork", prev_hash=first.prev_hash, changes={})
    fork.hash = audit.compute_hash(fork.prev_hash, fork)
    with pytest.raises(IntegrityError), transaction.atomic():
        fork.save()
    with pytest.raises(PermissionError):
        AuditRecord.objects.bulk_create([fork])
