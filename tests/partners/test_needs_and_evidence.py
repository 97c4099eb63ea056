"""Residents post needs (reviewed by the community before partner units see them), photos as
evidence on completion (checked, re-encoded, served only to those who see the item), and the
yearly report counting completed work by the year it was completed."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from PIL import Image

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.partners import selectors, services
from gongzhi.partners.models import ClaimPhoto, ClaimStatus, ItemStatus, ListItem, ListKind
from gongzhi.places.models import Household
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(world):
    building = world.grid_a1_1.buildings[0]
    home = Household.objects.filter(building=building).order_by("id").first()
    return make_user(Role.RESIDENT, building, household=home, name="吴秀英")


def _need(resident, title="楼道需要扶手"):
    return services.submit_need(actor=resident, title=title, description="3栋老人多")


def _photo(name="done.png", fmt="PNG", exif=False):
    image = Image.new("RGB", (80, 60), (20, 160, 40))
    buffer = io.BytesIO()
    options = {}
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "SecretCam"
        options["exif"] = tags
    image.save(buffer, fmt, **options)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


# --------------------------------------------------------------------------- residents' needs


def test_a_residents_need_waits_for_review_before_units_see_it(pw, resident):
    item = _need(resident)
    assert (item.status, item.place, item.created_by) == (ItemStatus.PENDING, pw.a1, resident)
    assert not selectors.visible_items(pw.contact).filter(pk=item.pk).exists()
    assert selectors.visible_items(pw.staff).filter(pk=item.pk).exists()
    assert not selectors.visible_items(pw.staff_a2).filter(pk=item.pk).exists()
    with pytest.raises(ValidationError):
        services.claim(item.pk, actor=pw.contact, unit=pw.school)
    with pytest.raises(ValidationError, match="waiting for the community's review"):
        services.claim(item.pk, actor=pw.staff, unit=pw.school)
    services.review_need(item.pk, actor=pw.staff, approve=True)
    assert ListItem.objects.get(pk=item.pk).status == ItemStatus.OPEN
    assert services.claim(item.pk, actor=pw.contact, unit=pw.school).status == ClaimStatus.ACTIVE
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"partners.need_submit", "partners.need_approve"} <= actions


def test_declining_needs_a_note_and_review_is_for_staff_of_the_community(pw, resident):
    item = _need(resident)
    with pytest.raises(ValidationError) as info:
        services.review_need(item.pk, actor=pw.staff, approve=False, note="")
    assert "note" in info.value.message_dict
    with pytest.raises((PermissionDenied, Http404)):
        services.review_need(item.pk, actor=pw.contact, approve=True)
    with pytest.raises(Http404):
        services.review_need(item.pk, actor=pw.staff_a2, approve=True)
    assert ListItem.objects.get(pk=item.pk).status == ItemStatus.PENDING
    services.review_need(item.pk, actor=pw.staff, approve=False, note="已列入物业维修计划")
    item.refresh_from_db()
    assert (item.status, item.review_note) == (ItemStatus.CANCELLED, "已列入物业维修计划")
    with pytest.raises(ValidationError, match="already been reviewed"):
        services.review_need(item.pk, actor=pw.staff, approve=True)


def test_bad_needs_and_too_many_waiting_are_refused(pw, resident):
    with pytest.raises(ValidationError):
        services.submit_need(actor=resident, title="  ")
    with pytest.raises(ValidationError):
        services.submit_need(actor=resident, title="x" * 101)
    for n in range(services.MAX_PENDING_NEEDS):
        _need(resident, f"需求{n}")
    with pytest.raises(ValidationError, match="waiting for review"):
        _need(resident, "再来一个")
    with pytest.raises(PermissionDenied):
        services.submit_need(actor=pw.contact, title="单位自己的需求")
    with pytest.raises(PermissionDenied):
        services.submit_need(actor=pw.staff, title="工作人员")
    assert ListItem.objects.filter(status=ItemStatus.PENDING).count() == 5


def test_the_residents_phone_page(pw, resident, client, django_assert_max_num_queries):
    client.force_login(resident)
    page = reverse("partners:needs")
    assert client.get(page).status_code == 200
    response = client.post(page, {"title": "", "description": "x"}, follow=True)
    assert "This field is required." in response.content.decode()
    assert not ListItem.objects.filter(created_by=resident).exists()
    response = client.post(page, {"title": "小区缺少休息座椅"})
    assert response.status_code == 302
    item = ListItem.objects.get(created_by=resident)
    services.review_need(item.pk, actor=pw.staff, approve=False, note="已有计划")
    for n in range(11):
        ListItem.objects.create(
            kind=ListKind.NEED,
            title=f"需求{n}",
            place=pw.a1,
            place_path=pw.a1.path,
            created_by=resident,
            status=ItemStatus.OPEN,
        )
    with django_assert_max_num_queries(12):
        body = client.get(page).content.decode()
    assert len(re.findall(r'data-testid="need-\d+"', body)) == 12 and "已有计划" in body
    home = client.get(reverse("home")).content.decode()
    assert page in home  # the tile on the resident's home page
    for user in (pw.contact, pw.staff):
        client.force_login(user)
        assert client.get(page).status_code == 403
        assert client.post(page, {"title": "x"}).status_code == 403


def test_staff_review_on_the_item_page(pw, resident, client):
    item = _need(resident)
    client.force_login(pw.contact)
    assert client.get(reverse("partners:item", args=[item.pk])).status_code == 404
    assert (
        client.post(reverse("partners:need_review", args=[item.pk]), {"decision": "approve"})
    ).status_code == 403
    client.force_login(pw.staff)
    lists = client.get(reverse("partners:lists") + "?kind=need").content.decode()
    assert 'data-testid="pending-needs"' in lists
    detail = client.get(reverse("partners:item", args=[item.pk])).content.decode()
    assert 'data-testid="approve"' in detail
    client.post(reverse("partners:need_review", args=[item.pk]), {"decision": "approve"})
    assert ListItem.objects.get(pk=item.pk).status == ItemStatus.OPEN
    client.force_login(pw.contact)
    assert client.get(reverse("partners:item", args=[item.pk])).status_code == 200


def test_needs_api(pw, resident, client):
    client.force_login(resident)
    created = client.post(
        "/api/v1/partner-needs/", {"title": "垃圾分类指导"}, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["status"] == "pending"
    bad = client.post("/api/v1/partner-needs/", {"title": ""}, content_type="application/json")
    assert bad.status_code == 400
    assert [n["title"] for n in client.get("/api/v1/partner-needs/").json()["results"]] == [
        "垃圾分类指导"
    ]
    pk = created.json()["id"]
    client.force_login(pw.contact)
    assert client.get("/api/v1/partner-needs/").status_code == 403
    assert client.get(f"/api/v1/partner-items/{pk}/").status_code == 404
    review = client.post(f"/api/v1/partner-items/{pk}/review/", {"decision": "approve"})
    assert review.status_code == 403
    client.force_login(pw.staff)
    assert client.post(f"/api/v1/partner-items/{pk}/review/", {"decision": "x"}).status_code == 400
    declined = client.post(f"/api/v1/partner-items/{pk}/review/", {"decision": "decline"})
    assert declined.status_code == 400  # a decline needs a note
    ok = client.post(f"/api/v1/partner-items/{pk}/review/", {"decision": "approve"})
    assert ok.status_code == 200 and ok.json()["status"] == "open"


# --------------------------------------------------------------------------- evidence photos


def test_completion_with_photos_stored_without_metadata_and_served_to_viewers(pw, client, resident):
    made = services.claim(pw.need.pk, actor=pw.contact, unit=pw.school)
    services.complete(
        made.pk,
        actor=pw.contact,
        evidence="送餐 20 次",
        photos=[_photo(exif=True), _photo("b.jpg", "JPEG")],
    )
    photos = list(ClaimPhoto.objects.filter(claim=made))
    assert len(photos) == 2
    stored = Image.open(photos[0].file.path)
    assert stored.format == "JPEG" and 0x010F not in stored.getexif()
    url = reverse("partners:photo", args=[made.pk, photos[0].pk])
    for user in (pw.staff, pw.contact, pw.contact_y):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    client.force_login(pw.staff)
    page = client.get(reverse("partners:item", args=[pw.need.pk])).content.decode()
    assert 'data-testid="evidence-photos"' in page
    assert reverse("partners:photo_thumb", args=[made.pk, photos[0].pk]) in page
    client.force_login(pw.contact_b)  # another street: the item does not exist for them
    assert client.get(url).status_code == 404
    client.force_login(resident)  # no partner pages at all
    assert client.get(url).status_code == 403
    client.force_login(pw.staff_a2)
    assert client.get(url).status_code == 404


def test_a_bad_photo_refuses_the_completion_and_writes_nothing(pw, settings):
    made = services.claim(pw.need.pk, actor=pw.contact, unit=pw.school)
    fake = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    with pytest.raises(ValidationError) as info:
        services.complete(made.pk, actor=pw.contact, evidence="完成", photos=[_photo(), fake])
    assert "photos" in info.value.message_dict
    made.refresh_from_db()
    assert made.status == ClaimStatus.ACTIVE and not ClaimPhoto.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_refused_completion_removes_the_written_files(pw, settings):
    made = services.claim(pw.need.pk, actor=pw.contact, unit=pw.school)
    with pytest.raises(PermissionDenied):
        services.complete(made.pk, actor=pw.contact_y, evidence="不是我的", photos=[_photo()])
    assert not ClaimPhoto.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_photos_through_the_page_and_the_api(pw, client):
    made = services.claim(pw.need.pk, actor=pw.contact, unit=pw.school)
    client.force_login(pw.contact)
    client.post(
        reverse("partners:claim_step", args=[made.pk, "complete"]),
        {"text": "已完成", "photos": [_photo()]},
    )
    assert ClaimPhoto.objects.filter(claim=made).count() == 1
    other = services.claim(pw.project.pk, actor=pw.contact, unit=pw.school)
    response = client.post(
        f"/api/v1/partner-claims/{other.pk}/complete/", {"text": "公园建成", "photos": [_photo()]}
    )
    assert response.status_code == 200 and len(response.json()["photos"]) == 1
    photo_url = response.json()["photos"][0]
    assert client.get(photo_url).status_code == 200


# --------------------------------------------------------------------------- the yearly report


def test_completed_work_counts_in_the_year_it_was_completed(pw):
    with clock.travel_to(dt.datetime(2025, 12, 20, 2, tzinfo=dt.UTC)):
        made = services.claim(pw.need.pk, actor=pw.contact, unit=pw.school)
    with clock.travel_to(dt.datetime(2026, 1, 10, 2, tzinfo=dt.UTC)):
        services.complete(made.pk, actor=pw.contact, evidence="完成", amount=800, hours="4")
    old = selectors.unit_report(pw.school, 2025)
    new = selectors.unit_report(pw.school, 2026)
    assert (old.needs_claimed, old.needs_completed, old.amount, old.minutes) == (1, 0, 0, 0)
    assert (new.needs_claimed, new.needs_completed, new.amount, new.minutes) == (0, 1, 800, 240)
    assert [c.pk for c in old.claims] == [c.pk for c in new.claims] == [made.pk]
    with clock.travel_to(dt.datetime(2025, 12, 1, 2, tzinfo=dt.UTC)):
        used = services.claim(pw.resource.pk, actor=pw.staff, community=pw.a1)
    with clock.travel_to(dt.datetime(2026, 2, 1, 2, tzinfo=dt.UTC)):
        services.complete(used.pk, actor=pw.staff, evidence="义诊")
    assert selectors.unit_report(pw.hospital, 2025).resources_given == 0
    assert selectors.unit_report(pw.hospital, 2026).resources_given == 1
