"""Both party-share rules, each on the shipped profile that sets it (issue 14 "What must be
shown"): `wuhan-east-lake` sets only seed 000's 60 % of the candidates, `lishui-lingshan` only
seed 002's 50 % of the members with a party-member chair. Each rule holds at its boundary, is
refused one short, and does not apply under the other profile."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from gongzhi.core import profiles
from gongzhi.estates import services
from gongzhi.estates.models import ListStatus
from tests.estates.test_services import D, _fill, _list, _term

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def _on(ew, name):
    ew.estate.policy_profile = name
    ew.estate.save()
    profiles.clear_cache()
    profile = profiles.effective_profile(ew.estate)
    assert profile is not None and profile.name == name
    return profile


def _finalise(ew, clist):
    services.review_list(clist, actor=ew.secretary, note="经社区党委审核")
    services.finalise_list(clist, actor=ew.secretary)
    clist.refresh_from_db()
    return clist.status


def _file(ew, term):
    services.file_term(term, actor=ew.street, filed_on=D(2026, 5, 1), filing_ref="备〔2026〕1号")
    term.refresh_from_db()
    return term.filed_on


def test_wuhan_east_lake_keeps_sixty_percent_of_the_candidates(ew):
    profile = _on(ew, "wuhan-east-lake")
    assert profile.get("owners_committee.candidate_party_percent") == 60
    assert profile.get("owners_committee.member_party_percent") is None
    assert _finalise(ew, _list(ew, 3, 2)) == ListStatus.FINAL  # exactly 60 %


def test_wuhan_east_lake_refuses_a_list_one_party_member_short(ew):
    _on(ew, "wuhan-east-lake")
    clist = _list(ew, 2, 3)  # one party member short of 3 of 5: 40 %
    with pytest.raises(ValidationError) as refused:
        _finalise(ew, clist)
    text = " ".join(refused.value.messages)
    assert "40.0%" in text and "000 §五" in text and "60%" in text
    clist.refresh_from_db()
    assert clist.status == ListStatus.REVIEWED


def test_wuhan_east_lake_does_not_apply_the_member_rule(ew):
    _on(ew, "wuhan-east-lake")
    term = _term(ew)
    _fill(ew, term, 1, 3, chair_party=False)  # 25 %, chair not a party member
    assert _file(ew, term) == D(2026, 5, 1)


def test_lishui_keeps_half_of_the_members_and_a_party_chair(ew):
    profile = _on(ew, "lishui-lingshan")
    assert profile.get("owners_committee.member_party_percent") == 50
    assert profile.get("owners_committee.candidate_party_percent") is None
    term = _term(ew)
    _fill(ew, term, 2, 2)  # exactly 50 %, the chair a party member
    assert _file(ew, term) == D(2026, 5, 1)


def test_lishui_refuses_one_party_member_short(ew):
    _on(ew, "lishui-lingshan")
    short = _term(ew)
    _fill(ew, short, 2, 3)  # 40 %
    with pytest.raises(ValidationError) as refused:
        _file(ew, short)
    text = " ".join(refused.value.messages)
    assert "40.0%" in text and "002 §三(一)4" in text and "50%" in text
    short.refresh_from_db()
    assert short.filed_on is None


def test_lishui_refuses_a_chair_who_is_not_a_party_member(ew):
    _on(ew, "lishui-lingshan")
    chair = _term(ew)
    _fill(ew, chair, 3, 3, chair_party=False)
    with pytest.raises(ValidationError, match="主任不是党员"):
        _file(ew, chair)


def test_lishui_does_not_apply_the_candidate_rule(ew):
    _on(ew, "lishui-lingshan")
    assert _finalise(ew, _list(ew, 0, 3)) == ListStatus.FINAL
