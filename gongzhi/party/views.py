"""Party organisation pages: the tree with counts and gaps, organisations, members, check-ins.

Thin: reads through gongzhi.party.selectors (scoped, 404 outside), writes through
gongzhi.party.services (permission-checked, audited)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import access
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.party import forms, selectors, services
from gongzhi.party.models import PARENT_KINDS, PLACE_KINDS, OrgKind, PartyOrg
from gongzhi.places import selectors as places
from gongzhi.places.models import PlaceKind

PAGE_SIZE = 50
CHOICE_LIMIT = 500  # select boxes; narrow the parent to see further down
SEARCH_LIMIT = 20


def _can_edit(user, path: str) -> bool:
    return access.can(user, Action.PARTY_EDIT, path)


def _place_label(place) -> str:
    indent = "\u2003" * max(place.depth - 1, 0)
    return f"{indent}{place.name} ({place.get_kind_display()})"


# --- Tree and gaps ------------------------------------------------------------------


@login_required
@requires(Action.PARTY_VIEW)
def tree(request):
    page = Paginator(selectors.root_orgs(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    gap_panels = [
        {"place": place, "counts": selectors.gap_counts(place)}
        for place in selectors.gap_roots(request.user)
    ]
    streets = selectors.party_places(request.user, [PlaceKind.STREET])
    can_create_root = any(_can_edit(request.user, s.path) for s in streets[:CHOICE_LIMIT])
    return render(
        request,
        "party/tree.html",
        {"page": page, "gap_panels": gap_panels, "can_create_root": can_create_root},
    )


@login_required
def org_children(request, pk: int):
    org = selectors.get_org(request.user, pk)
    page = Paginator(selectors.child_orgs(request.user, org), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "party/_children.html", {"org": org, "page": page})


GAP_TABS = ("community", "grid", "building", "heads")


@login_required
def gaps(request, pk: int):
    place = selectors.get_gap_place(request.user, pk)
    if place.kind not in (PlaceKind.DISTRICT, PlaceKind.STREET, PlaceKind.COMMUNITY):
        raise Http404  # gaps are shown for a community, a street or a district
    tab = request.GET.get("tab") or "building"
    if tab not in GAP_TABS:
        tab = "building"
    counts = selectors.gap_counts(place)
    heads = {}
    if tab == "heads":
        qs = selectors.buildings_with_groups(place)
    else:
        qs = selectors.gap_places(place, tab).select_related("parent").order_by("path")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    if tab == "heads":
        heads = selectors.building_heads(page.object_list)
        for building in page.object_list:
            building.heads = heads.get(building.pk, [])
    return render(
        request,
        "party/gaps.html",
        {"place": place, "tab": tab, "counts": counts, "page": page},
    )


# --- Organisations ------------------------------------------------------------------


def _resident_results(request, org):
    """Residents matching ?q= (name or pinyin initials) in the org's community, not yet members."""
    search = forms.ResidentSearchForm(request.GET or None)
    if not search.is_valid() or not search.cleaned_data["q"].strip():
        return search, []
    q = search.cleaned_data["q"].strip()
    return search, selectors.member_candidates(request.user, org, q, SEARCH_LIMIT)


def _resident_label(resident) -> str:
    parts = [resident.name]
    if resident.phone_masked:
        parts.append(resident.phone_masked)
    if resident.household_id:
        parts.append(resident.household.short_address)
    return " · ".join(parts)


def _org_page(request, org, add_form=None, status=200):
    members = selectors.org_members(request.user, org, former=request.GET.get("former") == "1")
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    can_edit = _can_edit(request.user, org.place_path)
    search, results = (None, [])
    if can_edit and org.kind in services.MEMBER_ORG_KINDS:
        search, results = _resident_results(request, org)
        if add_form is None:
            add_form = forms.MemberAddForm(
                resident_choices=[(r.pk, _resident_label(r)) for r in results]
            )
    parent = selectors.visible_parent(request.user, org)
    return render(
        request,
        "party/org_detail.html",
        {
            "org": org,
            "parent": parent,
            "page": page,
            "children": selectors.child_orgs(request.user, org),
            "can_edit": can_edit,
            "can_add_child": can_edit
            and any(org.kind in parents for parents in PARENT_KINDS.values()),
            "search": search,
            "results": results,
            "add_form": add_form,
            "former": request.GET.get("former") == "1",
            # Structures (issue 23 item 1): the big committee's members, the bodies covered.
            "committee": selectors.committee_members(request.user, org)
            if org.kind in services.COMMITTEE_KINDS
            else None,
            "committee_form": forms.CommitteeMemberForm()
            if can_edit and org.kind in services.COMMITTEE_KINDS
            else None,
            "bodies": selectors.bodies_of(request.user, org)
            if org.kind in services.COVERING_KINDS
            else None,
        },
        status=status,
    )


@login_required
def org_detail(request, pk: int):
    return _org_page(request, selectors.get_org(request.user, pk))


