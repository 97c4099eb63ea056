from __future__ import annotations

from types import SimpleNamespace

import pytest

from gongzhi.core.roles import Role
from gongzhi.partners import services
from gongzhi.partners.models import ListKind
from tests.conftest import make_user


@pytest.fixture
def pw(world):
    a1 = world.community_a1
    staff = make_user(Role.COMMUNITY_WORKER, a1, name="社区工作者")
    staff_a2 = make_user(Role.COMMUNITY_WORKER, world.community_a2, name="二社区工作者")
    contact = make_user(Role.PARTNER_CONTACT, world.street_a, name="马俊")
    contact_y = make_user(Role.PARTNER_CONTACT, world.street_a, name="医院联络员")
    contact_b = make_user(Role.PARTNER_CONTACT, world.street_b, name="关山联络员")
    street = make_user(Role.STREET_OFFICER, world.street_a, name="街道干部")
    hospital = services.add_unit(
        world.street_a, actor=street, name="市中心医院", kind="hospital", contacts=[contact_y]
    )
    school = services.add_unit(
        world.street_a, actor=street, name="实验小学", kind="school", contacts=[contact]
    )
    far = services.add_unit(
        world.street_b,
        actor=make_user(Role.STREET_OFFICER, world.street_b),
        name="关山企业",
        kind="enterprise",
        contacts=[contact_b],
    )
    need = services.add_item(a1, actor=staff, kind=ListKind.NEED, title="老人助餐")
    project = services.add_item(a1, actor=staff, kind=ListKind.PROJECT, title="口袋公园")
    resource = services.add_item(
        world.street_a,
        actor=contact_y,
        kind=ListKind.RESOURCE,
        title="义诊",
        category="expertise",
        unit=hospital,
    )
    return SimpleNamespace(
        a1=a1,
        staff=staff,
        staff_a2=staff_a2,
        contact=contact,
        contact_y=contact_y,
        contact_b=contact_b,
        street=street,
        hospital=hospital,
        school=school,
        far=far,
        need=need,
        project=project,
        resource=resource,
    )


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are checked in English whatever a previous test left active, also in the
    pages requested through `client`."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Evidence photos are written under a per-test MEDIA_ROOT, never var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
