"""Care visits, second part (issue 24 item 1 remainder): an optional photo on a visit, seen only
by those who read visit notes; the staff page planning a grid's care list (all or nothing) and
the board's dialog changing a plan's visitor; overdue visits told to the visitor in the
notification centre once per plan and due date (the periodic job)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from gongzhi.care import selectors, services, tasks
from gongzhi.care.models import Visit, VisitPhoto, VisitPlan
from gongzhi.core import clock
from gongzhi.core.models import AuditRecord, Notification
from gongzhi.core.roles import Role
from gongzhi.people.models import Relation, Resident, ResidentTag, Tag
from gongzhi.places.models import Place
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
MONDAY = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def vw(cw, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    cw.member = make_user(Role.PARTY_MEMBER, cw.world.community_a1, name="党员甲")
    cw.member2 = make_user(Role.PARTY_MEMBER, cw.world.community_a1, name="党员乙")
    cw.far_member = make_user(Role.PARTY_MEMBER, cw.world.community_a2, name="外社区党员")
    Place.objects.filter(pk=cw.b1.pk).update(
        centre_lat=Decimal("30.500000"), centre_lng=Decimal("114.400000")
    )
    return cw


def _plan(vw, visitor=None, resident=None):
    return services.plan_visits(
        resident or vw.r3.record, Tag.LIVING_ALONE, visitor=visitor or vw.member, actor=vw.worker
    )


# --------------------------------------------------------------------------- photo


def test_a_visit_with_a_photo_seen_only_by_notes_readers(vw, login):
    plan = _plan(vw)
    client = login(vw.member)
    done = client.post(
        reverse("care:visit_new", args=[plan.pk]),
        {"found": "老人精神好", "photo": SimpleUploadedFile("a.jpg", _jpeg())},
    )
    assert done.status_code == 302
    photo = VisitPhoto.objects.get()
    assert photo.visit.plan_id == plan.pk and photo.width == 40
    url = reverse("care:visit_photo", args=[photo.pk])
    page = client.get(reverse("care:visit_plan", args=[plan.pk])).content.decode()
    assert 'data-testid="visit-photo"' in page
    for reader in (vw.member, vw.worker, vw.grid):
        answer = login(reader).get(url)
        assert answer.status_code == 200 and answer["Content-Type"] == "image/jpeg"
        assert login(reader).get(url + "?thumb=1").status_code == 200
    for stranger in (vw.member2, vw.head, vw.other, vw.merchant, vw.r1):
        assert login(stranger).get(url).status_code == 404
    assert (
        login(vw.worker).get(reverse("care:visit_photo", args=[photo.pk + 99])).status_code == 404
    )


def test_a_bad_photo_refuses_the_visit_and_writes_nothing(vw, login, tmp_path):
    plan = _plan(vw)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        services.record_visit(
            plan,
            actor=vw.member,
            found="在家",
            photo=SimpleUploadedFile("a.jpg", b"not an image at all"),
        )
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(error.value))
    assert not Visit.objects.exists() and not VisitPhoto.objects.exists()
    page = login(vw.member).post(
        reverse("care:visit_new", args=[plan.pk]),
        {"found": "在家", "photo": SimpleUploadedFile("a.jpg", b"GIF89a....")},
    )
    assert page.status_code == 200 and not Visit.objects.exists()
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


# --------------------------------------------------------------------------- planning page


def _people(vw, n):
    household = vw.households[4]
    made = []
    for i in range(n):
        person = Resident.objects.create(
            name=f"老人{i:02d}",
            name_initials="lr",
            gender="F",
            household=household,
            relation=Relation.OTHER,
            place_path=household.place_path,
        )
        ResidentTag.objects.create(resident=person, tag=Tag.LIVING_ALONE)
        made.append(person)
    return made


def test_the_planning_page_plans_a_care_list_all_or_nothing(vw, login):
    url = reverse("care:visit_planning")
    client = login(vw.worker)
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    # r3 and 赵四 live alone (care list), r1 does not
    assert "张三" in text and "赵四" in text and "王一" not in text
    entries = [f"{vw.r3.record.pk}:living_alone", f"{vw.nophone.pk}:living_alone"]
    grid = vw.world.grid_a1_1.pk
    # a visitor from another community: refused, nothing planned
    bad = client.post(url, {"place": grid, "entry": entries, "visitor": vw.far_member.pk})
    assert bad.status_code == 200 and not VisitPlan.objects.exists()
    # someone not on the list (r1 carries no tag): refused with a message, nothing planned
    with translation.override("zh-hans"):
        odd = client.post(
            url,
            {
                "place": grid,
                "entry": [*entries, f"{vw.r1.record.pk}:living_alone"],
                "visitor": vw.member.pk,
            },
        )
    assert 'data-testid="planning-error"' in odd.content.decode()
    assert not VisitPlan.objects.exists()
    nothing = client.post(url, {"place": grid, "visitor": vw.member.pk})
    assert nothing.status_code == 200 and not VisitPlan.objects.exists()
    done = client.post(url, {"place": grid, "entry": entries, "visitor": vw.member.pk})
    assert done.status_code == 302
    assert set(VisitPlan.objects.values_list("visitor_id", flat=True)) == {vw.member.pk}
    assert VisitPlan.objects.count() == 2
    assert "张三" not in client.get(url).content.decode()  # planned: off the list
    assert AuditRecord.objects.filter(action="care.visit_plan").count() == 2


def test_the_planning_page_is_for_planners_only(vw, login):
    url = reverse("care:visit_planning")
    for user in (vw.member, vw.head, vw.merchant, vw.r1):
        assert login(user).get(url).status_code == 403
    # a grid outside the planner's area: not found
    other_grid = Place.objects.filter(path__under=vw.world.community_a2.path, kind="grid").first()
    assert login(vw.worker).get(f"{url}?place={other_grid.pk}").status_code == 404
    assert login(vw.grid).get(url).status_code == 200


def test_the_planning_page_lists_many_people_with_bounded_queries(
    vw, login, django_assert_max_num_queries
):
    _people(vw, 14)
    client = login(vw.worker)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("care:visit_planning"))
    assert page.content.decode().count('name="entry"') == 16


def test_the_boards_dialog_changes_the_visitor(vw, login):
    plan = _plan(vw)
    client = login(vw.worker)
    board = client.get(reverse("care:visits")).content.decode()
    assert 'data-testid="reassign-form"' in board and "党员乙" in board
    url = reverse("care:visit_reassign", args=[plan.pk])
    assert client.post(url, {"visitor": vw.member2.pk}).status_code == 302
    plan.refresh_from_db()
    assert plan.visitor_id == vw.member2.pk
    # a visitor outside the home's area: refused, unchanged
    client.post(url, {"visitor": vw.far_member.pk})
    plan.refresh_from_db()
    assert plan.visitor_id == vw.member2.pk
    # the visitor (a party member) may not; another community's worker does not see it
    assert login(vw.member).post(url, {"visitor": vw.member.pk}).status_code == 403
    assert login(vw.other).post(url, {"visitor": vw.member.pk}).status_code == 404
    plan.refresh_from_db()
    assert plan.visitor_id == vw.member2.pk


# --------------------------------------------------------------------------- overdue job


def test_overdue_visits_are_told_once_per_plan_and_due_date(vw):
    with clock.travel_to(MONDAY):
        plan = _plan(vw)
        other = _plan(vw, visitor=vw.grid, resident=vw.nophone)
        assert services.notify_overdue() == 0  # due today: not overdue
    with clock.travel_to(MONDAY + dt.timedelta(days=1)):
        assert tasks.notify_overdue_visits.call_local() == 2
        assert services.notify_overdue() == 0  # idempotent
        told = Notification.objects.get(user=vw.member)
        assert told.verb == "care_visit_overdue" and "张三" in told.text
        assert told.link == reverse("care:my_visits")
        assert Notification.objects.filter(user=vw.grid).count() == 1
        services.record_visit(plan, actor=vw.member, found="好")
    with clock.travel_to(MONDAY + dt.timedelta(days=9)):
        # the visit moved the due date: its new overdue is told again, the other plan not
        assert services.notify_overdue() == 1
        assert Notification.objects.filter(user=vw.member).count() == 2
        assert Notification.objects.filter(user=vw.grid).count() == 1
    other.refresh_from_db()
    assert other.overdue_told_for == MONDAY.date()
    assert selectors.my_overdue_count(vw.grid) == 1