def _create_choices(request, parent: PartyOrg | None):
    user = request.user
    if parent is None:
        kinds = [OrgKind.STREET_COMMITTEE]
        place_qs = selectors.party_places(user, [PlaceKind.STREET])
    else:
        kinds = [k for k in OrgKind.values if parent.kind in PARENT_KINDS[k]]
        place_kinds = set().union(*(PLACE_KINDS[k] for k in kinds if k != OrgKind.MEMBER_HOUSEHOLD))
        place_qs = selectors.party_places(user, place_kinds, under=parent.place_path)
    place_choices = [(p.pk, _place_label(p)) for p in place_qs[:CHOICE_LIMIT]]
    household_choices = []
    if OrgKind.MEMBER_HOUSEHOLD in kinds:
        households = selectors.free_households(user, parent.place_path)[:CHOICE_LIMIT]
        household_choices = [(h.pk, h.short_address) for h in households]
    return kinds, place_choices, household_choices


@login_required
@requires(Action.PARTY_VIEW)
def org_create(request):
    raw = request.GET.get("parent") or request.POST.get("parent") or ""
    parent = selectors.get_org(request.user, int(raw)) if raw.isdigit() else None
    if parent is not None:
        access.require(
            request.user, Action.PARTY_EDIT, parent.place_path, read_action=Action.PARTY_VIEW
        )
    kinds, place_choices, household_choices = _create_choices(request, parent)
    if parent is None and not any(
        _can_edit(request.user, p.path)
        for p in selectors.party_places(
            request.user, [PlaceKind.STREET], pks=[pk for pk, _label in place_choices]
        )
    ):
        raise PermissionDenied
    if not kinds:
        raise Http404  # nothing may sit under this kind
    form = forms.OrgCreateForm(
        request.POST or None,
        kinds=kinds,
        place_choices=place_choices,
        household_choices=household_choices,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        place = household = None
        if data.get("place"):
            place = places.get_place(request.user, data["place"], Action.PARTY_VIEW)
        if data.get("household"):
            household = places.get_household(request.user, data["household"])
        try:
            org = services.create_org(
                actor=request.user,
                kind=data["kind"],
                name=data["name"],
                parent=parent,
                place=place,
                household=household,
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("%(name)s has been created.") % {"name": org.name})
            return redirect("party:org", pk=org.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "party/org_form.html", {"form": form, "parent": parent}, status=status)


@login_required
def org_edit(request, pk: int):
    org = selectors.get_org(request.user, pk)
    access.require(request.user, Action.PARTY_EDIT, org.place_path, read_action=Action.PARTY_VIEW)
    members = selectors.org_members(request.user, org)
    choices = [(m.pk, m.resident.name) for m in members[:CHOICE_LIMIT]]
    form = forms.OrgEditForm(
        request.POST or None,
        member_choices=choices,
        initial={"name": org.name, "secretary": org.secretary_id},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        secretary = None
        if data["secretary"]:
            secretary = get_object_or_404(members, pk=data["secretary"])
        try:
            # One service, one transaction: a refused secretary leaves the name unchanged too.
            services.change_org(org, actor=request.user, name=data["name"], secretary=secretary)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("party:org", pk=org.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "party/org_edit.html", {"form": form, "org": org}, status=status)


@login_required
@require_POST
def org_delete(request, pk: int):
    org = selectors.get_org(request.user, pk)
    try:
        services.delete_org(org, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("party:org", pk=org.pk)
    messages.success(request, _("%(name)s has been deleted.") % {"name": org.name})
    if selectors.visible_parent(request.user, org) is not None:
        return redirect("party:org", pk=org.parent_id)
    return redirect("party:tree")


@login_required
@require_POST
def member_add(request, pk: int):
    org = selectors.get_org(request.user, pk)
    access.require(request.user, Action.PARTY_EDIT, org.place_path, read_action=Action.PARTY_VIEW)
    form = forms.MemberAddForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        resident = get_object_or_404(selectors.residents_for(request.user), pk=data["resident"])
        try:
            member = services.add_member(
                actor=request.user,
                org=org,
                resident=resident,
                status=data["status"],
                joined_on=data["joined_on"],
                in_service=data["in_service"],
                workplace=data["workplace"],
                workplace_org=data["workplace_org"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("%(name)s is now a member of %(org)s.")
                % {"name": resident.name, "org": org.name},
            )
            return redirect("party:member", pk=member.pk)
    return _org_page(request, org, add_form=form, status=400)


# --- Members ------------------------------------------------------------------------


def _community_choices(user):
    qs = selectors.party_places(user, [PlaceKind.COMMUNITY])
    return [(c.pk, c.name) for c in qs[:CHOICE_LIMIT]]


def _move_choices(request, member):
    community = selectors.community_of(member.org.place)
    orgs = selectors.org_choices(request.user, community)[:CHOICE_LIMIT]
    return [(o.pk, f"{o.name} ({o.get_kind_display()})") for o in orgs]


def _member_page(request, member, *, status=200, **overrides):
    can_edit = _can_edit(request.user, member.place_path)
    context = {
        "member": member,
        "checkins": selectors.member_checkins(request.user, member),
        "can_edit": can_edit,
        "can_checkin": access.has_any(request.user, Action.PARTY_EDIT),
        "secretary_of": selectors.secretary_of(request.user, member),
    }
    if can_edit:
        context.update(
            edit_form=forms.MemberEditForm(
                initial={name: getattr(member, name) for name in services.MEMBER_FIELDS}
            ),
            move_form=forms.MemberMoveForm(
                org_choices=_move_choices(request, member), initial={"org": member.org_id}
            ),
            end_form=forms.ReasonForm(),
        )
    if context["can_checkin"]:
        community = selectors.community_of(member.org.place)
        context["checkin_form"] = forms.CheckinForm(
            community_choices=_community_choices(request.user),
            initial={
                "community": community.pk if community else None,
                "workplace_org": member.workplace_org,
            },
        )
        context["checkin_end_form"] = forms.CheckinEndForm()
    context.update(overrides)
    return render(request, "party/member_detail.html", context, status=status)


@login_required
def member_detail(request, pk: int):
    return _member_page(request, selectors.get_member(request.user, pk))


@login_required
@require_POST
def member_edit(request, pk: int):
    member = selectors.get_member(request.user, pk)
    access.require(
        request.user, Action.PARTY_EDIT, member.place_path, read_action=Action.PARTY_VIEW
    )
    form = forms.MemberEditForm(request.POST)
    if form.is_valid():
        try:
            services.update_member(member, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("party:member", pk=member.pk)
    return _member_page(request, member, status=400, edit_form=form)


@login_required
@require_POST
def member_move(request, pk: int):
    member = selectors.get_member(request.user, pk)
    access.require(
        request.user, Action.PARTY_EDIT, member.place_path, read_action=Action.PARTY_VIEW
    )
    form = forms.MemberMoveForm(request.POST, org_choices=_move_choices(request, member))
    if form.is_valid():
        org = selectors.get_org(request.user, form.cleaned_data["org"])
        try:
            services.move_member(member, org, actor=request.user)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("%(name)s has moved to %(org)s.") % {"name": member.resident.name, "org": org},
            )
            return redirect("party:member", pk=member.pk)
    return _member_page(request, member, status=400, move_form=form)


@login_required
@require_POST
def member_end(request, pk: int):
    member = selectors.get_member(request.user, pk)
    access.require(
        request.user, Action.PARTY_EDIT, member.place_path, read_action=Action.PARTY_VIEW
    )
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        services.end_membership(member, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(
            request, _("The membership of %(name)s has ended.") % {"name": member.resident.name}
        )
        return redirect("party:member", pk=member.pk)
    return _member_page(request, member, status=400, end_form=form)


@login_required
@require_POST
def checkin_create(request, pk: int):
    member = selectors.get_member(request.user, pk)
    form = forms.CheckinForm(request.POST, community_choices=_community_choices(request.user))
    if form.is_valid():
        data = form.cleaned_data
        community = places.get_place(request.user, data["community"], Action.PARTY_VIEW)
        try:
            services.record_checkin(
                member,
                actor=request.user,
                community=community,
                workplace_org=data["workplace_org"],
                checked_in_on=data["checked_in_on"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The check-in has been recorded."))
            return redirect("party:member", pk=member.pk)
    return _member_page(request, member, status=400, checkin_form=form)


@login_required
@require_POST
def checkin_end(request, pk: int):
    checkin = selectors.get_checkin(request.user, pk)
    form = forms.CheckinEndForm(request.POST)
    if form.is_valid():
        try:
            services.end_checkin(checkin, form.cleaned_data["ended_on"], actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The check-in has ended."))
    else:
        messages.error(request, " ".join(m for errs in form.errors.values() for m in errs))
    member = selectors.find_member(request.user, checkin.member_id)
    if member is None:
        return redirect("party:in_service")
    return redirect("party:member", pk=member.pk)


@login_required
@requires(Action.PARTY_VIEW)
def in_service(request):
    filters = forms.InServiceFilterForm(
        request.GET or None, community_choices=_community_choices(request.user)
    )
    community, status = None, ""
    if filters.is_valid():
        if filters.cleaned_data["community"]:
            community = places.get_place(
                request.user, filters.cleaned_data["community"], Action.PARTY_VIEW
            )
        status = filters.cleaned_data["status"]
    qs = selectors.in_service_members(request.user, community=community, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    checkins = selectors.checkins_of(request.user, page.object_list)
    for member in page.object_list:
        member.checkin_list = checkins.get(member.pk, [])
    return render(request, "party/in_service.html", {"page": page, "filters": filters})
