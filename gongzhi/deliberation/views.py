"""Deliberation pages: topics, meetings (with QR check-in), follow-throughs of resolutions
(落实事项; their paths keep the first wording, /deliberation/actions/), polls, notices,
representatives, and the public accountability pages (no login).

Thin: reads through selectors, every write through services. A target outside the user's scope
is 404, a role that may not is 403, bad input comes back as a clear message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.core import access, clock, profiles, refusals
from gongzhi.core.gates import requires
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.deliberation import forms, selectors, services
from gongzhi.deliberation.models import (
    Meeting,
    NoticeCategory,
    TopicOrigin,
    TopicStatus,
)
from gongzhi.volunteering import qr

PAGE_SIZE = 30

NAV = (
    ("topics", gettext_lazy("Topics"), (Action.DELIBERATION_JOIN,)),
    ("polls", gettext_lazy("Polls"), (Action.DELIBERATION_JOIN,)),
    ("meetings", gettext_lazy("Meetings"), None),
    ("follow_throughs", gettext_lazy("Actions"), None),
    ("notices", gettext_lazy("Notices"), (Action.DISCLOSURE_PUBLISH,)),
    ("representatives", gettext_lazy("Representatives"), (Action.DELIBERATION_MANAGE,)),
    ("joint_overdue", gettext_lazy("Joint meetings due"), (Action.DELIBERATION_MANAGE,)),
    ("series", gettext_lazy("Recurring meetings"), (Action.DELIBERATION_MANAGE,)),
)


def _nav(user) -> list[dict]:
    return [
        {"name": name, "label": label, "url": reverse(f"deliberation:{name}")}
        for name, label, actions in NAV
        if actions is None or any(access.has_any(user, a) for a in actions)
    ]


def _render(request, template, context):
    return render(request, template, {"delib_nav": _nav(request.user), **context})


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _attempt(request, fn, success: str) -> bool:
    """Run a service call from a small POST form; a refusal becomes an error message."""
    try:
        fn()
    except ValidationError as error:
        messages.error(request, refusals.text(error))
        return False
    messages.success(request, success)
    return True


def _submitted(request, form, service, success: str) -> bool:
    """A create form posted and accepted by `service(actor, **cleaned_data)`: True after the
    success message; a refusal is put on the form (False)."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        service(actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        refusals.on_form(form, error)
        return False
    messages.success(request, success)
    return True


def _invalid(request, form) -> None:
    messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))


# --------------------------------------------------------------------------- topics


@login_required
@requires(Action.DELIBERATION_JOIN)
def topics(request):
    status = request.GET.get("status", "")
    qs = selectors.visible_topics(request.user, status)
    communities = selectors.managed_communities(request.user, Action.DELIBERATION_JOIN)
    return _render(
        request,
        "deliberation/topics.html",
        {
            "page": _page(request, qs),
            "statuses": TopicStatus.choices,
            "status": status,
            "communities": communities[:5],
        },
    )


@login_required
@requires(Action.DELIBERATION_JOIN)
def topic_new(request):
    places = selectors.topic_places(request.user)
    staff = access.has_any(request.user, Action.DELIBERATION_MANAGE)
    form = forms.TopicForm(request.POST or None, places=places, staff=staff)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            topic = services.raise_topic(
                actor=request.user,
                place=data["place"],
                title=data["title"],
                text=data["text"],
                origin=data.get("origin") or TopicOrigin.RESIDENT,
                origin_name=data.get("origin_name", ""),
            )
        except ValidationError as error:
            refusals.on_form(form, error)
        else:
            messages.success(request, _("Your topic has been raised."))
            return redirect("deliberation:topic", topic.pk)
    return _render(request, "deliberation/topic_form.html", {"form": form})


@login_required
def topic(request, pk: int):
    topic = selectors.get_topic(request.user, pk)
    manage = access.can(request.user, Action.DELIBERATION_MANAGE, topic.place_path)
    threshold = topic.threshold or services.setting(topic.place, "deliberation.support_threshold")
    return _render(
        request,
        "deliberation/topic.html",
        {
            "topic": topic,
            "threshold": threshold,
            "supported": selectors.supported(request.user, topic),
            "opinions": selectors.opinions_for(request.user, topic),
            "manage": manage,
            "opinion_form": forms.OpinionForm(),
            "status_form": forms.TopicStatusForm(),
            "can_support": topic.status == TopicStatus.OPEN,
        },
    )


