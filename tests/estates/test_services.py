"""Services: committees, terms, members, candidate lists, supervision committees, companies and
contracts — the rules, the refusals (nothing half-written) and the audit records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from gongzhi.core.models import AuditRecord
from gongzhi.estates import selectors, services
from gongzhi.estates.models import (
    ListStatus,
    OwnersCommittee,
    PartyOrgForm,
    PropertyCompany,
    ServiceContract,
    Term,
    TermMember,
)
from tests.estates.conftest import GOOD_CODE, GOOD_CODE_2, party_member

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def _committee(ew):
    return services.create_committee(ew.estate, actor=ew.secretary)


START, END = D(2025, 1, 1), D(2027, 12, 31)


def _term(ew, committee=None, number=1, start=START, end=END, seats=6):
    return services.add_term(
        committee or _committee(ew),
        actor=ew.secretary,
        number=number,
        starts_on=start,
        ends_on=end,
        seats=seats,
    )


def _fill(ew, term, party, others, chair_party=True):
    """`party` party members and `others` non-members; the chair from the first group asked."""
    people = ew.party[:party] + ew.others[:others]
    chair = people[0] if chair_party or not others else ew.others[0]
    for p in people:
        services.add_member(term, actor=ew.secretary, resident=p, is_chair=p == chair)


# --------------------------------------------------------------------------- committees


def test_one_committee_per_estate(ew):
    _committee(ew)
    with pytest.raises(ValidationError, match="已有业主委员会"):
        _committee(ew)
    assert OwnersCommittee.objects.count() == 1
    assert AuditRecord.objects.filter(action="estates.committee_create").count() == 1


def test_worker_of_another_community_gets_404_and_a_resident_403(ew):
    with pytest.raises(Http404):
        services.create_committee(ew.estate, actor=ew.worker_a2)
    with pytest.raises((Http404, PermissionDenied)):
        services.create_committee(ew.estate, actor=ew.resident_user)
    assert not OwnersCommittee.objects.exists()


def test_overlapping_terms_are_refused(ew):
    committee = _committee(ew)
    _term(ew, committee, 1, D(2022, 1, 1), D(2024, 12, 31))
    with pytest.raises(ValidationError, match="重叠"):
        _term(ew, committee, 2, D(2024, 12, 31), D(2029, 12, 30))
    _term(ew, committee, 2, D(2025, 1, 1), D(2029, 12, 31))
    assert Term.objects.count() == 2


def test_a_term_that_ended_early_frees_the_dates(ew):
    committee = _committee(ew)
    first = _term(ew, committee, 1, D(2024, 1, 1), D(2028, 12, 31))
    services.end_term_early(first, actor=ew.secretary, ended_on=D(2025, 6, 30), reason="集体辞职")
    _term(ew, committee, 2, D(2025, 7, 1), D(2030, 6, 30))
    assert selectors.current_term(committee).number == 2


def test_a_member_must_be_a_resident_of_the_estate(ew):
    term = _term(ew)
    with pytest.raises(ValidationError, match="不是.*居民"):
        services.add_member(term, actor=ew.secretary, resident=ew.outside)
    assert not TermMember.objects.exists()


def test_seats_and_one_chair(ew):
    term = _term(ew, seats=2)
    services.add_member(term, actor=ew.secretary, resident=ew.party[0], is_chair=True)
    with pytest.raises(ValidationError, match="主任"):
        services.add_member(term, actor=ew.secretary, resident=ew.party[1], is_chair=True)
    services.add_member(term, actor=ew.secretary, resident=ew.party[1])
    with pytest.raises(ValidationError, match="2"):
        services.add_member(term, actor=ew.secretary, resident=ew.party[2])


def test_a_member_who_leaves_makes_a_vacancy(ew):
    term = _term(ew, seats=3)
    _fill(ew, term, 2, 1)
    member = term.members.get(resident=ew.others[0])
    services.member_leaves(member, actor=ew.secretary, left_on=D(2026, 3, 1), reason="搬离小区")
    rows = selectors.vacancies(ew.secretary)
    assert [(v.term.pk, v.open) for v in rows] == [(term.pk, 1)]


# --------------------------------------------------------------------------- 002: members


def test_filing_with_exactly_half_party_members_and_a_party_chair_passes(ew):
    term = _term(ew)
    _fill(ew, term, 3, 3)
    services.file_term(
        term, actor=ew.street, filed_on=D(2026, 5, 1), filing_ref="珞南备〔2026〕3号"
    )
    term.refresh_from_db()
    assert term.filed_on == D(2026, 5, 1)
    assert AuditRecord.objects.filter(action="estates.term_file").exists()


def test_filing_one_party_member_short_is_refused_naming_the_share_and_paragraph(ew):
    term = _term(ew)
    _fill(ew, term, 2, 3)
    with pytest.raises(ValidationError) as refused:
        services.file_term(term, actor=ew.street, filed_on=D(2026, 5, 1), filing_ref="备1")
    text = " ".join(refused.value.messages)
    assert "40.0%" in text and "002 §三(一)4" in text and "50%" in text
    term.refresh_from_db()
    assert term.filed_on is None
    assert not AuditRecord.objects.filter(action="estates.term_file").exists()


def test_filing_with_a_chair_who_is_not_a_party_member_is_refused(ew):
    term = _term(ew)
    _fill(ew, term, 3, 3, chair_party=False)
    with pytest.raises(ValidationError, match="主任不是党员"):
        services.file_term(term, actor=ew.street, filed_on=D(2026, 5, 1), filing_ref="备1")


def test_the_member_rule_does_not_apply_when_the_profile_leaves_it_unset(ew):
    ew.world.district.policy_profile = "no-keys"
    ew.world.district.save()
    term = _term(ew)
    _fill(ew, term, 0, 3, chair_party=False)
    share = services.term_share(term)
    assert not share.applies and share.ok
    services.file_term(term, actor=ew.street, filed_on=D(2026, 5, 1), filing_ref="备1")


def test_only_the_street_files(ew):
    term = _term(ew)
    _fill(ew, term, 3, 1)
    with pytest.raises(PermissionDenied):
        services.file_term(term, actor=ew.secretary, filed_on=D(2026, 5, 1), filing_ref="备1")


def test_a_probationary_member_counts_as_a_party_member(ew):
    term = _term(ew)
    _fill(ew, term, 2, 3)
    late = ew.others[3]
    party_member(late, ew.org, status="probationary")
    services.add_member(term, actor=ew.secretary, resident=late)
    assert services.term_share(term).party == 3


# --------------------------------------------------------------------------- 000: candidates


def _list(ew, party, others, excluded=0):
    committee = OwnersCommittee.objects.first() or _committee(ew)
    clist = services.create_candidate_list(committee, actor=ew.secretary, title="第二届候选人")
    for p in ew.party[:party] + ew.others[:others]:
        services.add_candidate(clist, actor=ew.secretary, resident=p)
    for c in list(clist.candidates.filter(resident__in=ew.party[:excluded])):
        services.set_exclusion(c, actor=ew.secretary, excluded=True, reason="受过刑事处罚")
    return clist


def test_exactly_sixty_percent_of_candidates_is_finalised(ew):
    clist = _list(ew, 3, 2)
    services.review_list(clist, actor=ew.secretary, note="经社区党委审核")
    services.finalise_list(clist, actor=ew.secretary)
    clist.refresh_from_db()
    assert clist.status == ListStatus.FINAL


def test_one_candidate_short_of_sixty_percent_is_refused(ew):
    clist = _list(ew, 3, 3)  # 50 %
    services.review_list(clist, actor=ew.secretary)
    with pytest.raises(ValidationError) as refused:
        services.finalise_list(clist, actor=ew.secretary)
    text = " ".join(refused.value.messages)
    assert "50.0%" in text and "000 §五" in text and "60%" in text
    clist.refresh_from_db()
    assert clist.status == ListStatus.REVIEWED


def test_candidates_on_the_negative_list_do_not_count(ew):
    clist = _list(ew, 4, 2, excluded=1)  # 3 of 5 may stand
    share = services.list_share(clist)
    assert (share.party, share.total, share.ok) == (3, 5, True)
    assert clist.candidates.get(resident=ew.party[0]).exclusion_reason == "受过刑事处罚"


def test_a_negative_list_entry_needs_a_reason(ew):
    clist = _list(ew, 1, 0)
    with pytest.raises(ValidationError):
        services.set_exclusion(clist.candidates.first(), actor=ew.secretary, excluded=True)


def test_finalising_needs_the_party_committees_review_and_only_the_secretary_reviews(ew):
    clist = _list(ew, 3, 1)
    with pytest.raises(ValidationError, match="审核"):
        services.finalise_list(clist, actor=ew.secretary)
    with pytest.raises(PermissionDenied):
        services.review_list(clist, actor=ew.worker)
    services.review_list(clist, actor=ew.secretary)
    with pytest.raises(ValidationError):
        services.add_candidate(clist, actor=ew.secretary, resident=ew.others[3])


def test_a_candidate_must_be_a_resident_of_the_estate(ew):
    clist = _list(ew, 1, 0)
    with pytest.raises(ValidationError, match="不是.*居民"):
        services.add_candidate(clist, actor=ew.secretary, resident=ew.outside)


def test_the_candidate_rule_does_not_apply_when_unset(ew):
    ew.world.district.policy_profile = "no-keys"
    ew.world.district.save()
    clist = _list(ew, 0, 3)
    services.review_list(clist, actor=ew.secretary)
    services.finalise_list(clist, actor=ew.secretary)


def test_committees_falling_short_are_listed(ew):
    term = _term(ew)
    _fill(ew, term, 1, 3)
    rows = selectors.falling_short(ew.street)
    assert [r.committee.pk for r in rows] == [term.committee_id]
    assert not rows[0].members.ok


# --------------------------------------------------------------------------- supervision


def test_supervision_committee_members_are_residents_of_the_community(ew):
    community = ew.world.community_a1
    member = services.add_supervisor(
        community, actor=ew.secretary, resident=ew.others[0], since=D(2026, 1, 1), is_chair=True
    )
    assert member.committee.community == community
    with pytest.raises(ValidationError, match="不是.*居民"):
        a2_home = ew.world.grid_a2_1.buildings[0].households.first()
        from tests.estates.conftest import resident

        services.add_supervisor(
            community, actor=ew.secretary, resident=resident(a2_home), since=D(2026, 1, 1)
        )
    services.supervisor_leaves(member, actor=ew.secretary, left_on=D(2026, 5, 1))


# --------------------------------------------------------------------------- companies


def test_a_wrong_credit_code_is_refused_with_nothing_written(ew):
    with pytest.raises(ValidationError, match="校验"):
        services.add_company(
            ew.world.community_a1,
            actor=ew.secretary,
            name="某物业",
            credit_code="91350100M000100Y44",
        )
    assert not PropertyCompany.objects.exists()
    assert not AuditRecord.objects.filter(action="estates.company_add").exists()


def test_a_company_is_registered_once_and_shared_across_estates(ew):
    company = services.add_company(
        ew.world.community_a1, actor=ew.secretary, name="楚天物业", credit_code=GOOD_CODE.lower()
    )
    assert company.credit_code == GOOD_CODE
    with pytest.raises(ValidationError, match="已登记"):
        services.add_company(
            ew.world.community_a2, actor=ew.worker_a2, name="楚天", credit_code=GOOD_CODE
        )
    services.add_contract(
        company,
        ew.estate,
        actor=ew.secretary,
        starts_on=D(2025, 1, 1),
        ends_on=D(2027, 12, 31),
        fee_yuan_per_m2="1.80",
        scope="保洁、秩序维护",
    )
    a2_estate = ew.world.grid_a2_1.estate
    services.add_contract(
        company,
        a2_estate,
        actor=ew.worker_a2,
        starts_on=D(2026, 1, 1),
        ends_on=D(2028, 12, 31),
        fee_yuan_per_m2="2.00",
    )
    assert ServiceContract.objects.filter(company=company).count() == 2
    # Both communities see the company; a third does not.
    assert selectors.visible_companies(ew.worker_a2).filter(pk=company.pk).exists()
    assert selectors.visible_companies(ew.secretary).filter(pk=company.pk).exists()
    from gongzhi.core.roles import Role
    from tests.conftest import make_user

    b1 = make_user(Role.COMMUNITY_WORKER, ew.world.community_b1)
    assert not selectors.visible_companies(b1).filter(pk=company.pk).exists()


def test_a_contract_outside_the_actors_community_is_404(ew):
    company = services.add_company(
        ew.world.community_a1, actor=ew.secretary, name="楚天物业", credit_code=GOOD_CODE
    )
    with pytest.raises(Http404):
        services.add_contract(
            company,
            ew.world.grid_a2_1.estate,
            actor=ew.secretary,
            starts_on=D(2025, 1, 1),
            ends_on=D(2026, 1, 1),
            fee_yuan_per_m2="1",
        )


def test_bad_fee_and_dates_are_refused(ew):
    company = services.add_company(
        ew.world.community_a1, actor=ew.secretary, name="楚天物业", credit_code=GOOD_CODE
    )
    for fee, start, end in (
        ("-1", D(2025, 1, 1), D(2026, 1, 1)),
        ("1.5", D(2026, 1, 1), D(2025, 1, 1)),
        ("abc", D(2025, 1, 1), D(2026, 1, 1)),
    ):
        with pytest.raises(ValidationError):
            services.add_contract(
                company,
                ew.estate,
                actor=ew.secretary,
                starts_on=start,
                ends_on=end,
                fee_yuan_per_m2=fee,
            )
    assert not ServiceContract.objects.exists()


def test_bodies_without_a_party_organisation_and_companies_that_need_their_own(ew):
    committee = _committee(ew)
    none = services.add_company(
        ew.world.community_a1, actor=ew.secretary, name="无党组织物业", credit_code=GOOD_CODE
    )
    affiliated = services.add_company(
        ew.world.community_a1, actor=ew.secretary, name="挂靠物业", credit_code=GOOD_CODE_2
    )
    services.set_party_org(
        affiliated, actor=ew.secretary, form=PartyOrgForm.AFFILIATED, party_org=ew.org
    )
    services.set_party_staff(affiliated, actor=ew.secretary, members=ew.members[:3])
    rows = {(r.kind, r.body.pk, r.reason) for r in selectors.without_party_org(ew.secretary)}
    assert rows == {
        ("committee", committee.pk, "none"),
        ("company", none.pk, "none"),
        ("company", affiliated.pk, "own_required"),
    }
    # Two full members are below the profile's 3: affiliation is enough.
    services.set_party_staff(affiliated, actor=ew.secretary, members=ew.members[:2])
    services.set_party_org(committee, actor=ew.secretary, form=PartyOrgForm.JOINT, party_org=ew.org)
    rows = {(r.kind, r.body.pk) for r in selectors.without_party_org(ew.secretary)}
    assert rows == {("company", none.pk)}


def test_a_party_org_form_needs_the_organisation(ew):
    committee = _committee(ew)
    with pytest.raises(ValidationError):
        services.set_party_org(
            committee, actor=ew.secretary, form=PartyOrgForm.SINGLE, party_org=None
        )
