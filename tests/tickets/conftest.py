"""Ticket fixtures on the `world` of tests/conftest.py: categories, one person per part in the
loop, and `drive()` which brings a new ticket to any state along the ordinary path."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from gongzhi.core.roles import Role
from gongzhi.places.models import Household
from gongzhi.tickets import services
from gongzhi.tickets.models import Category, HandlerKind, Kind, RoutingTarget, Status
from gongzhi.tickets.workflow import Step
from tests.conftest import make_user


@pytest.fixture
def cats(db):
    return SimpleNamespace(
        repair=Category.objects.create(code="t-repair", name="维修"),
        noise=Category.objects.create(code="t-noise", name="噪音", routing=RoutingTarget.COMMUNITY),
        property=Category.objects.create(
            code="t-lift", name="电梯", routing=RoutingTarget.PROPERTY_COMPANY
        ),
        partner=Category.objects.create(
            code="t-water", name="供水", routing=RoutingTarget.PARTNER_UNIT
        ),
        urgent=Category.objects.create(code="t-gas", name="燃气", default_priority="urgent"),
    )


def _resident(building, phone):
    home = Household.objects.filter(building=building).order_by("id").first()
    return make_user(Role.RESIDENT, building, household=home, phone=phone)


@pytest.fixture
def people(world):
    b1, b2 = world.grid_a1_1.buildings
    return SimpleNamespace(
        resident=_resident(b1, "13900000001"),
        neighbour=_resident(b2, "13900000002"),
        other_grid_resident=_resident(world.grid_a1_2.buildings[0], "13900000003"),
        gw=make_user(Role.GRID_WORKER, world.grid_a1_1, name="网格员甲"),
        gw_other=make_user(Role.GRID_WORKER, world.grid_a1_2, name="网格员乙"),
        cw=make_user(Role.COMMUNITY_WORKER, world.community_a1, name="社区工作者"),
        cw_other=make_user(Role.COMMUNITY_WORKER, world.community_a2, name="二社区工作者"),
        pm1=make_user(Role.PARTY_MEMBER, world.community_a1, name="党员一"),
        pm2=make_user(Role.PARTY_MEMBER, world.community_a1, name="党员二"),
        pm_other=make_user(Role.PARTY_MEMBER, world.community_a2, name="二社区党员"),
        street=make_user(Role.STREET_OFFICER, world.street_a, name="街道干部"),
        volunteer=make_user(Role.VOLUNTEER, world.community_a1, name="志愿者"),
        building_head=make_user(Role.BUILDING_HEAD, b1, name="楼栋长"),
    )


@pytest.fixture
def new_ticket(world, people, cats):
    def _new(category=None, **fields):
        values = {"kind": Kind.HELP, "category": category or cats.repair, "text": "楼道灯坏了"}
        values.update(fields)
        return services.submit(actor=people.resident, **values)

    return _new


# The ordinary path to each state: (step, actor attribute, parameters).
def _dispatch_params(p):
    return {"handler_user": p.pm1, "handler_kind": HandlerKind.PARTY_MEMBER}


PATHS: dict[str, list] = {
    Status.SUBMITTED: [],
    Status.ACCEPTED: [(Step.ACCEPT, "gw", {})],
    Status.IN_GRID: [(Step.ACCEPT, "gw", {}), (Step.HANDLE, "gw", {})],
    Status.ESCALATED: [(Step.ACCEPT, "gw", {}), (Step.ESCALATE, "gw", {"note": "需社区协调"})],
}
PATHS[Status.DISPATCHED] = [*PATHS[Status.ESCALATED], (Step.DISPATCH, "cw", _dispatch_params)]
PATHS[Status.POOLED] = [*PATHS[Status.ESCALATED], (Step.POOL, "cw", {})]
PATHS[Status.TAKEN] = [*PATHS[Status.POOLED], (Step.TAKE, "pm1", {})]
PATHS[Status.IN_PROGRESS] = [*PATHS[Status.DISPATCHED], (Step.START, "pm1", {})]
PATHS[Status.RESOLVED] = [*PATHS[Status.IN_PROGRESS], (Step.RESOLVE, "pm1", {"note": "已修好"})]
PATHS[Status.CONFIRMED] = [*PATHS[Status.RESOLVED], (Step.CONFIRM, "resident", {"rating": 2})]
PATHS[Status.CLOSED] = [*PATHS[Status.CONFIRMED], (Step.CLOSE, "cw", {})]
PATHS[Status.RETURNED] = [*PATHS[Status.DISPATCHED], (Step.RETURN, "pm1", {"reason": "不在家"})]
PATHS[Status.ESCALATED_TO_STREET] = [
    *PATHS[Status.ESCALATED],
    (Step.ESCALATE_TO_STREET, "cw", {"note": "需街道协调"}),
]
PATHS[Status.MERGED] = [(Step.MERGE, "gw", "into_other")]


def run_step(ticket, step, actor, params):
    function, _names = services.STEPS[step]
    return function(ticket, actor=actor, **params)


@pytest.fixture
def drive(people, new_ticket):
    def _drive(state, **fields):
        ticket = new_ticket(**fields)
        for step, who, params in PATHS[state]:
            if params == "into_other":
                params = {"into": new_ticket()}
            elif callable(params):
                params = params(people)
            ticket = run_step(ticket, step, getattr(people, who), params)
        assert ticket.status == state
        return ticket

    return _drive


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Ticket photos are written under a per-test MEDIA_ROOT, never var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


def square(w, s, e, n):
    """A GeoJSON rectangle (lng/lat)."""
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


@pytest.fixture
def bounded(world):
    """Hand-made grid boundaries: A1G1 and A1G2 share the edge lng 112.01; A2G1 east of them;
    B1G1 far away. Points are (lat, lng)."""
    from gongzhi.tickets import routing

    for grid, box in (
        (world.grid_a1_1, (112.00, 28.00, 112.01, 28.01)),
        (world.grid_a1_2, (112.01, 28.00, 112.02, 28.01)),
        (world.grid_a2_1, (112.02, 28.00, 112.03, 28.01)),
        (world.grid_b1_1, (112.10, 28.00, 112.11, 28.01)),
    ):
        grid.boundary = square(*box)
        grid.save()
    routing.clear_cache()
    yield world
    routing.clear_cache()


def image_file(name="photo.jpg", fmt="JPEG", size=(64, 48), gps=None, mode="RGB", camera=None):
    """An in-memory upload of a real image (optionally with EXIF GPS / camera tags)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 128))
    buf = io.BytesIO()
    options = {}
    if gps or camera:
        exif = Image.Exif()
        if camera:
            exif[0x010F] = camera
        if gps:
            lat, lng = gps
            exif.get_ifd(0x8825).update(
                {1: "N", 2: (float(lat), 0.0, 0.0), 3: "E", 4: (float(lng), 0.0, 0.0)}
            )
        options["exif"] = exif
    image.save(buf, fmt, **options)
    return SimpleUploadedFile(name, buf.getvalue(), content_type=f"image/{fmt.lower()}")


@pytest.fixture
def english(client):
    """Messages in English (the catalog translates them to zh-Hans by default): for the
    service and for pages requested through `client`."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield
