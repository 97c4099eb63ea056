"""Owners' vote pages: the roll and votes for staff, the ballot for owners, the result page.

Thin: reads through selectors, every write through services (one per POST). A refused write
keeps its meaning: not visible → 404, role may not → 403, bad input → a message on the page."""

from __future__ import annotations

import datetime as dt
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import access, clock, refusals
from gongzhi.core.roles import Action
from gongzhi.owners import selectors, services
from gongzhi.owners.models import Choice, CoOwnerRule, Matter, VoteStatus

PAGE_SIZE = 30


def _when(value: str):
    try:
        parsed = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@login_required
def index(request):
    manager = access.has_any(request.user, Action.OWNERS_VOTE_MANAGE)
    if not any(
        access.has_any(request.user, a)
        for a in (Action.OWNERS_VOTE_MANAGE, Action.OWNERS_VOTE_CAST, Action.PLACE_VIEW)
    ):
        raise PermissionDenied(_("Your role does not use this page."))
    votes = selectors.visible_votes(request.user)
    page = Paginator(votes.select_related("estate"), PAGE_SIZE).get_page(request.GET.get("page"))
    estates = selectors.managed_estates(request.user)[:200] if manager else []
    return render(
        request,
        "owners/index.html",
        {
            "page": page,
            "estates": estates,
            "manager": manager,
            "staff": manager or access.has_any(request.user, Action.PLACE_VIEW),
        },
    )