@login_required
@require_POST
def topic_support(request, pk: int):
    topic = selectors.get_topic(request.user, pk)
    _attempt(
        request,
        lambda: services.support(topic, actor=request.user),
        _("Thank you, your support has been counted."),
    )
    return redirect("deliberation:topic", pk)


@login_required
@require_POST
def topic_opinion(request, pk: int):
    topic = selectors.get_topic(request.user, pk)
    form = forms.OpinionForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            lambda: services.give_opinion(
                topic,
                form.cleaned_data["text"],
                actor=request.user,
                official=form.cleaned_data["official"],
            ),
            _("Your opinion has been posted."),
        )
    else:
        _invalid(request, form)
    return redirect("deliberation:topic", pk)


@login_required
@require_POST
def opinion_hide(request, pk: int):
    opinion = selectors.get_opinion(request.user, pk)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            lambda: services.hide_opinion(opinion, form.cleaned_data["reason"], actor=request.user),
            _("The opinion is hidden."),
        )
    else:
        _invalid(request, form)
    return redirect("deliberation:topic", opinion.topic_id)


@login_required
@require_POST
def topic_status(request, pk: int):
    topic = selectors.get_topic(request.user, pk)
    form = forms.TopicStatusForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _attempt(
            request,
            lambda: services.set_topic_status(
                topic, data["status"], data["reason"], actor=request.user
            ),
            _("The topic's status has been changed."),
        )
    else:
        _invalid(request, form)
    return redirect("deliberation:topic", pk)


# --------------------------------------------------------------------------- meetings


def _is_manager(user) -> bool:
    return access.has_any(user, Action.DELIBERATION_MANAGE)


@login_required
def meetings(request):
    if _is_manager(request.user):
        qs = selectors.managed_meetings(request.user)
    else:
        qs = selectors.my_meetings(request.user)
    return _render(
        request,
        "deliberation/meetings.html",
        {"page": _page(request, qs), "manage": _is_manager(request.user)},
    )


