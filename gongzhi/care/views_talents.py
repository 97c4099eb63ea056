"""The talent and skills base (达人库, issue 24 row 002-15): the staff search (skill, place,
words, backbone; phones masked, revealed with a reason), entering a resident with their
consent, the backbone flag and withdrawal in dialogs; the resident's own entry on the phone
(with the binding code for WeChat and DingTalk). Thin: rules in `care.talents`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.care import services
from gongzhi.care import talent_selectors as selectors
from gongzhi.care.forms_talents import (
    BackboneForm,
    ReasonForm,
    SkillTermForm,
    TalentForm,
)
from gongzhi.care.models import Willingness
from gongzhi.core import access, refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedRequest
from gongzhi.people import services as people

PAGE_SIZE = 30
VIEW = Action.CARE_TALENT_VIEW
MANAGE = Action.CARE_TALENT_MANAGE
READ = Action.CARE_NOTICE_READ


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


@login_required
@requires(VIEW)
def talents(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    skill = _int(request.GET.get("skill"))
    place_id = _int(request.GET.get("place"))
    place = selectors.get_search_place(user, place_id) if place_id else None
    willingness = request.GET.get("willingness", "")
    qs = selectors.talents(
        user,
        skill=skill,
        place=place,
        q=request.GET.get("q", "")[:50],
        backbone=request.GET.get("backbone") == "1",
        willingness=willingness if willingness in Willingness.values else "",
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    extra = selectors.volunteer_skills(user, [t.resident_id for t in rows])
    for t in rows:
        t.volunteer_skills = extra.get(t.resident_id, "")  # type: ignore[attr-defined]
    may_manage = access.has_any(user, MANAGE)
    return render(
        request,
        "care/talents.html",
        {
            "page": page,
            "rows": rows,
            "terms": selectors.skill_terms(user),
            "places": selectors.search_places(user),
            "willingness": Willingness.choices,
            "may_manage": may_manage,
            "term_form": SkillTermForm(communities=selectors.manage_communities(user))
            if may_manage
            else None,
        },
    )


@login_required
@requires(MANAGE)
def talent_enter(request: AuthenticatedRequest) -> HttpResponse:
    """Find the resident to enter (by name, within the staff's area)."""
    q = request.GET.get("q", "")[:50]
    return render(
        request,
        "care/talent_enter.html",
        {"q": q, "rows": selectors.candidates(request.user, q)},
    )


@login_required
@requires(MANAGE)
def talent_edit(request: AuthenticatedRequest, resident_pk: int) -> HttpResponse:
    user = request.user
    resident = selectors.resident_to_enter(user, resident_pk)
    community = selectors.community_of_resident(resident)
    talent = getattr(resident, "talent", None)
    initial: dict[str, object] = {"willingness": Willingness.ON_CALL}
    if talent is not None and talent.listed:
        initial = {
            "skills": list(talent.skills.all()),
            "specialty": talent.specialty,
            "willingness": talent.willingness,
            "availability": talent.availability,
        }
    form = TalentForm(
        request.POST or None,
        initial=initial,
        terms=selectors.community_terms(community.pk if community else None),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.save_talent(
                resident,
                actor=user,
                skills=list(d["skills"]),
                specialty=d["specialty"],
                willingness=d["willingness"],
                availability=d["availability"],
                consent=d["consent"],
                consent_way=d["consent_way"],
            )
        except ValidationError as error:
            refusals.on_form(form, error)
        else:
            messages.success(request, _("The talent base entry is saved."))
            return redirect("care:talents")
    return render(
        request,
        "care/talent_form.html",
        {"form": form, "resident": resident, "talent": talent},
    )


@login_required
@requires(MANAGE)
@require_POST
def talent_backbone(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    talent = selectors.get_managed_talent(request.user, pk)
    form = BackboneForm(request.POST)
    refusals.act(
        request,
        form,
        lambda d: services.set_backbone(
            talent, actor=request.user, backbone=d["backbone"], reason=d["reason"]
        ),
        _("The backbone flag is changed."),
    )
    return redirect("care:talents")


@login_required
@requires(MANAGE)
@require_POST
def talent_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    talent = selectors.get_managed_talent(request.user, pk)
    form = ReasonForm(request.POST)
    refusals.act(
        request,
        form,
        lambda d: services.withdraw_talent(talent, actor=request.user, reason=d["reason"]),
        _("The entry is withdrawn and no longer found in searches."),
    )
    return redirect("care:talents")


@login_required
@requires(VIEW)
@require_POST
def talent_reveal(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The full phone of a listed talent, once, with a reason (people.services.reveal:
    `resident.reveal_phone` in scope, audited as pii.reveal)."""
    talent = selectors.get_talent(request.user, pk)
    form = ReasonForm(request.POST)
    value = None
    if form.is_valid():
        try:
            with transaction.atomic():
                value = people.reveal(
                    talent.resident, "phone", form.cleaned_data["reason"], actor=request.user
                )
        except ValidationError as error:
            refusals.on_form(form, error)
    return render(
        request,
        "care/talent_reveal.html",
        {"talent": talent, "form": form, "value": value},
        status=200 if value is not None else 400,
    )


@login_required
@requires(MANAGE)
@require_POST
def skill_new(request: AuthenticatedRequest) -> HttpResponse:
    form = SkillTermForm(request.POST, communities=selectors.manage_communities(request.user))
    refusals.act(
        request,
        form,
        lambda d: services.add_skill_term(
            actor=request.user, community=d["community"], name=d["name"]
        ),
        _("The skill is added to your community's list."),
    )
    return redirect("care:talents")


@login_required
@requires(READ)
def mine_talent(request: AuthenticatedRequest) -> HttpResponse:
    """The resident's own entry in the talent base (phone): skills, willingness, consent,
    withdraw; and the code that links a WeChat or DingTalk account to them."""
    user = request.user
    mine = selectors.mine(user)
    talent = mine.talent
    initial: dict[str, object] = {"willingness": Willingness.ON_CALL}
    if talent is not None and talent.listed:
        initial = {
            "skills": list(talent.skills.all()),
            "specialty": talent.specialty,
            "willingness": talent.willingness,
            "availability": talent.availability,
            "consent": True,
        }
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = TalentForm(
        request.POST if action == "save" else None, initial=initial, terms=mine.terms, own=True
    )
    code = None
    if action:
        if mine.resident is None:
            raise Http404
        try:
            if action == "save":
                if form.is_valid():
                    d = form.cleaned_data
                    services.save_talent(
                        mine.resident,
                        actor=user,
                        skills=list(d["skills"]),
                        specialty=d["specialty"],
                        willingness=d["willingness"],
                        availability=d["availability"],
                        consent=d["consent"],
                    )
                    messages.success(request, _("Your entry is saved. Thank you!"))
                    return redirect("care:mine_talent")
            elif action == "withdraw" and talent is not None:
                services.withdraw_talent(talent, actor=user)
                messages.success(
                    request, _("You are no longer listed. What you told us is cleared.")
                )
                return redirect("care:mine_talent")
            elif action == "code":
                code = services.new_bind_code(actor=user)
            elif action == "unbind":
                binding = selectors.my_binding(user, _int(request.POST.get("binding")) or 0)
                services.unbind(binding, actor=user)
                messages.success(request, _("The account is unlinked."))
                return redirect("care:mine_talent")
            else:
                raise Http404
        except ValidationError as error:
            refusals.on_form(form, error)
    return render(
        request,
        "care/mine_talent.html",
        {
            "mine": mine,
            "talent": talent,
            "form": form,
            "code": code[0] if code else None,
            "code_expires": code[1] if code else None,
        },
    )
