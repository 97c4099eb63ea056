"""The yearly letter (PDF) about an in-service member to their workplace party organisation
(seed 002; issue 23 item 6): who may download it, what it holds, that it is audited."""

from __future__ import annotations

import re
import zlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from gongzhi.core import clock, crypto
from gongzhi.core.models import AuditRecord
from gongzhi.partylife import selectors, services
from gongzhi.partylife.letter import filename
from gongzhi.partylife.models import AttendanceStatus, MeetingKind
from tests.party.conftest import first_household, make_member, make_resident

pytestmark = pytest.mark.django_db

ID_NUMBER = "420111198001011234"


@pytest.fixture
def serving(life):
    """張党员 in service, with an ID on record, a held meeting, a pledge reviewed."""
    member = life.member
    member.in_service, member.workplace = True, "区税务局"
    member.workplace_org = "区税务局机关党支部"
    member.save(update_fields=["in_service", "workplace", "workplace_org"])
    resident = member.resident
    encrypted, index, masked = crypto.protect("id", ID_NUMBER)
    resident.id_encrypted, resident.id_index, resident.id_masked = encrypted, index, masked
    resident.save(update_fields=["id_encrypted", "id_index", "id_masked"])
    meeting = services.plan_meeting(
        life.branch, actor=life.cs, kind=MeetingKind.THEME_DAY, held_on=clock.today()
    )
    services.record_attendance(meeting, member, actor=life.cs, status=AttendanceStatus.PRESENT)
    services.record_minutes(meeting, actor=life.cs, minutes="主题党日")
    other = services.plan_meeting(
        life.branch, actor=life.cs, kind=MeetingKind.GENERAL, held_on=clock.today()
    )
    services.record_attendance(
        other, member, actor=life.cs, status=AttendanceStatus.LEAVE, reason="出差"
    )
    services.record_minutes(other, actor=life.cs, minutes="党员大会")
    pledge = services.make_pledge(actor=life.member_user, year=2026, items=["走访独居老人"])
    services.review_pledge(pledge, actor=life.secretary_user, outcome="kept")
    return member


def _texts(pdf: bytes) -> bytes:
    """The PDF's streams, decompressed, joined (to look for what must not be in it)."""
    found = [pdf]
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            found.append(zlib.decompress(raw))
        except zlib.error:
            found.append(raw)
    return b"\n".join(found)


def test_secretary_downloads_the_letter_audited(life, serving, client):
    client.force_login(life.secretary_user)
    response = client.get(reverse("partylife:letter", args=[serving.pk, 2026]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    disposition = response["Content-Disposition"]
    assert disposition == f'attachment; filename="party-letter-2026-{serving.pk}.pdf"'
    assert "张" not in disposition and filename(serving, 2026) in disposition
    record = AuditRecord.objects.get(action="partylife.letter")
    assert record.actor_id == life.secretary_user.pk and record.changes["year"] == 2026
    text = _texts(pdf)
    for secret in (ID_NUMBER, ID_NUMBER[-4:] + "", "1234"):
        assert secret.encode() not in text
        assert secret.encode("utf-16-be").hex().encode() not in text.lower()
    assert b"STSong-Light" in pdf


def test_letter_data_holds_the_year(life, serving):
    data = selectors.letter_data(serving, 2026, clock.today())
    assert data.letterhead == "珞南一社区党委"
    assert (data.attended.held, data.attended.present, data.attended.leave) == (2, 1, 1)
    assert data.attended.absent == 0
    assert data.workplace_org == "区税务局机关党支部"
    assert data.pledge is not None and data.pledge.outcome == "kept"
    assert data.index.components and data.index.year == 2026
    assert not any(ID_NUMBER in str(v) for v in vars(data).values())


def test_community_secretary_downloads_too(life, serving):
    assert services.yearly_letter(serving, actor=life.cs, year=2026).startswith(b"%PDF")


def test_wrong_roles_are_refused(life, serving, client):
    with pytest.raises(PermissionDenied):
        services.yearly_letter(serving, actor=life.cw, year=2026)  # oversees, not manages
    with pytest.raises(PermissionDenied):
        services.yearly_letter(serving, actor=life.member_user, year=2026)  # the member
    with pytest.raises(Http404):
        services.yearly_letter(serving, actor=life.outsider_user, year=2026)
    with pytest.raises(Http404):
        services.yearly_letter(serving, actor=life.foreign_cs, year=2026)
    url = reverse("partylife:letter", args=[serving.pk, 2026])
    for user, code in (
        (life.cw, 403),
        (life.member_user, 403),
        (life.outsider_user, 404),
        (life.foreign_cs, 404),
    ):
        client.force_login(user)
        assert client.get(url).status_code == code
        assert client.get(reverse("partylife:letters", args=[life.branch.pk])).status_code in (
            403,
            404,
        )
    assert not AuditRecord.objects.filter(action="partylife.letter").exists()


def test_not_in_service_or_no_workplace_refused_in_chinese(life, serving, client):
    home = first_household(life.world.grid_a1_1.buildings[1])
    resident_member = make_member(make_resident(home, "退休党员"), life.branch)
    with pytest.raises(ValidationError):
        services.yearly_letter(resident_member, actor=life.cs, year=2026)
    serving.workplace_org = ""
    serving.save(update_fields=["workplace_org"])
    client.force_login(life.cs)
    page = client.get(
        reverse("partylife:letter", args=[serving.pk, 2026]),
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "工作单位党组织" in page.content.decode()
    assert not AuditRecord.objects.filter(action="partylife.letter").exists()


def test_letters_page_lists_in_service_members(
    life, serving, client, django_assert_max_num_queries
):
    home = first_household(life.world.grid_a1_1.buildings[1])
    for i in range(13):
        make_member(make_resident(home, f"在职党员{i}"), life.branch, in_service=True)
    client.force_login(life.secretary_user)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("partylife:letters", args=[life.branch.pk]) + "?year=2026")
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="letter-row"') == 14
    client.force_login(life.cs)
    page = client.get(reverse("partylife:letters", args=[life.committee.pk]))
    assert page.content.decode().count('data-testid="letter-row"') == 14
