"""Pages of 认岗认事认亲 and the vanguard index: the member's own page (VANGUARD_SERVE, phone)
and the staff's ranked list with the records to confirm (VANGUARD_VIEW)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import clock, inputs, refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.party import selectors, vanguard
from gongzhi.places.models import Place

PAGE_SIZE = 30


@login_required
@requires(Action.VANGUARD_SERVE)
def mine(request):
    member = selectors.member_of(request.user)
    context = {"member": member, "year": inputs.year(request)}
    if member is not None:
        community = selectors.member_community(member)
        context.update(
            community=community,
            index=selectors.index_for(member, context["year"]),
            claims=selectors.open_claims(member),
            posts=selectors.open_posts(community) if community else [],
            tasks=selectors.open_tasks(community) if community else [],
            families=selectors.care_families(community)[:50] if community else [],
            records=selectors.member_records(member)[:20],
            today=clock.today(),
        )
    return render(request, "party/vanguard_mine.html", context)


def _community_of(user, pk) -> Place:
    member = selectors.member_of(user)
    community = selectors.member_community(member) if member else None
    if community is None:
        raise ValidationError(_("Your login is not linked to a party member record."))
    return community


@login_required
@require_POST
@requires(Action.VANGUARD_SERVE)
def claim(request):
    try:
        community = _community_of(request.user, None)
        vanguard.claim(
            community,
            actor=request.user,
            kind=request.POST.get("kind", ""),
            target_id=request.POST.get("target") or 0,
        )
    except ValidationError as error:
        refusals.say(request, error)
    else:
        messages.success(request, _("Claimed."))
    return redirect("party:vanguard")


@login_required
@require_POST
@requires(Action.VANGUARD_SERVE)
def claim_end(request, pk: int):
    try:
        vanguard.end_claim(pk, actor=request.user)
    except ValidationError as error:
        refusals.say(request, error)
    return redirect("party:vanguard")


@login_required
@require_POST
@requires(Action.VANGUARD_SERVE)
def record(request):
    try:
        vanguard.record_service(
            actor=request.user,
            claim_id=request.POST.get("claim") or 0,
            served_on=request.POST.get("served_on", ""),
            hours=request.POST.get("hours", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        refusals.say(request, error)
    else:
        messages.success(request, _("Recorded; the community will confirm it."))
    return redirect("party:vanguard")


@login_required
@requires(Action.VANGUARD_VIEW)
def ranking(request):
    year = inputs.year(request)
    rows = selectors.ranking(request.user, year)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    pending = selectors.pending_records(request.user)[:50]
    communities = selectors.publish_communities(request.user)[:200]
    return render(
        request,
        "party/vanguard_ranking.html",
        {
            "page": page,
            "rows": page.object_list,
            "start": page.start_index() if rows else 0,
            "year": year,
            "pending": pending,
            "communities": communities,
        },
    )


@login_required
@require_POST
@requires(Action.VANGUARD_VIEW)
def review(request, pk: int):
    try:
        vanguard.review_record(
            pk, actor=request.user, confirm=request.POST.get("decision") == "confirm"
        )
    except ValidationError as error:
        refusals.say(request, error)
    else:
        messages.success(request, _("Saved."))
    return redirect("party:vanguard_ranking")


@login_required
@require_POST
@requires(Action.VOLUNTEER_MANAGE)
def publish(request):
    community = selectors.get_publish_community(request.user, request.POST.get("community") or 0)
    try:
        if request.POST.get("what") == "task":
            vanguard.add_task(
                community,
                actor=request.user,
                title=request.POST.get("name", ""),
                description=request.POST.get("description", ""),
            )
        else:
            vanguard.add_post(
                community,
                actor=request.user,
                name=request.POST.get("name", ""),
                description=request.POST.get("description", ""),
            )
    except ValidationError as error:
        refusals.say(request, error)
    else:
        messages.success(request, _("Published."))
    return redirect("party:vanguard_ranking")
