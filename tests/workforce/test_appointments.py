"""First secretaries and seconded cadres (issue 15 item 3, seed 000 §二): appointments from a
partner unit or an office, the least secondment from the profile (boundary), early end, the
appointee's own duty log and end-of-term report (object rule), the street's acceptance, the
compliance rows, pages, API and the grid worker's refusal."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from PIL import Image

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.partners.models import PartnerUnit, UnitKind
from gongzhi.workforce import appointments as svc
from gongzhi.workforce import checks
from gongzhi.workforce.models import Appointment, DutyLogEntry, WorkerKind
from tests.conftest import make_user
from tests.workforce.conftest import PROFILE, add, resident

pytestmark = pytest.mark.django_db
D = dt.date

APPOINT_PROFILE = PROFILE + (
    "party:\n"
    "  secondment_min_years: 1  # 000 §二: 挂职期不少于 1 年\n"
    "training:\n"
    "  secretary_min_sessions_per_year: 1  # 001 §5: 每年至少参加1次县及县以上的集中培训\n"
    "grid:\n"
    "  worker_contests_per_year: 1  # 003 §三(一)2: 每年至少开展一次网格员技能竞赛\n"
)


def _png(name="report.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer


@pytest.fixture
def ap(wf, profile_dir):
    (profile_dir / "workforce-appoint.yaml").write_text(APPOINT_PROFILE)
    wf.world.district.policy_profile = "workforce-appoint"
    wf.world.district.save()
    wf.appointee = make_user(Role.COMMUNITY_WORKER, wf.community, name="第一书记")
    person = wf.people[0]
    person.user = wf.appointee
    person.save(update_fields=["user"])
    wf.first = add(wf, person, kind=WorkerKind.FIRST_SECRETARY, started_on=D(2026, 1, 1))
    wf.cadre = add(wf, wf.people[1], kind=WorkerKind.SECONDED_CADRE, started_on=D(2025, 1, 1))
    wf.unit = PartnerUnit.objects.create(
        name="区财政局",
        kind=UnitKind.INSTITUTION,
        place=wf.world.street_a,
        place_path=wf.world.street_a.path,
    )
    return wf


def appoint(w, worker=None, **fields):
    fields.setdefault("starts_on", D(2026, 3, 1))
    fields.setdefault("planned_end_on", D(2027, 2, 28))
    fields.setdefault("office", "区财政局")
    return svc.appoint(worker or w.first, actor=w.street, **fields)


# --------------------------------------------------------------------------- appointing


def test_a_typed_name_matching_a_partner_unit_links_it_else_the_office_is_kept(ap):
    made = appoint(ap)
    assert made.unit == ap.unit and made.sending_unit == "区财政局"
    other = appoint(ap, ap.cadre, office="市委组织部", starts_on=D(2025, 1, 1))
    assert other.unit is None and other.sending_unit == "市委组织部"
    assert AuditRecord.objects.filter(action="workforce.appointment_add").count() == 2


def test_a_chosen_partner_unit_must_be_paired_with_the_community_or_above(ap):
    far = PartnerUnit.objects.create(
        name="别处单位",
        kind=UnitKind.ENTERPRISE,
        place=ap.world.street_b,
        place_path=ap.world.street_b.path,
    )
    with pytest.raises(ValidationError) as refused:
        appoint(ap, unit=far, office="")
    assert "unit" in refused.value.message_dict
    with pytest.raises(ValidationError):
        appoint(ap, office="")  # neither a unit nor an office
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("end", "ok"),
    [(D(2027, 2, 28), True), (D(2027, 2, 27), False), (D(2027, 3, 1), True)],
)
def test_the_secondment_lasts_at_least_the_profiles_years_boundary(ap, end, ok):
    """2026-03-01 → 2027-02-28 is one whole year (the last day served); a day less is refused."""
    if ok:
        assert appoint(ap, planned_end_on=end).planned_end_on == end
    else:
        with pytest.raises(ValidationError) as refused:
            appoint(ap, planned_end_on=end)
        assert "at least 1 year" in str(refused.value)
        assert not Appointment.objects.exists()


def test_without_the_key_any_term_is_accepted(ap):
    ap.world.district.policy_profile = "no-keys"
    ap.world.district.save()
    assert appoint(ap, planned_end_on=D(2026, 6, 1)).pk


def test_only_first_secretaries_and_seconded_cadres_and_no_overlap(ap):
    plain = add(ap, ap.people[2])
    with pytest.raises(ValidationError):
        appoint(ap, plain)
    appoint(ap)
    with pytest.raises(ValidationError) as refused:
        appoint(ap, starts_on=D(2026, 5, 1), planned_end_on=D(2027, 6, 1))
    assert "already has an appointment" in str(refused.value)


def test_who_may_appoint(ap):
    with pytest.raises(PermissionDenied):
        svc.appoint(
            ap.first,
            actor=ap.secretary,
            office="x",
            starts_on=D(2026, 3, 1),
            planned_end_on=D(2027, 3, 1),
        )


def test_early_end_needs_a_reason_and_a_date_before_the_planned_end(ap):
    made = appoint(ap)
    with pytest.raises(ValidationError):
        svc.end_early(made, actor=ap.street, ended_on=D(2026, 5, 1), reason=" ")
    with pytest.raises(ValidationError):
        svc.end_early(made, actor=ap.street, ended_on=D(2026, 7, 1), reason="调回")  # future
    ended = svc.end_early(made, actor=ap.street, ended_on=D(2026, 5, 1), reason="工作调动")
    assert ended.ended_on == D(2026, 5, 1) and ended.end_reason == "工作调动"
    with pytest.raises(ValidationError):
        svc.end_early(made, actor=ap.street, ended_on=D(2026, 5, 2), reason="再次")
    with pytest.raises(PermissionDenied):
        svc.end_early(made, actor=ap.worker, ended_on=D(2026, 5, 1), reason="x")


# --------------------------------------------------------------------------- log and report


def test_the_appointee_keeps_the_log_nobody_else(ap):
    made = appoint(ap)
    entry = svc.add_log_entry(made, actor=ap.appointee, day=D(2026, 4, 2), text="走访困难群众")
    assert entry.written_by == ap.appointee
    with pytest.raises(PermissionDenied):  # another worker of the community
        svc.add_log_entry(made, actor=ap.worker, day=D(2026, 4, 2), text="代写")
    with pytest.raises(PermissionDenied):  # even the street
        svc.add_log_entry(made, actor=ap.street, day=D(2026, 4, 2), text="代写")
    with pytest.raises(ValidationError):
        svc.add_log_entry(made, actor=ap.appointee, day=D(2026, 2, 1), text="任前")
    with pytest.raises(ValidationError):
        svc.add_log_entry(made, actor=ap.appointee, day=D(2026, 6, 2), text="明天")
    with pytest.raises(ValidationError):
        svc.add_log_entry(made, actor=ap.appointee, day=D(2026, 4, 2), text="")
    assert DutyLogEntry.objects.count() == 1
    assert AuditRecord.objects.filter(action="workforce.duty_log_add").count() == 1


def test_report_with_a_file_then_accepted_by_the_street_once(ap):
    made = appoint(ap)
    with pytest.raises(ValidationError):
        svc.accept_report(made, actor=ap.street)  # nothing submitted
    with pytest.raises(PermissionDenied):
        svc.submit_report(made, actor=ap.worker, text="代交")
    svc.submit_report(made, actor=ap.appointee, text="任期总结", files=[_png()])
    made.refresh_from_db()
    assert made.report_state == "submitted" and made.report_scans.count() == 1
    with pytest.raises(PermissionDenied):
        svc.accept_report(made, actor=ap.worker)
    svc.accept_report(made, actor=ap.street)
    made.refresh_from_db()
    assert made.report_state == "accepted" and made.report_accepted_by == ap.street
    with pytest.raises(ValidationError):
        svc.accept_report(made, actor=ap.street)
    with pytest.raises(ValidationError):
        svc.submit_report(made, actor=ap.appointee, text="改")


def test_a_bad_file_writes_nothing(ap):
    made = appoint(ap)
    bad = io.BytesIO(b"not an image")
    bad.name = "x.png"
    with pytest.raises(ValidationError):
        svc.submit_report(made, actor=ap.appointee, text="总结", files=[bad])
    made.refresh_from_db()
    assert made.report_submitted_at is None


# --------------------------------------------------------------------------- compliance rows


def _row(w, key):
    report = checks.community_report(w.community)
    return next(c for c in report.checks if c.key == key)


def test_report_missing_after_the_end_is_a_gap(ap):
    made = appoint(ap, ap.cadre, starts_on=D(2025, 1, 1), planned_end_on=D(2025, 12, 31))
    row = _row(ap, checks.REPORTS_ROW)
    assert row.status == "short" and row.actual == 1
    svc.submit_report(made, actor=_login_cadre(ap), text="总结")
    assert _row(ap, checks.REPORTS_ROW).status == "ok"


def _login_cadre(w):
    user = make_user(Role.COMMUNITY_WORKER, w.community, name="挂职干部")
    person = w.cadre.resident
    person.user = user
    person.save(update_fields=["user"])
    return user


def test_a_term_ended_early_is_shorter_than_the_rule(ap):
    made = appoint(ap)
    assert _row(ap, svc.MIN_YEARS_KEY).status == "ok"
    svc.end_early(made, actor=ap.street, ended_on=D(2026, 5, 1), reason="调动")
    row = _row(ap, svc.MIN_YEARS_KEY)
    assert row.status == "short" and row.actual == 1


def test_no_appointment_no_report_row(ap):
    keys = [c.key for c in checks.community_report(ap.community).checks]
    assert checks.REPORTS_ROW not in keys and svc.MIN_YEARS_KEY in keys


# --------------------------------------------------------------------------- pages and API


def test_pages_list_detail_and_forms(ap, login):
    made = appoint(ap)
    svc.add_log_entry(made, actor=ap.appointee, day=D(2026, 4, 2), text="走访困难群众")
    client = login(ap.street)
    page = client.get(reverse("workforce:appointments"), {"street": ap.world.street_a.pk})
    assert page.status_code == 200 and "区财政局" in page.content.decode()
    assert 'data-testid="appointment-form"' in page.content.decode()
    detail = client.get(reverse("workforce:appointment", args=[made.pk]))
    body = detail.content.decode()
    assert "走访困难群众" in body and 'data-testid="end-form"' in body
    assert 'data-testid="log-form"' not in body  # not the appointee
    record = client.get(reverse("workforce:worker", args=[ap.first.pk])).content.decode()
    assert 'data-testid="worker-appointments"' in record
    own = login(ap.appointee).get(reverse("workforce:appointment", args=[made.pk]))
    assert 'data-testid="log-form"' in own.content.decode()


def test_the_page_records_an_appointment_and_refuses_a_short_one_in_chinese(ap, client):
    client.force_login(ap.street)
    url = reverse("workforce:appointments")
    response = client.post(
        url,
        {
            "worker": ap.first.pk,
            "office": "区民政局",
            "starts_on": "2026-03-01",
            "planned_end_on": "2026-12-31",
        },
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert not Appointment.objects.exists()
    assert "挂职期至少" in response.content.decode()
    client.post(
        url,
        {
            "worker": ap.first.pk,
            "office": "区民政局",
            "starts_on": "2026-03-01",
            "planned_end_on": "2027-03-01",
        },
    )
    assert Appointment.objects.get().sending_unit == "区民政局"


def test_the_appointee_writes_the_log_on_the_page_another_worker_gets_403(ap, client):
    made = appoint(ap)
    url = reverse("workforce:appointment", args=[made.pk])
    client.force_login(ap.worker)
    assert client.post(url, {"form": "log", "day": "2026-04-02", "text": "代写"}).status_code == 403
    client.force_login(ap.appointee)
    client.post(url, {"form": "log", "day": "2026-04-02", "text": "入户走访"})
    client.post(url, {"form": "report", "report_text": "总结", "file": _png()})
    made.refresh_from_db()
    assert made.log.count() == 1 and made.report_state == "submitted"
    assert client.post(url, {"form": "accept"}).status_code == 403  # not the street
    scan = made.report_scans.get()
    file = client.get(reverse("workforce:appointment_scan", args=[made.pk, scan.pk]))
    assert file.status_code == 200
    client.force_login(ap.street)
    client.post(url, {"form": "accept"})
    made.refresh_from_db()
    assert made.report_state == "accepted"


def test_a_grid_worker_cannot_see_appointments(ap, client):
    made = appoint(ap)
    client.force_login(ap.grid)
    assert client.get(reverse("workforce:appointments")).status_code == 403
    assert client.get(reverse("workforce:appointment", args=[made.pk])).status_code == 403
    assert client.get("/api/v1/workforce-appointments/").status_code == 403
    assert client.get(f"/api/v1/workforce-appointments/{made.pk}/").status_code == 403


def test_another_street_does_not_see_it(ap, client):
    made = appoint(ap)
    client.force_login(make_user(Role.STREET_OFFICER, ap.world.street_b))
    assert client.get(reverse("workforce:appointment", args=[made.pk])).status_code == 404
    assert client.get(f"/api/v1/workforce-appointments/{made.pk}/").status_code == 404


def test_api_create_log_report_accept_end(ap, client):
    client.force_login(ap.street)
    made = client.post(
        "/api/v1/workforce-appointments/",
        {
            "worker": ap.first.pk,
            "unit": ap.unit.pk,
            "starts_on": "2026-03-01",
            "planned_end_on": "2027-03-01",
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    short = client.post(
        "/api/v1/workforce-appointments/",
        {
            "worker": ap.cadre.pk,
            "office": "x",
            "starts_on": "2025-01-01",
            "planned_end_on": "2025-06-01",
        },
        content_type="application/json",
    )
    assert short.status_code == 400
    assert (
        client.post(
            f"/api/v1/workforce-appointments/{pk}/log/",
            {"day": "2026-04-01", "text": "代写"},
            content_type="application/json",
        ).status_code
        == 403
    )
    client.force_login(ap.appointee)
    assert (
        client.post(
            "/api/v1/workforce-appointments/",
            {
                "worker": ap.first.pk,
                "office": "x",
                "starts_on": "2026-03-01",
                "planned_end_on": "2027-03-01",
            },
            content_type="application/json",
        ).status_code
        == 403
    )
    logged = client.post(
        f"/api/v1/workforce-appointments/{pk}/log/",
        {"day": "2026-04-01", "text": "组织议事会"},
        content_type="application/json",
    )
    assert logged.status_code == 201 and logged.json()["log"][0]["text"] == "组织议事会"
    reported = client.post(f"/api/v1/workforce-appointments/{pk}/report/", {"text": "总结"})
    assert reported.status_code == 200 and reported.json()["report"] == "submitted"
    assert client.post(f"/api/v1/workforce-appointments/{pk}/accept/").status_code == 403
    client.force_login(ap.street)
    accepted = client.post(f"/api/v1/workforce-appointments/{pk}/accept/")
    assert accepted.json()["report"] == "accepted"
    ended = client.post(
        f"/api/v1/workforce-appointments/{pk}/end/",
        {"ended_on": "2026-05-01", "reason": "调动"},
        content_type="application/json",
    )
    assert ended.status_code == 200 and ended.json()["ended_on"] == "2026-05-01"
    listed = client.get("/api/v1/workforce-appointments/", {"state": "ended"})
    assert [r["id"] for r in listed.json()["results"]] == [pk]


def test_list_is_paginated_with_bounded_queries(ap, client, django_assert_max_num_queries):
    for i in range(14):
        person = ap.people[2 + i] if i < 10 else resident(ap.people[0].household)
        worker = add(ap, person, kind=WorkerKind.SECONDED_CADRE)
        svc.appoint(
            worker,
            actor=ap.street,
            office=f"单位{i}",
            starts_on=D(2026, 1, 1),
            planned_end_on=D(2027, 1, 1),
        )
    client.force_login(ap.street)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("workforce:appointments"))
    assert page.content.decode().count('data-testid="appointment-row"') == 14
    with django_assert_max_num_queries(12):
        api = client.get("/api/v1/workforce-appointments/")
    assert api.json()["count"] == 14


def test_clock_moves_the_term_to_ended(ap):
    made = appoint(ap)
    assert not made.is_over(clock.today())
    clock.set_now(dt.datetime(2027, 3, 2, 9, 0))
    assert made.is_over(clock.today())
    assert _row(ap, checks.REPORTS_ROW).actual == 1


def test_wrong_roles_on_the_street_steps(ap, client):
    made = appoint(ap)
    client.force_login(ap.worker)
    url = reverse("workforce:appointments")
    listed = client.get(url)
    assert (
        listed.status_code == 200
        and 'data-testid="appointment-form"' not in listed.content.decode()
    )
    posted = client.post(
        url,
        {
            "worker": ap.first.pk,
            "office": "x",
            "starts_on": "2026-03-01",
            "planned_end_on": "2027-03-01",
        },
    )
    assert posted.status_code == 403 and Appointment.objects.count() == 1
    detail = reverse("workforce:appointment", args=[made.pk])
    assert (
        client.post(detail, {"form": "end", "ended_on": "2026-05-01", "reason": "x"}).status_code
        == 403
    )
    assert client.post(detail, {"form": "nonsense"}).status_code == 404
    api = f"/api/v1/workforce-appointments/{made.pk}/end/"
    assert client.post(api, {"ended_on": "2026-05-01", "reason": "x"}).status_code == 403
    made.refresh_from_db()
    assert made.ended_on is None


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_acceptances_accept_once(ap):
    made = appoint(ap)
    svc.submit_report(made, actor=ap.appointee, text="任期总结")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept():
        try:
            barrier.wait(timeout=10)
            svc.accept_report(made, actor=ap.street)
            outcomes.append("accepted")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["accepted", "refused"]
    assert AuditRecord.objects.filter(action="workforce.report_accept").count() == 1