@login_required
@requires(Action.DELIBERATION_MANAGE)
def meeting_new(request):
    communities = selectors.managed_communities(request.user)
    community_id = request.POST.get("community") or request.GET.get("community")
    community = communities.filter(pk=community_id).first() if community_id else None
    community = community or (communities.first() if communities.count() == 1 else None)
    topics = list(selectors.agenda_candidates(community)) if community else []
    form = forms.MeetingForm(
        request.POST or None,
        communities=communities,
        topics=topics,
        initial={
            k: v for k, v in (("community", community), ("kind", request.GET.get("kind"))) if v
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.create_meeting(
                actor=request.user,
                community=data["community"],
                kind=data["kind"],
                title=data["title"],
                starts_at=data["starts_at"],
                location=data["location"],
                topic_ids=data["topics"],
                free_items=data["free_items"].splitlines(),
            )
        except ValidationError as error:
            refusals.on_form(form, error)
        else:
            messages.success(request, _("The meeting has been created."))
            return redirect("deliberation:meeting", meeting.pk)
    return _render(request, "deliberation/meeting_form.html", {"form": form})


@login_required
@requires(Action.DELIBERATION_MANAGE)
def series(request):
    """Recurring meetings (003 annex 7: fixed deliberation days such as the 16th)."""
    communities = selectors.managed_communities(request.user)
    form = forms.SeriesForm(request.POST or None, communities=communities)
    if _submitted(request, form, services.create_series, _("The recurring meeting is set up.")):
        return redirect("deliberation:series")
    return _render(
        request,
        "deliberation/series.html",
        {
            "form": form,
            "page": _page(request, selectors.managed_series(request.user)),
            "reason_form": forms.ReasonForm(),
        },
    )


@login_required
@require_POST
def series_stop(request, pk: int):
    item = selectors.get_series(request.user, pk)
    _attempt(
        request,
        lambda: services.stop_series(item, request.POST.get("reason", ""), actor=request.user),
        _("The recurring meeting is stopped."),
    )
    return redirect("deliberation:series")


def _meeting_context(request, meeting: Meeting) -> dict:
    manage = access.can(request.user, Action.DELIBERATION_MANAGE, meeting.place_path)
    context = {
        "meeting": meeting,
        "manage": manage,
        "agenda": selectors.meeting_agenda(meeting),
        "resolutions": selectors.meeting_resolutions(meeting),
        "attended": selectors.attended(request.user, meeting),
    }
    if manage:
        people = list(selectors.invitable_users(meeting).order_by("name")[:200])
        topics = list(selectors.agenda_candidates(meeting.community))
        context.update(
            {
                "rows": selectors.attendance_rows(meeting),
                "invite_form": forms.PeopleForm(people=people),
                "agenda_form": forms.AgendaForm(topics=topics),
                "minutes_form": forms.MinutesForm(initial={"minutes": meeting.minutes}),
                "resolution_form": forms.ResolutionForm(
                    owners=people,
                    topics=[a.topic for a in context["agenda"] if a.topic_id],
                ),
            }
        )
    return context


@login_required
def meeting(request, pk: int):
    meeting = selectors.get_meeting(request.user, pk)
    return _render(request, "deliberation/meeting.html", _meeting_context(request, meeting))


def _managed_meeting(request, pk: int) -> Meeting:
    meeting = selectors.get_meeting(request.user, pk)
    if not access.can(request.user, Action.DELIBERATION_MANAGE, meeting.place_path):
        raise PermissionDenied(_("Only community staff run meetings."))
    return meeting


def _chosen_people(request, meeting: Meeting) -> list[User]:
    people = list(selectors.invitable_users(meeting).order_by("name")[:200])
    form = forms.PeopleForm(request.POST, people=people)
    if not form.is_valid():
        raise ValidationError(_("Choose people from the list."))
    chosen = [u for u in people if str(u.pk) in form.cleaned_data["users"]]
    phone = form.cleaned_data["phone"].strip()
    if phone:
        user = selectors.user_by_phone(phone)
        if user is None:
            raise ValidationError(_("No login has this phone number. Check the number."))
        chosen.append(user)
    return chosen


@login_required
@require_POST
def meeting_invite(request, pk: int):
    meeting = _managed_meeting(request, pk)

    def run():
        count = services.invite(meeting, _chosen_people(request, meeting), actor=request.user)
        messages.info(request, _("%(n)s new invitations sent.") % {"n": count})

    _attempt(request, run, _("Invitations saved."))
    return redirect("deliberation:meeting", pk)


@login_required
@require_POST
def meeting_attendance(request, pk: int):
    meeting = _managed_meeting(request, pk)
    ids = [i for i in request.POST.getlist("users") if i.isdigit()]
    users = list(selectors.users_with_ids(ids))

    def run():
        if len(users) != len(set(ids)):
            raise ValidationError(_("Choose people from the list."))
        services.mark_attendance(meeting, users, actor=request.user)

    _attempt(request, run, _("Attendance saved."))
    return redirect("deliberation:meeting", pk)


@login_required
@require_POST
def meeting_agenda(request, pk: int):
    meeting = _managed_meeting(request, pk)
    form = forms.AgendaForm(
        request.POST, topics=list(selectors.agenda_candidates(meeting.community))
    )
    if form.is_valid():
        data = form.cleaned_data
        _attempt(
            request,
            lambda: services.add_agenda_items(
                meeting,
                actor=request.user,
                topic_ids=data["topics"],
                free_items=data["free_items"].splitlines(),
            ),
            _("The agenda has been updated."),
        )
    else:
        _invalid(request, form)
    return redirect("deliberation:meeting", pk)


@login_required
@require_POST
def meeting_minutes(request, pk: int):
    meeting = _managed_meeting(request, pk)
    form = forms.MinutesForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            lambda: services.record_minutes(
                meeting, form.cleaned_data["minutes"], actor=request.user
            ),
            _("The minutes have been saved."),
        )
    else:
        _invalid(request, form)
    return redirect("deliberation:meeting", pk)


@login_required
@require_POST
def meeting_resolution(request, pk: int):
    meeting = _managed_meeting(request, pk)
    owners = list(selectors.invitable_users(meeting).order_by("name")[:200])
    topics = [a.topic for a in selectors.meeting_agenda(meeting) if a.topic_id]
    form = forms.ResolutionForm(request.POST, owners=owners, topics=topics)
    if form.is_valid():
        data = form.cleaned_data
        owner = next((u for u in owners if str(u.pk) == data["owner"]), None)
        topic = next((t for t in topics if str(t.pk) == data["topic"]), None)
        _attempt(
            request,
            lambda: services.add_resolution(
                meeting,
                actor=request.user,
                text=data["text"],
                follow_through_title=data["action_title"],
                owner=owner,
                due=data["due"],
                topic=topic,
            ),
            _("The resolution and its action have been recorded."),
        )
    else:
        _invalid(request, form)
    return redirect("deliberation:meeting", pk)


def _qr_svg(request, meeting: Meeting) -> tuple[str, str]:
    token = services.checkin_token(meeting)
    url = request.build_absolute_uri(reverse("deliberation:checkin", args=[meeting.pk, token]))
    return qr.svg(url), url


@login_required
def meeting_qr(request, pk: int):
    meeting = _managed_meeting(request, pk)
    svg, url = _qr_svg(request, meeting)
    return _render(
        request,
        "deliberation/meeting_qr.html",
        {"meeting": meeting, "svg": svg, "url": url, "seconds": services.QR_WINDOW_SECONDS},
    )


@login_required
def meeting_qr_code(request, pk: int):
    """The htmx fragment that replaces the code before it expires."""
    meeting = _managed_meeting(request, pk)
    svg, url = _qr_svg(request, meeting)
    return render(request, "deliberation/_qr.html", {"svg": svg, "url": url})


@login_required
def checkin(request, pk: int, token: str):
    meeting = selectors.get_meeting(request.user, pk)
    if request.method == "POST" and _attempt(
        request,
        lambda: services.check_in(meeting, token, actor=request.user),
        _("You are checked in. Welcome!"),
    ):
        return redirect("deliberation:meeting", pk)
    return _render(request, "deliberation/checkin.html", {"meeting": meeting, "token": token})


# --------------------------------------------------------------------------- follow-throughs


@login_required
def follow_throughs(request):
    manage = _is_manager(request.user)
    if manage:
        qs = selectors.managed_follow_throughs(request.user)
    else:
        qs = selectors.my_follow_throughs(request.user)
    return _render(
        request,
        "deliberation/follow_throughs.html",
        {
            "page": _page(request, qs),
            "mine": selectors.my_open_follow_throughs(request.user) if manage else [],
            "manage": manage,
        },
    )


@login_required
def follow_through(request, pk: int):
    item = selectors.get_follow_through(request.user, pk)
    return _render(
        request,
        "deliberation/follow_through.html",
        {
            "follow_through": item,
            "notes": selectors.follow_through_notes(item),
            "form": forms.ProgressForm(),
            "may_update": item.status != "done",
        },
    )


@login_required
@require_POST
def follow_through_progress(request, pk: int):
    item = selectors.get_follow_through(request.user, pk)
    form = forms.ProgressForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _attempt(
            request,
            lambda: services.update_follow_through(
                item, actor=request.user, status=data["status"], note=data["note"]
            ),
            _("Progress has been recorded."),
        )
    else:
        _invalid(request, form)
    return redirect("deliberation:follow_through", pk)


# --------------------------------------------------------------------------- polls


@login_required
@requires(Action.DELIBERATION_JOIN)
def polls(request):
    return _render(
        request,
        "deliberation/polls.html",
        {
            "page": _page(request, selectors.visible_polls(request.user)),
            "manage": _is_manager(request.user),
        },
    )


@login_required
@requires(Action.DELIBERATION_MANAGE)
def poll_new(request):
    communities = selectors.managed_communities(request.user)
    form = forms.PollForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            poll = services.create_poll(
                actor=request.user,
                community=data["community"],
                question=data["question"],
                description=data["description"],
                options=data["options"].splitlines(),
                multiple=data["multiple"],
                per_household=data["per_household"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
            )
        except ValidationError as error:
            refusals.on_form(form, error)
        else:
            messages.success(request, _("The poll has been created."))
            return redirect("deliberation:poll", poll.pk)
    return _render(request, "deliberation/poll_form.html", {"form": form})


@login_required
def poll(request, pk: int):
    poll = selectors.get_poll(request.user, pk)
    manage = access.can(request.user, Action.DELIBERATION_MANAGE, poll.place_path)
    return _render(
        request,
        "deliberation/poll.html",
        {
            "poll": poll,
            "options": selectors.poll_options(poll),
            "ballot": selectors.my_ballot(request.user, poll),
            "results": selectors.results(poll),
            "turnout": selectors.turnout(poll) if manage or poll.is_closed() else None,
            "manage": manage,
            "is_open": poll.is_open(),
            "is_closed": poll.is_closed(),
        },
    )


@login_required
@require_POST
def poll_vote(request, pk: int):
    poll = selectors.get_poll(request.user, pk)
    _attempt(
        request,
        lambda: services.vote(poll, request.POST.getlist("options"), actor=request.user),
        _("Your vote has been counted."),
    )
    return redirect("deliberation:poll", pk)


# --------------------------------------------------------------------------- notices


@login_required
@requires(Action.DISCLOSURE_PUBLISH)
def notices(request):
    communities = selectors.managed_communities(request.user, Action.DISCLOSURE_PUBLISH)
    form = forms.NoticeForm(request.POST or None, communities=communities)
    if _submitted(request, form, services.publish_notice, _("The notice has been published.")):
        return redirect("deliberation:notices")
    return _render(
        request,
        "deliberation/notices.html",
        {
            "form": form,
            "page": _page(request, selectors.managed_notices(request.user)),
            "reason_form": forms.ReasonForm(),
        },
    )


@login_required
@require_POST
def notice_withdraw(request, pk: int):
    notice = selectors.get_managed_notice(request.user, pk)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            lambda: services.withdraw_notice(
                notice, form.cleaned_data["reason"], actor=request.user
            ),
            _("The notice has been withdrawn."),
        )
    else:
        _invalid(request, form)
    return redirect("deliberation:notices")


# --------------------------------------------------------------------------- representatives


@login_required
@requires(Action.DELIBERATION_MANAGE)
def representatives(request):
    communities = selectors.managed_communities(request.user)
    chosen = request.GET.get("community") or request.POST.get("community")
    community = communities.filter(pk=chosen).first() if chosen else communities.first()
    if request.method == "POST" and community is not None:
        resident = selectors.community_resident(community, request.POST.get("resident") or 0)
        _attempt(
            request,
            lambda: services.confirm_representative(community, resident, actor=request.user),
            _("%(name)s is confirmed as a residents' representative.") % {"name": resident.name},
        )
        return redirect(f"{reverse('deliberation:representatives')}?community={community.pk}")
    return _render(
        request,
        "deliberation/representatives.html",
        {
            "communities": communities,
            "community": community,
            "candidates": selectors.candidates(community) if community else [],
            "confirmed": selectors.public_representatives(community) if community else [],
            "points_since": selectors.points_since(),
            "profile": profiles.effective_profile(community) if community else None,
            "reason_form": forms.ReasonForm(),
        },
    )


@login_required
@require_POST
def representative_remove(request, pk: int):
    rep = selectors.managed_representative(request.user, pk)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            lambda: services.remove_representative(
                rep, form.cleaned_data["reason"], actor=request.user
            ),
            _("The representative has been removed."),
        )
    else:
        _invalid(request, form)
    return redirect(f"{reverse('deliberation:representatives')}?community={rep.community_id}")


@login_required
@requires(Action.DELIBERATION_MANAGE)
def joint_overdue(request):
    return _render(
        request,
        "deliberation/joint_overdue.html",
        {
            "page": _page(request, selectors.overdue_joint_meetings(request.user)),
            "today": clock.today(),
        },
    )


# --------------------------------------------------------------------------- public pages


def public(request, community_id: int):
    """The community's accountability page: resolutions, their follow-throughs and their
    status, and the residents' representatives. No login; no phones, no addresses."""
    community = selectors.public_community(community_id)
    rows = list(selectors.public_follow_throughs(community)[:200])
    reps = [
        {"name": selectors.public_name(r.resident)}
        for r in selectors.public_representatives(community)
    ]
    return render(
        request,
        "deliberation/public.html",
        {"community": community, "follow_throughs": rows, "representatives": reps},
    )


def public_notices(request, community_id: int):
    community = selectors.public_community(community_id)
    category = request.GET.get("category", "")
    if category not in NoticeCategory.values:
        category = ""
    page = _page(request, selectors.public_notices(community, category))
    return render(
        request,
        "deliberation/public_notices.html",
        {
            "community": community,
            "page": page,
            "categories": NoticeCategory.choices,
            "category": category,
        },
    )
