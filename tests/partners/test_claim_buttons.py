"""The item page offers a claim's buttons only to those the services accept
(services.claim_rights): the claiming unit's contacts (and community staff) work on it, the
other side confirms; a contact of another unit sees neither, and is refused when posting."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.partners import services
from gongzhi.partners.models import Claim, ClaimStatus, ClaimUpdate

pytestmark = pytest.mark.django_db

PROGRESS = 'data-testid="claim-progress"'
CONFIRM = 'data-testid="claim-confirm"'


def _page(client, user, item):
    client.force_login(user)
    response = client.get(reverse("partners:item", args=[item.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_only_the_claiming_unit_and_staff_see_the_work_buttons(pw, client):
    services.claim(pw.need.pk, actor=pw.contact, unit=pw.school)
    assert PROGRESS in _page(client, pw.contact, pw.need)
    assert PROGRESS in _page(client, pw.staff, pw.need)
    other = _page(client, pw.contact_y, pw.need)  # the hospital's contact
    assert PROGRESS not in other and "withdraw" not in other


def test_a_contact_of_another_unit_is_refused_and_nothing_is_written(pw, client):
    made = services.claim(pw.need.pk, actor=pw.contact, unit=pw.school)
    audits = AuditRecord.objects.count()
    client.force_login(pw.contact_y)
    for step, data in (
        ("progress", {"text": "冒名汇报", "amount": "100"}),
        ("complete", {"text": "冒名完成"}),
        ("withdraw", {}),
    ):
        response = client.post(reverse("partners:claim_step", args=[made.pk, step]), data)
        assert response.status_code == 403, step
    made.refresh_from_db()
    assert (made.status, made.amount) == (ClaimStatus.ACTIVE, 0)
    assert not ClaimUpdate.objects.exists() and AuditRecord.objects.count() == audits


def test_the_confirm_button_is_for_the_other_side_only(pw, client):
    made = services.claim(pw.need.pk, actor=pw.contact, unit=pw.school)
    services.complete(made.pk, actor=pw.contact, evidence="每周三送餐")
    assert CONFIRM not in _page(client, pw.contact, pw.need)  # not its own work
    assert CONFIRM not in _page(client, pw.contact_y, pw.need)
    assert CONFIRM in _page(client, pw.staff, pw.need)
    # A resource a community used: its offering unit's contact confirms, nobody else.
    used = services.claim(pw.resource.pk, actor=pw.staff, community=pw.a1)
    services.complete(used.pk, actor=pw.staff, evidence="义诊 60 人次")
    assert CONFIRM in _page(client, pw.contact_y, pw.resource)
    assert CONFIRM not in _page(client, pw.contact, pw.resource)
    assert CONFIRM not in _page(client, pw.staff, pw.resource)
    client.force_login(pw.contact)
    response = client.post(reverse("partners:claim_step", args=[used.pk, "confirm"]))
    assert response.status_code == 403
    assert Claim.objects.get(pk=used.pk).status == ClaimStatus.COMPLETED


def test_staff_act_only_for_units_of_their_area(pw, world):
    """Staff may claim for a unit (docs: "staff may act for units in their area"), but not for
    a unit paired with another street or another community, which they cannot even see: the
    claim would land in that unit's yearly report without its contacts."""
    a2_need = services.add_item(world.community_a2, actor=pw.staff_a2, kind="need", title="助浴")
    a1_unit = services.add_unit(
        pw.a1, actor=pw.street, name="一社区药店", kind="enterprise", contacts=[pw.contact]
    )
    for unit in (pw.far, a1_unit):
        with pytest.raises(PermissionDenied):
            services.claim(a2_need.pk, actor=pw.staff_a2, unit=unit)
    assert not Claim.objects.filter(item=a2_need).exists()
    # A unit paired with the street above community A2 is in their area.
    made = services.claim(a2_need.pk, actor=pw.staff_a2, unit=pw.hospital)
    assert made.unit == pw.hospital


def test_staff_with_two_communities_act_at_a_path_only_for_its_units(pw, world):
    """Posts in A1 and A2 let staff see the units of both; a need of A2 is still claimed only
    for a unit paired with A2 or its street, never for one seen only through the A1 post."""
    from gongzhi.core.models import Post, User

    Post.objects.create(user=pw.staff, role=Role.COMMUNITY_WORKER, place=world.community_a2)
    staff = User.objects.get(pk=pw.staff.pk)  # posts are cached on the user object
    a2_need = services.add_item(world.community_a2, actor=pw.staff_a2, kind="need", title="助浴")
    a1_unit = services.add_unit(
        pw.a1, actor=pw.street, name="一社区药店", kind="enterprise", contacts=[pw.contact]
    )
    with pytest.raises(PermissionDenied):
        services.claim(a2_need.pk, actor=staff, unit=a1_unit)
    assert not Claim.objects.filter(item=a2_need).exists()
    # The same unit at its own community, and the street's unit at A2, stay allowed.
    assert services.claim(pw.need.pk, actor=staff, unit=a1_unit).unit == a1_unit
    assert services.claim(a2_need.pk, actor=staff, unit=pw.hospital).unit == pw.hospital
