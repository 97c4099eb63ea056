"""Fixtures of the URL matrix (issue 13): objects in a *foreign* jurisdiction, users at home.

The world is the one of tests/conftest.py (`world`): the foreign jurisdiction is street B
(关山街道, community B1 and its grid, estate, buildings, households); the acting users hold their
posts at home (street A, community A1, its grid and buildings; the district officer in the
*other* district 武昌区, since 洪山区 contains street B).

Everything is built once per module inside one outer transaction that is rolled back when the
module ends; each test runs in a savepoint inside it (pytest-django's `db`), so nothing leaks.
One object of every gongzhi model is built by `Foreign.get(model)`: required fields get
plausible values, a foreign key to a place gets the foreign community (estate, building,
household where the field says so), a place path the path of that place, a user the foreign
user, a resident the foreign resident, any other foreign key the foreign object of its model.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.test import override_settings

from gongzhi.core import clock
from gongzhi.core.models import Post, User
from gongzhi.core.paths import PathField
from gongzhi.core.roles import Role
from gongzhi.places.models import Household, Place
from tests.conftest import _community, make_place

_seq = itertools.count(1)


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


# Roles checked, with the `home` attribute their post sits at. The three administrator
# roles are left out: a system/security/audit admin legitimately reaches everything.
HOME_OF_ROLE = {
    Role.DISTRICT_OFFICER: "district_b",
    Role.STREET_OFFICER: "street_a",
    Role.COMMUNITY_SECRETARY: "community_a1",
    Role.COMMUNITY_WORKER: "community_a1",
    Role.GRID_WORKER: "grid_a1_1",
    Role.BUILDING_HEAD: "building_a1",
    Role.PARTY_MEMBER: "community_a1",
    Role.VOLUNTEER: "community_a1",
    Role.RESIDENT: "building_a1",
    Role.MERCHANT: "community_a1",
    Role.PARTNER_CONTACT: "community_a1",
    Role.PROPERTY_STAFF: "community_a1",
}
ADMIN_ROLES = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}


def _world() -> SimpleNamespace:
    """The two-street world of tests/conftest.py `world` (a fixture: not callable here)."""
    d = make_place(None, "district", "洪山区", "420111", official_code="420111")
    sa = make_place(d, "street", "珞南街道", "420111002000", official_code="420111002000")
    sb = make_place(d, "street", "关山街道", "420111003000", official_code="420111003000")
    a1, a1_grids = _community(sa, "珞南一社区", "420111002001", ["G01"])
    b1, b1_grids = _community(sb, "关山一社区", "420111003001", ["G01"])
    d2 = make_place(None, "district", "武昌区", "420106", official_code="420106")
    return SimpleNamespace(
        district=d,
        district_b=d2,
        street_a=sa,
        street_b=sb,
        community_a1=a1,
        grid_a1_1=a1_grids[0],
        building_a1=a1_grids[0].buildings[0],
        community_b1=b1,
        grid_b1_1=b1_grids[0],
        estate_b1=b1_grids[0].estate,
        building_b1=b1_grids[0].buildings[0],
    )


def _user(role, place, household=None) -> User:
    n = next(_seq)
    user = User.objects.create_user(username=f"sec-{role}-{n}", password=None, name=f"矩阵{n}")
    Post.objects.create(user=user, role=role, place=place, household=household)
    return user


class Foreign:
    """One object of each model, all in the foreign jurisdiction (community B1)."""

    # Foreign keys to a place, by field name; any other place key gets the community.
    PLACE_BY_FIELD = {"estate": "estate", "building": "building"}

    def __init__(self, world):
        self.world = world
        self.community = world.community_b1
        self.estate = world.estate_b1
        self.building = world.building_b1
        self.household = Household.objects.filter(building=self.building).first()
        self.user = _user(Role.COMMUNITY_SECRETARY, self.community)
        self.resident_user = _user(Role.RESIDENT, self.building, household=self.household)
        # The same person is a party member and a volunteer of the community.
        Post.objects.create(user=self.resident_user, role=Role.PARTY_MEMBER, place=self.community)
        Post.objects.create(user=self.resident_user, role=Role.VOLUNTEER, place=self.community)
        self.merchant_user = _user(Role.MERCHANT, self.community)
        # Models whose object could not be built (test_every_model_has_a_foreign_object).
        self.errors: dict[str, str] = {}
        self.named: dict[str, models.Model] = {}
        self.objects: dict[type, models.Model] = {
            Place: self.community,
            Household: self.household,
            User: self.user,
            Post: Post.objects.filter(user=self.user).first(),
        }

    # ------------------------------------------------------------------ values
    def _place_for(self, field) -> Place:
        return getattr(self, self.PLACE_BY_FIELD.get(field.name, "community"))

    def _value(self, field, given: dict):
        n = next(_seq)
        if field.is_relation:
            target = field.related_model
            if target is Place:
                return self._place_for(field)
            if target is Household:
                return self.household
            return self.get(target)
        if field.choices:
            return field.choices[0][0]
        if isinstance(field, models.SlugField):
            return f"x{n}"[: field.max_length]
        if isinstance(field, models.CharField):
            return f"外辖区{n}"[: field.max_length or 20]
        if isinstance(field, models.TextField):
            return "外辖区的内容"
        if isinstance(field, models.DecimalField):
            return Decimal("10")
        if isinstance(field, models.IntegerField):
            return 1
        if isinstance(field, models.DateTimeField):
            return clock.now() + dt.timedelta(days=1)
        if isinstance(field, models.DateField):
            return clock.today()
        if isinstance(field, models.TimeField):
            return dt.time(19, 0)
        if isinstance(field, models.FileField):
            return ContentFile(_jpeg(), name=f"security-{n}.jpg")
        if isinstance(field, models.JSONField):
            return {}
        raise AssertionError(f"no value for {field.model.__name__}.{field.name}")

    def build(self, model, **given) -> models.Model:
        values = dict(given)
        for field in model._meta.concrete_fields:
            if field.name in values or field.attname in values:
                continue
            if isinstance(field, (models.AutoField, models.BigAutoField)):
                continue
            if isinstance(field, PathField):
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                continue
            required = not (field.null or field.has_default())
            if field.is_relation:
                # A user anchors an object in the foreign jurisdiction even
                # where optional (a ticket's reporter, a notification's user...).
                if required or field.related_model is User:
                    values[field.name] = self._value(field, values)
                continue
            if required and not (
                field.blank and isinstance(field, (models.CharField, models.TextField))
            ):
                values[field.name] = self._value(field, values)
        place = next((v for v in values.values() if isinstance(v, Place)), None)
        if place is not None:
            anchor_path = place.path
        elif isinstance(values.get("household"), Household):
            anchor_path = values["household"].place_path
        else:
            anchor_path = self.community.path
        for field in model._meta.concrete_fields:
            if isinstance(field, PathField) and field.name not in values:
                values[field.name] = anchor_path
        return model.objects.create(**values)

    def get(self, model) -> models.Model:
        if model not in self.objects:
            extra = EXTRA.get(model._meta.label)
            self.objects[model] = self.build(model, **(extra(self) if extra else {}))
        return self.objects[model]


def _model(label):
    return apps.get_model(label)


def _evaluation_system() -> dict:
    from gongzhi.evaluation import system

    return system.platform_default().to_json()


# Fields a plain fill would get wrong (check constraints, consistent pairs).
EXTRA = {
    "partners.Claim": lambda f: {"unit": f.get(_model("partners.PartnerUnit"))},
    "tickets.Ticket": lambda f: {"number": "GZ-SEC-0001"},
    "volunteering.Activity": lambda f: {"capacity": 10, "signed_up": 1},
    "privacy.PrivacyRequest": lambda f: {
        "user": f.resident_user,
        "resident": f.get(_model("people.Resident")),
    },
    "owners.Ballot": lambda f: {"scan": ContentFile(_jpeg(), name="security-scan.jpg")},
    # A term and a contract end after they start (check constraints).
    "estates.Term": lambda f: {"ends_on": clock.today() + dt.timedelta(days=365)},
    "estates.ServiceContract": lambda f: {"ends_on": clock.today() + dt.timedelta(days=365)},
    "estates.StartupGrant": lambda f: {"amount_fen": 500000},
    "keytasks.ReceiverRow": lambda f: {"household": f.household},
    # A selection in voting, so that the foreign community's residents reach its ballot.
    "selections.Selection": lambda f: {"stage": "voting", "method": "combined"},
    # A round's period ends after it starts (check constraint).
    "evaluation.Round": lambda f: {
        "period_kind": "year",
        "system": _evaluation_system(),
        "period_start": dt.date(2025, 1, 1),
        "period_end": dt.date(2026, 1, 1),
    },
    # An award names exactly one nominee of its kind (the first kind: a mediator).
    "mediation.Award": lambda f: {"mediator": f.get(_model("mediation.Mediator"))},
    # A care visit is recorded by its visitor, who holds a visiting post (the foreign party
    # member and volunteer), not by the community secretary.
    "care.VisitPlan": lambda f: {"visitor": f.resident_user},
    "care.Visit": lambda f: {"visitor": f.resident_user},
    # A lease and a committee term end after they start; a tenancy lies where its home is.
    "care.Tenancy": lambda f: {
        "ends_on": clock.today() + dt.timedelta(days=365),
        "place_path": f.get(_model("care.RentedHome")).place_path,
    },
    # A verification round over rented homes carries no care tag (check constraint); its
    # household row lies where the household is.
    "care.CheckRound": lambda f: {"scope": "rented", "row_tag": ""},
    "care.CheckItem": lambda f: {"household": f.household, "place_path": f.household.place_path},
    # A talent is listed only with a consent (check constraint).
    "care.Talent": lambda f: {"consent_at": clock.now(), "consent_way": "written"},
    "workforce.CommitteeTerm": lambda f: {"ends_on": clock.today() + dt.timedelta(days=5 * 365)},
    "workforce.Assessment": lambda f: {"year": 2025},  # a year in range (check constraint)
    # An appointment's planned end comes after its start (check constraint).
    "workforce.Appointment": lambda f: {
        "starts_on": clock.today(),
        "planned_end_on": clock.today() + dt.timedelta(days=365),
    },
    # The first status, "filed", has its filing date (check constraint).
    "organisations.Organisation": lambda f: {"filed_on": clock.today()},
    # A fund entry is a donation with its donor; a purchase names a typed firm (check constraints).
    "funds.FundEntry": lambda f: {
        "kind": "donation",
        "donor_name": "越权测试捐赠人",
        "micro_project": None,
        "venture_project": None,
    },
    "funds.PurchasedService": lambda f: {"organisation": None, "supplier_name": "越权测试公司"},
    # A responsibility area's unit is a building or a household, not both (check constraint).
    "partylife.AreaUnit": lambda f: {"building": f.building, "household": None},
    # A transfer between two branches (both ends in the foreign jurisdiction), awaiting
    # acceptance: the steps accept / refuse / withdraw all apply to it.
    "partylife.Transfer": lambda f: {
        "kind": "internal",
        "state": "requested",
        "from_org": f.get(_model("party.PartyOrg")),
        "to_org": f.get(_model("party.PartyOrg")),
        "from_path": f.get(_model("party.PartyOrg")).place_path,
        "to_path": f.get(_model("party.PartyOrg")).place_path,
    },
}


def _special(foreign: Foreign) -> None:
    """Objects that a plain `objects.create` would make wrong: built by their services."""
    from gongzhi.core import audit, ledger
    from gongzhi.core.models import AuditRecord, LedgerAccount, LedgerEntry
    from gongzhi.people.models import Resident

    resident = foreign.build(
        Resident,
        name="外辖区居民",
        name_initials="WXQJM",
        gender="M",
        household=foreign.household,
        user=foreign.resident_user,
    )
    foreign.objects[Resident] = resident
    with transaction.atomic():
        record = audit.record(
            actor=foreign.user,
            action="security.matrix",
            target=foreign.community,
            place_path=foreign.community.path,
        )
    foreign.objects[AuditRecord] = record
    issuer = ledger.account_for(
        "points", "issuer", foreign.community.pk, place_path=foreign.community.path
    )
    own = ledger.account_for("points", "resident", resident.pk, place_path=resident.place_path)
    foreign.objects[LedgerAccount] = own
    with transaction.atomic():
        entry = ledger.transfer(
            debit=issuer,
            credit=own,
            amount=10,
            reason="activity_hours",
            idempotency_key=f"security-matrix-{resident.pk}",
        )
    foreign.objects[LedgerEntry] = entry
    # A need posted by the foreign resident (the API lists only one's own needs).
    foreign.named["need"] = foreign.build(
        apps.get_model("partners.ListItem"), kind="need", created_by=foreign.resident_user
    )
    # An account of the foreign community disabled for disuse.
    disabled = _user(Role.COMMUNITY_WORKER, foreign.community)
    User.objects.filter(pk=disabled.pk).update(is_active=False, disabled_unused_at=clock.now())
    foreign.named["disabled_user"] = disabled
    # A redemption made by the foreign resident through the service (with its ledger entry).
    from gongzhi.merchants import services as merchants
    from gongzhi.merchants.models import Item, Redemption

    item = foreign.get(Item)
    item.merchant.users.add(foreign.merchant_user)
    Item.objects.filter(pk=item.pk).update(stock=5, price=1)
    foreign.objects[Redemption] = merchants.redeem(item.pk, actor=foreign.resident_user)
    # A venture round with published results (the public page shows only those).
    foreign.named["awarded_round"] = foreign.build(
        apps.get_model("organisations.VentureRound"), status="awarded", year=2025
    )
    # A published assessment round of the foreign street with the foreign community's score:
    # the yearly report downloads (evaluation_reports:*) exist only for published rounds.
    street = foreign.world.street_b
    report_round = apps.get_model("evaluation.Round").objects.create(
        place=street,
        place_path=street.path,
        title="越权测试考核",
        system=_evaluation_system(),
        period_kind="year",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2026, 1, 1),
        status="published",
        opened_by=foreign.user,
        snapshot={},
        snapshot_sha256="0" * 64,
    )
    apps.get_model("evaluation.Score").objects.create(
        round=report_round,
        place=foreign.community,
        place_path=foreign.community.path,
        street=street,
        total=Decimal("80.00"),
    )
    foreign.named["report_round"] = report_round
    foreign.named["report_street"] = street


def _home_resident(world, user) -> None:
    """Every acting user is also a resident at home (points, redemptions, votes, sign-ups
    start from the user's registry record; without one they would stop before the scope)."""
    from gongzhi.people.models import Resident

    household = Household.objects.filter(building=world.building_a1).first()
    Resident.objects.create(
        name=user.name,
        name_initials="JZ",
        gender="F",
        household=household,
        place_path=household.place_path,
        user=user,
    )


def build_foreign(world) -> Foreign:
    foreign = Foreign(world)
    _special(foreign)
    for model in apps.get_app_configs():
        if not model.name.startswith("gongzhi."):
            continue
        for m in model.get_models():
            try:
                with transaction.atomic():
                    foreign.get(m)
            except Exception as error:  # noqa: BLE001
                foreign.errors[m._meta.label] = repr(error)[:300]
    return foreign


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, the foreign objects and one user per checked role, built once per module
    inside a transaction rolled back at the end of the module (photos in a temporary
    media folder, so that a photo view that forgot its scope check would serve one)."""
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("security-media")))
    media.enable()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = _world()
            foreign = build_foreign(world)
            users = {}
            for role, home in HOME_OF_ROLE.items():
                household = None
                if role == Role.RESIDENT:
                    household = Household.objects.filter(building=world.building_a1).first()
                users[role] = _user(role, getattr(world, home), household=household)
                _home_resident(world, users[role])
            controls = [
                _user(Role.STREET_OFFICER, world.street_b),
                foreign.user,
                foreign.resident_user,
                _user(Role.SYSTEM_ADMIN, world.district),
                _user(Role.AUDIT_ADMIN, world.district),
                _user(Role.SECURITY_ADMIN, world.district),
                foreign.merchant_user,
                # Applies to a venture round for its organisation (organisations.apply).
                _user(Role.PARTNER_CONTACT, foreign.community),
            ]
            yield SimpleNamespace(world=world, foreign=foreign, users=users, controls=controls)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            media.disable()
