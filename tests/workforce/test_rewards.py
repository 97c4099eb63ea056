"""Certificates, coverage and the one-off rewards of 000 §三: amounts from the profile, approval
and payment by an officer, never twice for the same level (also under two simultaneous
approvals), scans served only to those who see personal data."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord
from gongzhi.places.compliance import Status
from gongzhi.places.models import Place
from gongzhi.workforce import checks, services
from gongzhi.workforce.models import (
    Certificate,
    CertificateScan,
    Reward,
    RewardStatus,
    WorkerKind,
)
from tests.workforce.conftest import add

pytestmark = pytest.mark.django_db
D = dt.date


def _png(name="scan.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def certify(w, worker, level="assistant", number="A-001", **fields):
    fields.setdefault("obtained_on", D(2026, 3, 1))
    return services.record_certificate(
        worker, actor=w.secretary, level=level, number=number, **fields
    )


@pytest.mark.parametrize(
    ("level", "fen"), [("assistant", 100000), ("intermediate", 200000), ("senior", 500000)]
)
def test_reward_amount_from_the_profile(wf, level, fen):
    worker = add(wf, wf.people[0])
    certificate = certify(wf, worker, level)
    reward = Reward.objects.get(certificate=certificate)
    assert reward.amount_fen == fen and reward.status == RewardStatus.AWAITING
    assert reward.citation.startswith("000 §三")


def test_other_qualification_earns_nothing(wf):
    worker = add(wf, wf.people[0])
    certify(wf, worker, "other", title="心理咨询师三级")
    assert not Reward.objects.exists()
    with pytest.raises(ValidationError):
        certify(wf, worker, "other", number="B-1")  # other needs its name


def test_no_reward_where_the_profile_sets_none(wf):
    wf.world.district.policy_profile = "no-keys"
    wf.world.district.save()
    worker = add(wf, wf.people[0])
    certify(wf, worker)
    assert Certificate.objects.count() == 1 and not Reward.objects.exists()


@pytest.mark.parametrize(("started", "rewarded"), [(D(2024, 6, 2), False), (D(2024, 6, 1), True)])
def test_agency_social_worker_after_two_years(wf, started, rewarded):
    worker = add(wf, wf.people[0], kind=WorkerKind.AGENCY_SOCIAL_WORKER, started_on=started)
    certify(wf, worker)
    assert Reward.objects.exists() is rewarded


def test_never_twice_for_the_same_level(wf):
    worker = add(wf, wf.people[0])
    certify(wf, worker, number="A-001")
    certify(wf, worker, number="A-002")  # a second assistant certificate: no second reward
    assert Reward.objects.count() == 1
    services.end_worker(worker, actor=wf.secretary, left_on=D(2026, 4, 1), reason="调动")
    again = add(wf, wf.people[0], started_on=D(2026, 4, 2))
    certify(wf, again, number="A-003")  # a new record of the same person: still none
    assert Reward.objects.count() == 1
    certify(wf, again, "intermediate", number="M-001")  # the next level is rewarded
    assert Reward.objects.count() == 2


def test_the_database_refuses_a_second_reward_for_a_level(wf):
    worker = add(wf, wf.people[0])
    first = certify(wf, worker, number="A-001")
    second = certify(wf, worker, number="A-002")
    reward = Reward.objects.get(certificate=first)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reward.objects.create(
            certificate=second,
            resident=reward.resident,
            level=reward.level,
            amount_fen=100000,
            place_path=reward.place_path,
        )


def test_a_refused_reward_may_be_proposed_again(wf):
    worker = add(wf, wf.people[0])
    certify(wf, worker, number="A-001")
    services.refuse_reward(Reward.objects.get(), actor=wf.street, note="证书号有误")
    certify(wf, worker, number="A-002")
    assert Reward.objects.filter(status=RewardStatus.AWAITING).count() == 1


def test_approve_then_pay_by_the_street(wf):
    worker = add(wf, wf.people[0])
    certify(wf, worker)
    reward = Reward.objects.get()
    with pytest.raises(ValidationError, match="approved reward"):
        services.mark_paid(reward, actor=wf.street)
    services.approve_reward(reward, actor=wf.street)
    with pytest.raises(ValidationError, match="not awaiting"):
        services.approve_reward(reward, actor=wf.street)
    services.mark_paid(reward, actor=wf.street)
    reward.refresh_from_db()
    assert reward.status == RewardStatus.PAID and reward.paid_by == wf.street
    with pytest.raises(ValidationError):
        services.mark_paid(reward, actor=wf.street)
    actions = list(
        AuditRecord.objects.filter(action__startswith="workforce.reward")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "workforce.reward_propose",
        "workforce.reward_approve",
        "workforce.reward_pay",
    ]


def test_secretary_and_grid_worker_cannot_approve(wf):
    worker = add(wf, wf.people[0])
    certify(wf, worker)
    reward = Reward.objects.get()
    with pytest.raises(PermissionDenied):
        services.approve_reward(reward, actor=wf.secretary)
    with pytest.raises(PermissionDenied):
        services.approve_reward(reward, actor=wf.grid)
    with pytest.raises(PermissionDenied):
        services.record_certificate(
            worker, actor=wf.grid, level="senior", number="S-1", obtained_on=D(2026, 1, 1)
        )


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_approvals_approve_once(wf):
    worker = add(wf, wf.people[0])
    certify(wf, worker)
    reward = Reward.objects.get()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve():
        try:
            barrier.wait(timeout=10)
            services.approve_reward(reward, actor=wf.street)
            outcomes.append("approved")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["approved", "refused"]
    assert AuditRecord.objects.filter(action="workforce.reward_approve").count() == 1


def test_scan_is_re_encoded_and_served_only_with_personal_rights(wf, login):
    worker = add(wf, wf.people[0])
    certificate = certify(wf, worker, scans=[_png()])
    scan = CertificateScan.objects.get(certificate=certificate)
    url = reverse("workforce:scan", args=[certificate.pk, scan.pk])
    response = login(wf.secretary).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert login(wf.grid).get(url).status_code == 404
    assert login(wf.worker_a2).get(url).status_code == 404


def test_a_bad_scan_writes_nothing(wf):
    worker = add(wf, wf.people[0])
    bad = io.BytesIO(b"not an image")
    bad.name = "x.png"
    with pytest.raises(ValidationError):
        certify(wf, worker, scans=[bad])
    assert not Certificate.objects.exists() and not Reward.objects.exists()


def test_coverage_row_is_overdue_after_2024(wf):
    a = add(wf, wf.people[0])
    add(wf, wf.people[1])
    add(wf, wf.people[2], kind=WorkerKind.FIRST_SECRETARY)  # not counted
    certify(wf, a)
    row = next(c for c in checks.community_report(wf.community).checks if c.key == checks.CERTIFIED)
    assert str(row.actual) == "50.0" and row.status == Status.OVERDUE
    assert row.due == D(2024, 12, 31)
    clock.set_now(dt.datetime(2024, 6, 1, 9, 0))
    row = next(c for c in checks.community_report(wf.community).checks if c.key == checks.CERTIFIED)
    assert row.status == Status.SHORT


def test_coverage_full_is_ok_and_street_totals(wf):
    for p in wf.people[:2]:
        certify(wf, add(wf, p), number=f"A-{p.pk}")
    row = next(c for c in checks.community_report(wf.community).checks if c.key == checks.CERTIFIED)
    assert str(row.actual) == "100.0" and row.status == Status.OK
    (street,) = checks.street_coverage(
        Place.objects.filter(pk__in=[wf.community.pk, wf.world.community_a2.pk])
    )
    assert street["covered"] == 2 and street["certified"] == 2


# --------------------------------------------------------------------------- pages and API


def test_reward_pages_approve_and_pay(wf, login):
    certify(wf, add(wf, wf.people[0]))
    reward = Reward.objects.get()
    street = login(wf.street)
    page = street.get(reverse("workforce:rewards")).content.decode()
    assert "1000.00" in page and 'data-testid="approve"' in page
    street.post(reverse("workforce:reward_step", args=[reward.pk, "approve"]))
    street.post(reverse("workforce:reward_step", args=[reward.pk, "pay"]))
    reward.refresh_from_db()
    assert reward.status == RewardStatus.PAID


def test_reward_pages_wrong_roles(wf, login):
    certify(wf, add(wf, wf.people[0]))
    reward = Reward.objects.get()
    secretary = login(wf.secretary)
    page = secretary.get(reverse("workforce:rewards")).content.decode()
    assert "1000.00" in page and 'data-testid="approve"' not in page  # no button they cannot use
    assert (
        secretary.post(reverse("workforce:reward_step", args=[reward.pk, "approve"])).status_code
        == 403
    )
    assert login(wf.grid).get(reverse("workforce:rewards")).status_code == 403
    other = APIClient()
    other.force_authenticate(wf.worker_a2)
    assert other.get(f"/api/v1/workforce-rewards/{reward.pk}/").status_code == 404
    api = APIClient()
    api.force_authenticate(wf.secretary)
    assert api.post(f"/api/v1/workforce-rewards/{reward.pk}/approve/").status_code == 403
    grid = APIClient()
    grid.force_authenticate(wf.grid)
    assert grid.get("/api/v1/workforce-rewards/").status_code == 403
    reward.refresh_from_db()
    assert reward.status == RewardStatus.AWAITING


def test_certificate_through_page_and_api(wf, login):
    worker = add(wf, wf.people[0])
    client = login(wf.secretary)
    client.post(
        reverse("workforce:certificate_add", args=[worker.pk]),
        {"level": "intermediate", "number": "M-9", "obtained_on": "2026-02-01", "scan": _png()},
    )
    assert CertificateScan.objects.count() == 1
    assert Reward.objects.get().amount_fen == 200000
    api = APIClient()
    api.force_authenticate(wf.secretary)
    made = api.post(
        f"/api/v1/workforce-workers/{worker.pk}/certificates/",
        {"level": "senior", "number": "S-9", "obtained_on": "2026-02-01"},
        format="json",
    )
    assert made.status_code == 201 and made.json()["reward"]["amount_yuan"] == "5000.00"
    bad = api.post(
        f"/api/v1/workforce-workers/{worker.pk}/certificates/",
        {"level": "senior", "number": "S-9", "obtained_on": "2026-02-01"},
        format="json",
    )
    assert bad.status_code == 400
    street = APIClient()
    street.force_authenticate(wf.street)
    rows = street.get("/api/v1/workforce-rewards/").json()["results"]
    assert len(rows) == 2
    done = street.post(f"/api/v1/workforce-rewards/{rows[0]['id']}/approve/")
    assert done.status_code == 200 and done.json()["status"] == "approved"
    assert street.post(f"/api/v1/workforce-rewards/{rows[0]['id']}/approve/").status_code == 400
    assert street.post(f"/api/v1/workforce-rewards/{rows[1]['id']}/refuse/", {}).status_code == 400


def test_rewards_list_bounded(wf, login, django_assert_max_num_queries):
    for i, p in enumerate(wf.people[:12]):
        certify(wf, add(wf, p), number=f"A-{i}")
    client = login(wf.street)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("workforce:rewards")).content.decode()
    assert page.count('data-testid="reward-row"') == 12
    api = APIClient()
    api.force_authenticate(wf.street)
    with django_assert_max_num_queries(10):
        assert len(api.get("/api/v1/workforce-rewards/").json()["results"]) == 12