@login_required
def estate(request, pk: int):
    place = selectors.get_estate(request.user, pk)
    owners = Paginator(selectors.roll(place), PAGE_SIZE).get_page(request.GET.get("page"))
    now = clock.now()
    return render(
        request,
        "owners/estate.html",
        {
            "estate": place,
            "page": owners,
            "votes": selectors.managed_votes(request.user).filter(estate=place)[:50],
            "matters": Matter.choices,
            "rules": CoOwnerRule.choices,
            "default_open": timezone.localtime(now).strftime("%Y-%m-%dT%H:%M"),
            "default_close": timezone.localtime(now + dt.timedelta(days=14)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
        },
    )


@login_required
@require_POST
def estate_action(request, pk: int, step: str):
    place = selectors.get_estate(request.user, pk)
    post = request.POST
    try:
        if step == "import":
            counts = services.import_roll(place, actor=request.user)
            messages.success(
                request,
                _("%(added)s owners added; %(missing)s households have no area yet.")
                % {"added": counts["added"], "missing": counts["missing_area"]},
            )
        elif step == "owner":
            services.add_owner(
                place,
                actor=request.user,
                name=post.get("name", ""),
                label=post.get("label", ""),
                area_m2=post.get("area_m2", ""),
            )
            messages.success(request, _("Owner added to the roll."))
        elif step == "vote":
            vote = services.create_vote(
                place,
                actor=request.user,
                title=post.get("title", ""),
                description=post.get("description", ""),
                matter=post.get("matter", ""),
                co_owner_rule=post.get("co_owner_rule", CoOwnerRule.ANY),
                opens_at=_when(post.get("opens_at", "")),
                closes_at=_when(post.get("closes_at", "")),
            )
            messages.success(request, _("Vote created. Open it to freeze the roll."))
            return redirect("owners:vote", pk=vote.pk)
        else:
            raise PermissionDenied
    except ValidationError as error:
        refusals.say(request, error)
    return redirect("owners:estate", pk=place.pk)


def _not_on_roll(request, error: selectors.NotOnRoll):
    """A resident of the community who is not on this vote's roll: say so (403)."""
    return render(request, "owners/not_on_roll.html", {"message": str(error)}, status=403)


def _visible_vote(view):
    """Run `view` with the vote the user may see; a resident of the community who is not on its
    roll gets the explanation instead of a bare 404."""

    @functools.wraps(view)
    def wrapped(request, pk: int, *args, **kwargs):
        try:
            item = selectors.get_vote(request.user, pk)
        except selectors.NotOnRoll as error:
            return _not_on_roll(request, error)
        return view(request, item, *args, **kwargs)

    return wrapped


@login_required
@_visible_vote
def vote(request, item):
    manager = access.can(request.user, Action.OWNERS_VOTE_MANAGE, item.place_path)
    rows = selectors.ballot_rows(request.user, item)
    open_now = item.is_open_now
    for row in rows:
        row["can_cast"] = row["may_cast"] and row["ballot"] is None and open_now
    entries = None
    if manager and item.status != VoteStatus.DRAFT:
        entries = Paginator(selectors.entries(item), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "owners/vote.html",
        {
            "vote": item,
            "manager": manager,
            "mine": rows,
            "several": len(rows) > 1,
            "open_now": open_now,
            "choices": Choice.choices,
            "page": entries,
            "closable": item.status == VoteStatus.OPEN and clock.now() >= item.closes_at,
        },
    )


def _upload(request, field: str, limit: int) -> bytes:
    """The bytes of an uploaded file; an oversized one is refused before it is read."""
    upload = request.FILES.get(field)
    if upload is None:
        return b""
    if upload.size > limit:
        raise services.scan_too_large()
    return upload.read()


@login_required
@require_POST
@_visible_vote
def vote_action(request, item, step: str):
    post = request.POST
    try:
        if step == "cast":
            services.cast_online(
                item, post.get("choice", ""), actor=request.user, entry_id=post.get("entry") or None
            )
            messages.success(request, _("Your vote has been counted. Thank you."))
        elif step == "paper":
            services.enter_paper(
                item,
                actor=request.user,
                ballot_id=post.get("ballot_id", ""),
                choice=post.get("choice", ""),
                scan=_upload(request, "scan", services.SCAN_MAX_BYTES),
                scan_ref=post.get("scan_ref", ""),
            )
            messages.success(request, _("Paper ballot entered."))
        elif step == "open":
            services.open_vote(item, actor=request.user)
            messages.success(request, _("The vote is open; the roll is frozen."))
        elif step == "close":
            services.close_vote(item, actor=request.user)
            messages.success(request, _("The vote is closed and its record sealed."))
            return redirect("owners:result", pk=item.pk)
        else:
            raise PermissionDenied
    except ValidationError as error:
        refusals.say(request, error)
    return redirect("owners:vote", pk=item.pk)


def threshold_rows(vote) -> list[dict]:
    """The rows of the result page: each threshold with its numbers."""
    r = vote.result
    major = vote.matter == Matter.MAJOR
    need = _("at least three quarters") if major else _("more than half")
    return [
        {
            "label": _("Participating area"),
            "value": f"{r['part_area']} / {r['total_area']} m²",
            "rule": _("at least two thirds"),
            "ok": r["participation_area_ok"],
        },
        {
            "label": _("Participating owners"),
            "value": f"{r['part_owners']} / {r['total_owners']}",
            "rule": _("at least two thirds"),
            "ok": r["participation_owners_ok"],
        },
        {
            "label": _("Area in favour"),
            "value": f"{r['yes_area']} / {r['part_area']} m²",
            "rule": need,
            "ok": r["approval_area_ok"],
        },
        {
            "label": _("Owners in favour"),
            "value": f"{r['yes_owners']} / {r['part_owners']}",
            "rule": need,
            "ok": r["approval_owners_ok"],
        },
    ]


@login_required
@_visible_vote
def result(request, item):
    if item.status != VoteStatus.CLOSED:
        messages.info(request, _("The result is shown once the vote is closed."))
        return redirect("owners:vote", pk=item.pk)
    return render(
        request,
        "owners/result.html",
        {"vote": item, "rows": threshold_rows(item), "verified": services.verify(item)},
    )


@login_required
def scan(request, pk: int):
    """The scan of a paper ballot, for the staff who run the vote only. Images are shown inline,
    PDFs downloaded; never cached by shared caches."""
    ballot = selectors.get_scan_ballot(request.user, pk)
    try:
        handle = ballot.scan.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    pdf = ballot.scan_type == "application/pdf"
    extension = "pdf" if pdf else ballot.scan.name.rsplit(".", 1)[-1]
    response = FileResponse(
        handle,
        content_type=ballot.scan_type or "application/octet-stream",
        as_attachment=pdf,
        filename=f"ballot-{ballot.entry.ballot_id}.{extension}",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    return response


@login_required
def owner(request, pk: int):
    item = selectors.get_owner(request.user, pk)
    return render(
        request,
        "owners/owner.html",
        {"owner": item, "candidates": selectors.co_owner_candidates(item)},
    )


@login_required
@require_POST
def owner_action(request, pk: int, step: str):
    item = selectors.get_owner(request.user, pk)
    post = request.POST
    try:
        if step == "property":
            services.add_property(
                item,
                actor=request.user,
                label=post.get("label", ""),
                area_m2=post.get("area_m2", ""),
            )
            messages.success(request, _("Property added; the areas add up, the owner counts once."))
        elif step == "area":
            prop = item.properties.filter(pk=post.get("property") or 0).first()
            if prop is None:
                raise ValidationError(_("Choose one of this owner's properties."))
            services.set_area(prop, post.get("area_m2", ""), actor=request.user)
            messages.success(request, _("Area saved."))
        elif step == "co_owner":
            resident = selectors.co_owner_candidates(item).filter(pk=post.get("resident") or 0)
            services.add_co_owner(
                item,
                actor=request.user,
                name=post.get("name", ""),
                resident=resident.first(),
                representative=post.get("representative") == "1",
            )
            messages.success(request, _("Co-owner added; the property still has one vote."))
        else:
            raise PermissionDenied
    except ValidationError as error:
        refusals.say(request, error)
    return redirect("owners:owner", pk=item.pk)
