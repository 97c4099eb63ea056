"""The talent and skills base (达人库 / 技能特长库, issue 24 row 002-15): residents list themselves
on the phone with their consent, staff enter people who agreed and say how; search by skill and
place within the viewer's area, phones masked and revealed with a reason (audited); backbone
people flagged with a reason; withdrawal takes a person off every search and clears what they
told; volunteers' own skills shown alongside; wrong roles refused on pages and API; bounded
queries; the person's copy of their data."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from gongzhi.care import services
from gongzhi.care import talent_selectors as selectors
from gongzhi.care.models import SkillTerm, Talent
from gongzhi.core import personal_data
from gongzhi.core.models import AuditRecord
from gongzhi.core.personal_data import Person
from gongzhi.core.roles import Role
from gongzhi.volunteering.models import Volunteer
from tests.conftest import make_user

from .conftest import citizen

pytestmark = pytest.mark.django_db


def term(name: str) -> SkillTerm:
    """A platform term (shipped by migration 0006; created here when tests skip migrations)."""
    return SkillTerm.objects.get_or_create(community=None, name=name)[0]


def _list(tw, resident=None, actor=None, **kw):
    fields = {
        "skills": [term("理发")],
        "specialty": "会剪老人头",
        "willingness": "volunteer",
        "availability": "周末上午",
        "consent": True,
        "consent_way": "written",
    }
    fields.update(kw)
    return services.save_talent(resident or tw.r2.record, actor=actor or tw.worker, **fields)


@pytest.fixture
def tw(cw):
    cw.secretary = make_user(Role.COMMUNITY_SECRETARY, cw.world.community_a1, name="书记")
    cw.district = make_user(Role.DISTRICT_OFFICER, cw.world.district, name="区里")
    return cw


def test_a_resident_lists_themselves_on_the_phone_with_consent(tw, login):
    client = login(tw.r1)
    page = client.get(reverse("care:mine_talent"))
    assert page.status_code == 200 and b'data-testid="my-talent-form"' in page.content
    haircut, repair = term("理发"), term("家电维修")
    data = {
        "action": "save",
        "skills": [haircut.pk, repair.pk],
        "specialty": "会修收音机",
        "willingness": "on_call",
        "availability": "晚上",
    }
    refused = client.post(reverse("care:mine_talent"), data)
    assert refused.status_code == 200 and b'data-testid="form-error"' in refused.content
    assert not Talent.objects.exists()
    done = client.post(reverse("care:mine_talent"), {**data, "consent": "on"})
    assert done.status_code == 302
    talent = Talent.objects.get(resident=tw.r1.record)
    assert talent.consent_way == "self" and talent.self_entered and talent.listed
    assert {s.name for s in talent.skills.all()} == {"理发", "家电维修"}
    assert talent.community_id == tw.world.community_a1.pk
    assert AuditRecord.objects.filter(action="care.talent_save").count() == 1
    assert "会修收音机" in client.get(reverse("care:mine_talent")).content.decode()


def test_staff_enter_someone_only_with_a_stated_consent(tw):
    with pytest.raises(ValidationError) as error:
        _list(tw, consent_way="")
    assert "consent_way" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _list(tw, consent=False)
    assert "consent" in error.value.message_dict
    with pytest.raises(ValidationError):
        _list(tw, skills=[], specialty="")
    assert not Talent.objects.exists()
    talent = _list(tw)
    assert talent.consent_way == "written" and not talent.self_entered
    # Changing the entry later needs no new consent; the consent stays as given.
    again = _list(tw, consent=False, consent_way="", availability="工作日晚上")
    assert again.pk == talent.pk and again.availability == "工作日晚上"
    assert again.consent_way == "written" and again.consent_at == talent.consent_at


def test_wrong_roles_and_places_cannot_enter(tw):
    with pytest.raises(Http404):
        _list(tw, actor=tw.other)  # another community's worker: the person does not exist
    with pytest.raises(PermissionDenied):
        _list(tw, actor=tw.district)  # district officer: may search, not enter
    # A resident cannot list a neighbour (only themselves).
    with pytest.raises((PermissionDenied, Http404)):
        _list(tw, actor=tw.r1, resident=tw.r2.record)
    assert not Talent.objects.exists()


def test_a_community_term_only_for_its_own_people(tw):
    term("理发")
    own = services.add_skill_term(actor=tw.worker, community=tw.world.community_a1, name="剪纸")
    with pytest.raises(ValidationError):
        services.add_skill_term(actor=tw.worker, community=tw.world.community_a1, name="剪纸")
    with pytest.raises(ValidationError):
        services.add_skill_term(actor=tw.worker, community=tw.world.community_a1, name="理发")
    with pytest.raises(Http404):
        services.add_skill_term(actor=tw.worker, community=tw.world.community_a2, name="剪纸")
    assert _list(tw, skills=[own]).skills.get() == own
    foreign = SkillTerm.objects.create(community=tw.world.community_a2, name="舞龙")
    with pytest.raises(ValidationError) as error:
        _list(tw, skills=[foreign])
    assert "skills" in error.value.message_dict


def test_search_by_skill_and_place_within_the_area(tw, login):
    _list(tw)
    _list(tw, resident=tw.r3.record, skills=[term("法律咨询")], specialty="")
    outsider = _list(tw, resident=tw.outsider.record, actor=tw.other)
    haircut = term("理发")
    assert [t.resident_id for t in selectors.talents(tw.worker, skill=haircut.pk)] == [
        tw.r2.record.pk
    ]
    assert selectors.talents(tw.grid).count() == 2
    assert list(selectors.talents(tw.other)) == [outsider]
    assert selectors.talents(tw.worker, place=tw.world.grid_a1_2).count() == 0
    assert selectors.talents(tw.worker, q="老人").count() == 1
    client = login(tw.worker)
    page = client.get(reverse("care:talents"), {"skill": haircut.pk})
    body = page.content.decode()
    assert page.status_code == 200 and body.count('data-testid="talent-row"') == 1
    assert tw.r2.record.phone_masked in body and tw.r2.phone_plain not in body
    assert "外人" not in client.get(reverse("care:talents")).content.decode()
    # A place of another community in the filter: 404, not an empty list.
    assert client.get(reverse("care:talents"), {"place": tw.world.grid_a2_1.pk}).status_code == 404


def test_withdrawal_leaves_every_search_and_clears_the_entry(tw, login):
    talent = _list(tw, resident=tw.r1.record)
    client = login(tw.r1)
    assert client.post(reverse("care:mine_talent"), {"action": "withdraw"}).status_code == 302
    talent.refresh_from_db()
    assert talent.withdrawn_at is not None and not talent.listed
    assert talent.specialty == "" and talent.availability == "" and not talent.skills.exists()
    assert selectors.talents(tw.worker).count() == 0
    page = client.get(reverse("care:mine_talent"))
    assert b'data-testid="withdrawn"' in page.content
    # Listing again needs a new consent.
    with pytest.raises(ValidationError):
        _list(tw, resident=tw.r1.record, actor=tw.r1, consent=False)
    again = _list(tw, resident=tw.r1.record, actor=tw.r1)
    assert again.pk == talent.pk and again.listed and again.consent_way == "self"


def test_staff_withdraw_with_a_reason(tw, login):
    talent = _list(tw)
    client = login(tw.worker)
    url = reverse("care:talent_withdraw", args=[talent.pk])
    assert client.post(url, {"reason": ""}).status_code == 302
    talent.refresh_from_db()
    assert talent.listed
    client.post(url, {"reason": "本人电话要求退出"})
    talent.refresh_from_db()
    assert not talent.listed
    entry = AuditRecord.objects.get(action="care.talent_withdraw")
    assert entry.reason == "本人电话要求退出"


def test_backbone_with_a_reason_by_staff_only(tw, login):
    talent = _list(tw)
    with pytest.raises(ValidationError):
        services.set_backbone(talent, actor=tw.worker, backbone=True, reason="")
    with pytest.raises(PermissionDenied):
        services.set_backbone(talent, actor=tw.district, backbone=True, reason="热心")
    client = login(tw.grid)
    url = reverse("care:talent_backbone", args=[talent.pk])
    client.post(url, {"backbone": "on", "reason": "楼道议事召集人"})
    talent.refresh_from_db()
    assert talent.backbone and talent.backbone_reason == "楼道议事召集人"
    assert AuditRecord.objects.get(action="care.talent_backbone").reason == "楼道议事召集人"
    assert list(selectors.talents(tw.worker, backbone=True)) == [talent]
    client.post(url, {"reason": "搬走了"})
    talent.refresh_from_db()
    assert not talent.backbone and talent.backbone_reason == ""


def test_reveal_the_phone_with_a_reason_audited(tw, login):
    talent = _list(tw)
    client = login(tw.worker)
    url = reverse("care:talent_reveal", args=[talent.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    shown = client.post(url, {"reason": "请他周六来理发"})
    assert shown.status_code == 200 and tw.r2.phone_plain in shown.content.decode()
    entry = AuditRecord.objects.get(action="pii.reveal")
    assert entry.reason == "请他周六来理发" and tw.r2.phone_plain not in str(entry.changes)
    # The district officer may search but not reveal; another community's worker: 404.
    assert login(tw.district).post(url, {"reason": "看看"}).status_code == 403
    assert login(tw.other).post(url, {"reason": "看看"}).status_code == 404


def test_volunteers_own_skills_are_shown_alongside(tw, login):
    _list(tw)
    Volunteer.objects.create(
        resident=tw.r2.record,
        community=tw.world.community_a1,
        place_path=tw.world.community_a1.path,
        skills="修电脑、教手机",
        status="active",
    )
    body = login(tw.worker).get(reverse("care:talents")).content.decode()
    assert "修电脑、教手机" in body
    # Read through volunteering's scoped selector: a volunteer is registered with the
    # community, so a grid worker (scope: the grid) and another community's worker see none.
    assert selectors.volunteer_skills(tw.worker, [tw.r2.record.pk]) == {
        tw.r2.record.pk: "修电脑、教手机"
    }
    assert selectors.volunteer_skills(tw.grid, [tw.r2.record.pk]) == {}
    assert selectors.volunteer_skills(tw.other, [tw.r2.record.pk]) == {}


@pytest.mark.parametrize(
    "who",
    ["r1", "head", "merchant", "partner"],
    ids=["resident", "building head", "merchant", "partner"],
)
def test_wrong_roles_get_no_talent_pages_or_api(tw, login, who):
    talent = _list(tw)
    client = login(getattr(tw, who))
    assert client.get(reverse("care:talents")).status_code == 403
    assert client.get(reverse("care:talent_enter")).status_code == 403
    assert client.get("/api/v1/care-talents/").status_code == 403
    assert (
        client.post(reverse("care:talent_backbone", args=[talent.pk]), {"reason": "x"}).status_code
        == 403
    )
    talent.refresh_from_db()
    assert not talent.backbone


def test_the_api_searches_and_a_resident_keeps_their_own(tw, login):
    _list(tw)
    client = login(tw.worker)
    rows = client.get("/api/v1/care-talents/", {"skill": term("理发").pk}).json()["results"]
    assert [r["name"] for r in rows] == ["李二"] and rows[0]["phone"] == tw.r2.record.phone_masked
    assert login(tw.other).get("/api/v1/care-talents/").json()["results"] == []
    me = login(tw.r1)
    assert me.get("/api/v1/my-talent/").json()["listed"] is False
    bad = me.post(
        "/api/v1/my-talent/", {"skills": [term("书画").pk]}, content_type="application/json"
    )
    assert bad.status_code == 400 and not Talent.objects.filter(resident=tw.r1.record).exists()
    malformed = me.post("/api/v1/my-talent/", {"skills": ["x"]}, content_type="application/json")
    assert malformed.status_code == 400
    ok = me.post(
        "/api/v1/my-talent/",
        {"skills": [term("书画").pk], "consent": True, "willingness": "paid"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["listed"] is True
    gone = me.delete("/api/v1/my-talent/")
    assert gone.status_code == 200 and gone.json()["listed"] is False


def test_the_search_page_has_bounded_queries(tw, login, django_assert_max_num_queries):
    household = tw.households[4]
    for n in range(14):
        person = citizen(household, f"达人{n}")
        _list(tw, resident=person.record, skills=[term("理发"), term("书画")])
        if n % 3 == 0:
            Volunteer.objects.create(
                resident=person.record,
                community=tw.world.community_a1,
                place_path=tw.world.community_a1.path,
                skills="志愿技能",
                status="active",
            )
    client = login(tw.worker)
    with django_assert_max_num_queries(22):
        page = client.get(reverse("care:talents"))
    assert page.content.decode().count('data-testid="talent-row"') == 14
    with django_assert_max_num_queries(14):
        assert len(client.get("/api/v1/care-talents/").json()["results"]) == 14


def test_the_persons_copy_of_their_data_has_the_entry(tw):
    talent = _list(tw)
    services.set_backbone(talent, actor=tw.worker, backbone=True, reason="热心肠")
    section = next(s for s in personal_data.sections() if s.code == "talents")
    rows = section.rows(Person(user=tw.r2, resident=tw.r2.record))
    text = " ".join(str(v) for row in rows for v in row.values())
    assert "理发" in text and "会剪老人头" in text and "热心肠" in text
    assert section.rows(Person(user=tw.r1, resident=tw.r1.record)) == []
