"""Estate pages: owners' committees (terms, members, candidate lists, shares), the supervision
committees, property companies and contracts, and the compliance lists. Thin: forms parse,
selectors read, services write; a refusal comes back as a flash message."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import access, gates, refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedRequest
from gongzhi.estates import forms, selectors, services, views_grants
from gongzhi.estates.models import ListStatus, OwnersCommittee, PropertyCompany

PAGE_SIZE = 30
VIEW = Action.ESTATE_VIEW
MANAGE = Action.ESTATE_MANAGE


# --------------------------------------------------------------------------- committees


@login_required
@requires(VIEW)
def index(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        gates.check(user, MANAGE)
        form = forms.CommitteeForm(
            request.POST, choices={"estate": selectors.estates_without_committee(user)}
        )
        if refusals.act(
            request,
            form,
            lambda d: services.create_committee(d["estate"], actor=user, name=d["name"]),
            _("The owners' committee is recorded."),
        ):
            return redirect("estates:index")
    page = Paginator(selectors.committee_rows(user), PAGE_SIZE).get_page(request.GET.get("page"))
    manage = access.has_any(user, MANAGE)
    return render(
        request,
        "estates/index.html",
        {
            "page": page,
            "rows": page.object_list,
            "manage": manage,
            "form": forms.CommitteeForm(
                choices={"estate": selectors.estates_without_committee(user)[:300]}
            )
            if manage
            else None,
        },
    )


def _term_rows(committee: OwnersCommittee) -> list[dict[str, Any]]:
    terms = selectors.terms_of(committee)
    party = selectors.party_set([m.resident_id for t in terms for m in t.members.all()])
    rows = []
    for term in terms:
        current = [m for m in term.members.all() if m.left_on is None]
        rows.append(
            {
                "term": term,
                "members": list(term.members.all()),
                "vacant": max(term.seats - len(current), 0),
                "share": services.term_share(term),
                "party": party,
            }
        )
    return rows


def _list_rows(committee: OwnersCommittee) -> list[dict[str, Any]]:
    lists = selectors.candidate_lists_of(committee)
    party = selectors.party_set([c.resident_id for cl in lists for c in cl.candidates.all()])
    return [{"list": cl, "share": services.list_share(cl), "party": party} for cl in lists]


@login_required
@requires(VIEW)
def committee(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    body = selectors.get_committee(user, pk)
    path = body.place_path
    manage = access.can(user, MANAGE, path)
    lists = _list_rows(body)
    residents = selectors.residents_of(user, body.estate)[:500]
    context: dict[str, Any] = {
        "committee": body,
        "terms": _term_rows(body),
        "lists": lists,
        "shares": selectors.shares_of(body),
        "manage": manage,
        "review": access.can(user, Action.ESTATE_REVIEW, path),
        "file": access.can(user, Action.ESTATE_FILE, path),
        "draft": ListStatus.DRAFT,
        "reviewed": ListStatus.REVIEWED,
        "reelection": selectors.reelection_due(body),
    }
    if manage:
        context.update(
            term_form=forms.TermForm(
                choices={"elected_by": selectors.votes_of(body.estate)},
                initial={"number": (body.terms.count() + 1), "seats": 5},
            ),
            member_form=forms.MemberForm(choices={"resident": residents}),
            candidate_form=forms.CandidateForm(choices={"resident": residents}),
            leave_form=forms.LeaveForm(),
            end_form=forms.EndForm(),
            list_form=forms.ListForm(),
            exclude_form=forms.ExcludeForm(),
            org_form=forms.PartyOrgChoiceForm(
                choices={"party_org": selectors.party_orgs_for(user, body.estate)},
                initial={"form": body.party_org_form, "party_org": body.party_org_id},
            ),
        )
    if context["file"]:
        context["file_form"] = forms.FileForm()
    if context["review"]:
        context["review_form"] = forms.ReviewForm()
    context.update(views_grants.panel(user, body))
    return render(request, "estates/committee.html", context)


def _back(body: OwnersCommittee) -> HttpResponse:
    return redirect("estates:committee", pk=body.pk)


@login_required
@require_POST
@requires(MANAGE)
def committee_party_org(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    body = selectors.get_committee(user, pk)
    form = forms.PartyOrgChoiceForm(
        request.POST, choices={"party_org": selectors.party_orgs_for(user, body.estate)}
    )
    refusals.act(
        request,
        form,
        lambda d: services.set_party_org(
            body, actor=user, form=d["form"], party_org=d["party_org"]
        ),
        _("The party organisation is recorded."),
    )
    return _back(body)


@login_required
@require_POST
@requires(MANAGE)
def term_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    body = selectors.get_committee(user, pk)
    form = forms.TermForm(request.POST, choices={"elected_by": selectors.votes_of(body.estate)})
    refusals.act(
        request,
        form,
        lambda d: services.add_term(
            body,
            actor=user,
            number=d["number"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            seats=d["seats"],
            elected_by=d["elected_by"],
        ),
        _("The term is recorded."),
    )
    return _back(body)


@login_required
@require_POST
@requires(MANAGE)
def member_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    term = selectors.get_term(user, pk)
    # Any resident the viewer sees: the service says clearly when they live elsewhere.
    form = forms.MemberForm(
        request.POST, choices={"resident": selectors.residents_of(user, term.committee.community)}
    )
    refusals.act(
        request,
        form,
        lambda d: services.add_member(
            term, actor=user, resident=d["resident"], is_chair=d["is_chair"]
        ),
        _("The member is recorded."),
    )
    return _back(term.committee)


@login_required
@require_POST
@requires(MANAGE)
def member_leave(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    member = selectors.get_member(user, pk)
    refusals.act(
        request,
        forms.LeaveForm(request.POST),
        lambda d: services.member_leaves(
            member, actor=user, left_on=d["left_on"], reason=d["reason"]
        ),
        _("The seat is now vacant."),
    )
    return _back(member.term.committee)


@login_required
@require_POST
@requires(Action.ESTATE_FILE)
def term_file(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    term = selectors.get_term(user, pk)
    refusals.act(
        request,
        forms.FileForm(request.POST),
        lambda d: services.file_term(
            term, actor=user, filed_on=d["filed_on"], filing_ref=d["filing_ref"]
        ),
        _("The filing is recorded."),
    )
    return _back(term.committee)


@login_required
@require_POST
@requires(MANAGE)
def term_end(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    term = selectors.get_term(user, pk)
    refusals.act(
        request,
        forms.EndForm(request.POST),
        lambda d: services.end_term_early(
            term, actor=user, ended_on=d["ended_on"], reason=d["reason"]
        ),
        _("The term has ended early."),
    )
    return _back(term.committee)


@login_required
@require_POST
@requires(MANAGE)
def list_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    body = selectors.get_committee(user, pk)
    refusals.act(
        request,
        forms.ListForm(request.POST),
        lambda d: services.create_candidate_list(body, actor=user, title=d["title"]),
        _("The candidate list is created."),
    )
    return _back(body)


@login_required
@require_POST
@requires(MANAGE)
def candidate_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    clist = selectors.get_list(user, pk)
    form = forms.CandidateForm(
        request.POST,
        choices={"resident": selectors.residents_of(user, clist.committee.community)},
    )
    refusals.act(
        request,
        form,
        lambda d: services.add_candidate(clist, actor=user, resident=d["resident"]),
        _("The candidate is on the list."),
    )
    return _back(clist.committee)


@login_required
@require_POST
@requires(MANAGE)
def candidate_exclude(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    candidate = selectors.get_candidate(user, pk)
    if request.POST.get("readmit"):
        try:
            services.set_exclusion(candidate, actor=user, excluded=False)
        except ValidationError as error:
            refusals.say(request, error)
        else:
            messages.success(request, _("The candidate may stand again."))
    else:
        refusals.act(
            request,
            forms.ExcludeForm(request.POST),
            lambda d: services.set_exclusion(
                candidate, actor=user, excluded=True, reason=d["reason"]
            ),
            _("The candidate is on the negative list."),
        )
    return _back(candidate.candidate_list.committee)


@login_required
@require_POST
@requires(Action.ESTATE_REVIEW)
def list_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    clist = selectors.get_list(user, pk)
    refusals.act(
        request,
        forms.ReviewForm(request.POST),
        lambda d: services.review_list(clist, actor=user, note=d["note"]),
        _("The list is reviewed."),
    )
    return _back(clist.committee)


@login_required
@require_POST
@requires(MANAGE)
def list_finalise(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    clist = selectors.get_list(user, pk)
    try:
        services.finalise_list(clist, actor=user)
    except ValidationError as error:
        refusals.say(request, error)
    else:
        messages.success(request, _("The candidate list is final."))
    return _back(clist.committee)


# --------------------------------------------------------------------------- supervision


@login_required
@requires(VIEW)
def supervision(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    communities = selectors.communities_for(user)
    picked = request.POST.get("community", "")
    chosen = communities.filter(pk=int(picked) if picked.isdigit() else 0).first()
    if request.method == "POST":
        gates.check(user, MANAGE)
        posted = forms.SupervisorForm(
            request.POST,
            choices={
                "community": communities,
                "resident": selectors.residents_of(user, chosen)
                if chosen
                else selectors.no_residents(),
            },
        )
        if refusals.act(
            request,
            posted,
            lambda d: services.add_supervisor(
                d["community"],
                actor=user,
                resident=d["resident"],
                since=d["since"],
                is_chair=d["is_chair"],
            ),
            _("The member is recorded."),
        ):
            return redirect("estates:supervision")
    page = Paginator(selectors.visible_supervision(user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    manage = access.has_any(user, MANAGE)
    form: forms.SupervisorForm | None = None
    if manage:
        first = communities.first()
        form = forms.SupervisorForm(
            choices={
                "community": communities[:300],
                "resident": selectors.residents_of(user, first)[:500]
                if first
                else selectors.no_residents(),
            }
        )
    return render(
        request,
        "estates/supervision.html",
        {
            "page": page,
            "rows": page.object_list,
            "manage": manage,
            "form": form,
            "leave_form": forms.SupervisorLeaveForm(),
        },
    )


@login_required
@require_POST
@requires(MANAGE)
def supervisor_leave(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    member = selectors.get_supervisor(user, pk)
    refusals.act(
        request,
        forms.SupervisorLeaveForm(request.POST),
        lambda d: services.supervisor_leaves(member, actor=user, left_on=d["left_on"]),
        _("The member has left."),
    )
    return redirect("estates:supervision")


# --------------------------------------------------------------------------- companies


@login_required
@requires(VIEW)
def companies(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    places = selectors.registering_places(user)
    if request.method == "POST":
        gates.check(user, MANAGE)
        form = forms.CompanyForm(request.POST, choices={"place": places})
        if refusals.act(
            request,
            form,
            lambda d: services.add_company(
                d["place"],
                actor=user,
                name=d["name"],
                credit_code=d["credit_code"],
                address=d["address"],
                contact_name=d["contact_name"],
                office_phone=d["office_phone"],
            ),
            _("The property company is registered."),
        ):
            return redirect("estates:companies")
    page = Paginator(selectors.company_rows(user), PAGE_SIZE).get_page(request.GET.get("page"))
    manage = access.has_any(user, MANAGE)
    return render(
        request,
        "estates/companies.html",
        {
            "page": page,
            "rows": page.object_list,
            "manage": manage,
            "form": forms.CompanyForm(choices={"place": places[:300]}) if manage else None,
            "contract_form": forms.ContractForm(
                choices={"estate": selectors.estates_for(user)[:300]}
            )
            if manage
            else None,
        },
    )


@login_required
@requires(VIEW)
def company(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    body = selectors.get_company(user, pk)
    manage = access.can(user, MANAGE, body.place_path)
    add_contract = access.has_any(user, MANAGE)
    context: dict[str, Any] = {
        "company": body,
        "contracts": selectors.contracts_of(user, body),
        "party_staff": selectors.party_staff_of(body),
        "minimum": selectors.org_minimum(body),
        "bar": selectors.company_bar(body),
        "manage": manage,
        "add_contract": add_contract,
    }
    context["staff_links"] = selectors.staff_links_of(body)
    if add_contract:
        context["staff_link_form"] = forms.StaffLinkForm(
            choices={"post": selectors.staff_post_choices(user, body)[:300]}
        )
        context["contract_form"] = forms.ContractForm(
            choices={"estate": selectors.estates_for(user)[:300]}
        )
    if manage:
        context["org_form"] = forms.PartyOrgChoiceForm(
            choices={"party_org": selectors.party_orgs_for(user, body.place)}
            if body.place.depth >= access.COMMUNITY_DEPTH
            else {"party_org": selectors.party_orgs_in(user)},
            initial={"form": body.party_org_form, "party_org": body.party_org_id},
        )
        context["staff_form"] = forms.PartyStaffForm(
            choices={"members": selectors.party_members_for(user)[:500]},
            initial={"members": list(body.party_staff.values_list("pk", flat=True))},
        )
    return render(request, "estates/company.html", context)


def _company_back(body: PropertyCompany) -> HttpResponse:
    return redirect("estates:company", pk=body.pk)


@login_required
@require_POST
@requires(MANAGE)
def contract_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    body = selectors.get_company(user, pk)
    form = forms.ContractForm(request.POST, choices={"estate": selectors.estates_for(user)})
    refusals.act(
        request,
        form,
        lambda d: services.add_contract(
            body,
            d["estate"],
            actor=user,
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            fee_yuan_per_m2=d["fee_yuan_per_m2"],
            scope=d["scope"],
        ),
        _("The service contract is recorded."),
    )
    return _company_back(body)


@login_required
@require_POST
@requires(MANAGE)
def contract_by_code(request: AuthenticatedRequest) -> HttpResponse:
    """A contract with a company another community registered, found by its credit code."""
    user = request.user
    found = selectors.company_by_code(request.POST.get("credit_code", ""))
    form = forms.ContractForm(request.POST, choices={"estate": selectors.estates_for(user)})
    if found is None:
        messages.error(request, _("No property company with this credit code is registered."))
        return redirect("estates:companies")
    if refusals.act(
        request,
        form,
        lambda d: services.add_contract(
            found,
            d["estate"],
            actor=user,
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            fee_yuan_per_m2=d["fee_yuan_per_m2"],
            scope=d["scope"],
        ),
        _("The service contract is recorded."),
    ):
        return _company_back(found)
    return redirect("estates:companies")


@login_required
@require_POST
@requires(MANAGE)
def company_party_org(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    body = selectors.get_company(user, pk)
    orgs = (
        selectors.party_orgs_for(user, body.place)
        if body.place.depth >= access.COMMUNITY_DEPTH
        else selectors.party_orgs_in(user)
    )
    refusals.act(
        request,
        forms.PartyOrgChoiceForm(request.POST, choices={"party_org": orgs}),
        lambda d: services.set_party_org(
            body, actor=user, form=d["form"], party_org=d["party_org"]
        ),
        _("The party organisation is recorded."),
    )
    return _company_back(body)


@login_required
@require_POST
@requires(MANAGE)
def company_party_staff(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    body = selectors.get_company(user, pk)
    refusals.act(
        request,
        forms.PartyStaffForm(request.POST, choices={"members": selectors.party_members_for(user)}),
        lambda d: services.set_party_staff(body, actor=user, members=d["members"]),
        _("The party members among the staff are recorded."),
    )
    return _company_back(body)


@login_required
@require_POST
@requires(MANAGE)
def staff_link(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A property_staff post now works for the company (issue 14 item 3)."""
    user = request.user
    body = selectors.get_company(user, pk)
    refusals.act(
        request,
        forms.StaffLinkForm(
            request.POST, choices={"post": selectors.staff_post_choices(user, body)}
        ),
        lambda d: services.link_staff(body, d["post"], actor=user, since=d["since"]),
        _("The post is linked to the company."),
    )
    return _company_back(body)


@login_required
@require_POST
@requires(MANAGE)
def staff_unlink(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    link = selectors.get_staff_link(user, pk)
    refusals.act(
        request,
        forms.StaffEndForm(request.POST),
        lambda d: services.end_staff_link(link, actor=user, ended_on=d["ended_on"]),
        _("The staff link is ended."),
    )
    return _company_back(link.company)


# --------------------------------------------------------------------------- compliance


COMPLIANCE_TABS = ("short", "orgs", "vacancies")


@login_required
@requires(VIEW)
def compliance(request: AuthenticatedRequest) -> HttpResponse:
    """Three lists, one per tab: committees short of a party-share rule, bodies without a
    party organisation, terms with vacant seats."""
    user = request.user
    tab = request.GET.get("tab", "short")
    if tab not in COMPLIANCE_TABS:
        tab = "short"
    rows: list[Any]
    if tab == "short":
        rows = selectors.falling_short(user)
    elif tab == "orgs":
        rows = selectors.without_party_org(user)
    else:
        rows = selectors.vacancies(user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "estates/compliance.html",
        {"tab": tab, "page": page, "rows": page.object_list},
    )
