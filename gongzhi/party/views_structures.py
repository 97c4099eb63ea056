"""Structures the tree cannot express (issue 23 item 1): the members of a big committee with
the part-time members from partner units (兼职委员), the bodies (social organisations, firms,
institutions) a party organisation covers alone, jointly or by affiliation, and the list of
bodies without any organisation. Thin: selectors read (scoped), services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import access, refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.party import forms, selectors, services
from gongzhi.party.models import PartyOrg

PAGE_SIZE = 50


def _org_label(org: PartyOrg) -> str:
    return f"{org.name}（{org.get_kind_display()}）"


def _edit(user, path: str) -> bool:
    return access.can(user, Action.PARTY_EDIT, path)


@login_required
@require_POST
@requires(Action.PARTY_VIEW)
def committee_add(request, pk: int):
    user = request.user
    org = selectors.get_org(user, pk)
    if not _edit(user, org.place_path):
        access.require(user, Action.PARTY_EDIT, org.place_path, read_action=Action.PARTY_VIEW)
    form = forms.CommitteeMemberForm(request.POST)
    refusals.act(
        request,
        form,
        lambda d: services.add_committee_member(
            org,
            actor=user,
            name=d["name"],
            duty=d["duty"],
            part_time=d["part_time"],
            source_unit=d["source_unit"],
            term_start=d["term_start"],
            term_end=d["term_end"],
        ),
        _("The committee member is recorded."),
    )
    return redirect("party:org", pk=org.pk)


@login_required
@require_POST
@requires(Action.PARTY_VIEW)
def committee_end(request, pk: int):
    user = request.user
    row = selectors.get_committee_member(user, pk)
    try:
        services.end_committee_member(row, actor=user)
    except ValidationError as error:
        refusals.say(request, error)
    else:
        messages.success(request, _("The committee member has left."))
    return redirect("party:org", pk=row.org_id)


def _body_form(user, data=None):
    communities = [(c.pk, c.name) for c in selectors.body_communities(user)]
    orgs = [(o.pk, _org_label(o)) for o in selectors.covering_choices(user, None)[:500]]
    return forms.BodyForm(data, communities=communities, orgs=orgs)


@login_required
@requires(Action.PARTY_VIEW)
def bodies(request):
    """Bodies without any party organisation (and a link to the estates' own list of owners'
    committees and property companies); staff who edit the party tree record bodies here."""
    user = request.user
    can_edit = access.has_any(user, Action.PARTY_EDIT)
    form = None
    if can_edit:
        if request.method == "POST":
            form = _body_form(user, request.POST)

            def call(d):
                community = selectors.body_communities(user).filter(pk=d["community"]).first()
                if community is None:
                    raise ValidationError(_("Choose a community from the list."))
                org = None
                if d["org"]:
                    org = selectors.covering_choices(user, community).filter(pk=d["org"]).first()
                    if org is None:
                        raise ValidationError(_("Choose an organisation of the body's community."))
                return services.add_body(
                    community,
                    actor=user,
                    name=d["name"],
                    kind=d["kind"],
                    party_count=d["party_count"],
                    org=org,
                    setup_form=d["setup_form"],
                )

            if refusals.act(request, form, call, _("The body is recorded.")):
                return redirect("party:bodies")
        form = _body_form(user)
    elif request.method == "POST":
        raise Http404
    page = Paginator(selectors.bodies_without_org(user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "party/bodies.html",
        {
            "page": page,
            "rows": page.object_list,
            "form": form,
            "elsewhere": selectors.unorganised_elsewhere(user),
        },
    )


@login_required
@require_POST
@requires(Action.PARTY_VIEW)
def body_org(request, pk: int):
    """Record the organisation covering a body (alone, jointly, by affiliation) or clear it."""
    user = request.user
    body = selectors.get_body(user, pk)
    orgs = [(o.pk, _org_label(o)) for o in selectors.covering_choices(user, body.community)]
    form = forms.BodyOrgForm(request.POST, orgs=orgs)

    def call(d):
        org = None
        if d["org"]:
            org = selectors.covering_choices(user, body.community).filter(pk=d["org"]).first()
            if org is None:
                raise ValidationError(_("Choose an organisation of the body's community."))
        return services.set_body_org(body, actor=user, org=org, setup_form=d["setup_form"])

    refusals.act(request, form, call, _("The body's party organisation is recorded."))
    back = request.POST.get("next_org", "")
    if back.isdigit() and selectors.visible_orgs(user).filter(pk=int(back)).exists():
        return redirect("party:org", pk=int(back))
    return redirect("party:bodies")
