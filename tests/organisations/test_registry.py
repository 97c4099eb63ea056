"""Item 1: the register — filed and registered organisations, the GB 32100 check, ratings with
their dates, party organisation or none, documents, contacts; refusals write nothing; the
database refuses what the services refuse."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from gongzhi.core.models import AuditRecord
from gongzhi.organisations import services
from gongzhi.organisations.models import (
    DocumentKind,
    Organisation,
    OrgKind,
    OrgStatus,
    ServiceField,
)
from gongzhi.party.models import OrgKind as PartyKind
from gongzhi.party.models import PartyOrg
from tests.organisations.conftest import CODE_1, CODE_2, D

pytestmark = pytest.mark.django_db


def _register(ow, **over):
    fields = {
        "name": "邻里互助会",
        "kind": OrgKind.SOCIAL_GROUP,
        "status": OrgStatus.REGISTERED,
        "field": ServiceField.CHARITY,
        "credit_code": CODE_2,
        "registered_on": D(2026, 1, 5),
    }
    fields.update(over)
    return services.register(ow.a1, actor=ow.secretary, **fields)


def test_register_checks_the_credit_code(ow):
    before = Organisation.objects.count()
    wrong = CODE_2[:17] + ("R" if CODE_2[17] != "R" else "P")
    with pytest.raises(ValidationError) as caught:
        _register(ow, credit_code=wrong)
    assert "credit_code" in caught.value.message_dict
    assert Organisation.objects.count() == before
    org = _register(ow, credit_code=CODE_2.lower())
    assert org.credit_code == CODE_2
    assert AuditRecord.objects.filter(action="organisations.register", target_id=org.pk).exists()


def test_a_code_is_registered_once(ow):
    with pytest.raises(ValidationError, match="珞南社工服务中心"):
        _register(ow, credit_code=CODE_1)


def test_registered_needs_code_and_date_filed_needs_date(ow):
    with pytest.raises(ValidationError) as caught:
        _register(ow, credit_code="")
    assert "credit_code" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        _register(ow, registered_on=None)
    assert "registered_on" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        _register(ow, status=OrgStatus.FILED, credit_code="")
    assert "filed_on" in caught.value.message_dict
    filed = _register(ow, status=OrgStatus.FILED, credit_code="", filed_on=D(2026, 2, 1))
    assert filed.credit_code is None


def test_the_database_refuses_a_registered_row_without_a_code(ow):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(
            name="x",
            kind=OrgKind.SOCIAL_GROUP,
            status=OrgStatus.REGISTERED,
            field=ServiceField.OTHER,
            place=ow.a1,
            place_path=ow.a1.path,
        )


def test_the_database_refuses_a_rating_without_date(ow):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.filter(pk=ow.filed.pk).update(rating="4")


def test_filed_then_registered_then_dissolved(ow):
    org = services.record_registration(
        ow.filed, actor=ow.secretary, credit_code=CODE_2, registered_on=D(2026, 4, 1)
    )
    assert org.status == OrgStatus.REGISTERED
    with pytest.raises(ValidationError):
        services.record_registration(
            org, actor=ow.secretary, credit_code=CODE_2, registered_on=D(2026, 4, 1)
        )
    org = services.dissolve(org, actor=ow.secretary, on=D(2026, 5, 1), reason="自行解散")
    assert org.status == OrgStatus.DISSOLVED
    assert not org.active


def test_rating_with_date_and_clearing(ow):
    org = services.set_rating(
        ow.registered, actor=ow.secretary, rating="4", rated_on=D(2025, 12, 1)
    )
    assert (org.rating, org.rated_on) == ("4", D(2025, 12, 1))
    with pytest.raises(ValidationError):
        services.set_rating(org, actor=ow.secretary, rating="5", rated_on=None)
    with pytest.raises(ValidationError):
        services.set_rating(org, actor=ow.secretary, rating="7", rated_on=D(2025, 1, 1))
    org = services.set_rating(org, actor=ow.secretary, rating="", rated_on=D(2025, 1, 1))
    assert (org.rating, org.rated_on) == ("", None)


def test_party_org_or_none(ow):
    party = PartyOrg.objects.create(
        kind=PartyKind.COMMUNITY_COMMITTEE, name="社区大党委", place=ow.a1, place_path=ow.a1.path
    )
    org = services.set_party_org(ow.registered, actor=ow.secretary, party_org=party)
    assert org.party_org == party
    org = services.set_party_org(org, actor=ow.secretary, party_org=None)
    assert org.party_org is None


def test_documents(ow):
    doc = services.add_document(
        ow.registered,
        actor=ow.secretary,
        kind=DocumentKind.CERTIFICATE,
        title="登记证书",
        reference="洪民社登字第12号",
        issued_on=D(2024, 5, 10),
    )
    assert list(ow.registered.documents.all()) == [doc]
    with pytest.raises(ValidationError):
        services.add_document(
            ow.registered, actor=ow.secretary, kind="x", title="t", issued_on=D(2024, 1, 1)
        )


def test_contacts_must_be_able_to_apply(ow):
    with pytest.raises(ValidationError):
        services.link_contact(ow.registered, actor=ow.secretary, user=ow.resident)
    with pytest.raises(ValidationError):
        services.link_contact(ow.registered, actor=ow.secretary, user=ow.partner)


def test_wrong_roles(ow):
    # Another community's worker does not see A1's organisations: 404.
    with pytest.raises(Http404):
        services.set_rating(ow.registered, actor=ow.worker_a2, rating="3", rated_on=D(2025, 1, 1))
    # A grid worker sees them but keeps nothing: 403.
    with pytest.raises(PermissionDenied):
        services.set_rating(ow.registered, actor=ow.grid, rating="3", rated_on=D(2025, 1, 1))
    with pytest.raises(Http404):
        services.register(
            ow.a1,
            actor=ow.resident,
            name="x",
            kind=OrgKind.SOCIAL_GROUP,
            status=OrgStatus.FILED,
            field=ServiceField.OTHER,
            filed_on=D(2026, 1, 1),
        )
