"""Volunteering: registration (a resident registers, the community decides) and teams."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.places.models import Place
from gongzhi.volunteering._common import _community, _text, my_community, my_resident
from gongzhi.volunteering.models import (
    Team,
    Theme,
    Volunteer,
    VolunteerStatus,
)

# --------------------------------------------------------------------------- volunteers


@transaction.atomic
def register(
    *, actor: User, skills: str = "", availability: str = "", areas: str = ""
) -> Volunteer:
    """A resident registers as a volunteer (or updates the registration)."""
    resident = my_resident(actor)
    access.require(actor, Action.VOLUNTEER_JOIN, resident.place_path)
    fields = {
        "skills": _text(skills, "skills", required=True),
        "availability": _text(availability, "availability"),
        "areas": _text(areas, "areas"),
    }
    community = my_community(resident)
    volunteer = Volunteer.objects.select_for_update().filter(resident=resident).first()
    if volunteer is not None and volunteer.status == VolunteerStatus.SUSPENDED:
        raise ValidationError(
            _("Your volunteer registration is suspended. Please contact your community office.")
        )
    created = volunteer is None
    if volunteer is None:
        try:
            with transaction.atomic():
                volunteer = Volunteer.objects.create(
                    resident=resident,
                    community=community,
                    place_path=resident.place_path,
                    registered_at=clock.now(),
                    **fields,
                )
        except IntegrityError:
            volunteer = Volunteer.objects.get(resident=resident)
    else:
        for name, value in fields.items():
            setattr(volunteer, name, value)
        volunteer.save(update_fields=list(fields))
    audit.record(
        actor=actor,
        action="volunteering.register" if created else "volunteering.update",
        target=volunteer,
        place_path=volunteer.place_path,
        changes=fields,
    )
    return volunteer


@transaction.atomic
def decide(volunteer: Volunteer, status: str, reason: str = "", *, actor: User) -> Volunteer:
    """Approve (active) or suspend a volunteer; suspension needs a reason."""
    grant = access.require(
        actor, Action.VOLUNTEER_MANAGE, volunteer.place_path, read_action=Action.VOLUNTEER_VIEW
    )
    if status not in (VolunteerStatus.ACTIVE, VolunteerStatus.SUSPENDED):
        raise ValidationError({"status": _("Choose approve or suspend.")})
    reason = _text(reason, "reason", required=status == VolunteerStatus.SUSPENDED)
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    before = volunteer.status
    volunteer.status, volunteer.status_reason = status, reason
    volunteer.decided_at, volunteer.decided_by = clock.now(), actor
    volunteer.save()
    audit.record(
        actor=actor,
        action=f"volunteering.{'approve' if status == VolunteerStatus.ACTIVE else 'suspend'}",
        target=volunteer,
        place_path=volunteer.place_path,
        changes={"status": [before, status]},
        post=grant.post,
        reason=reason,
    )
    return volunteer


# --------------------------------------------------------------------------- teams


def _team_members(community: Place, ids: Iterable[int | str] | None) -> list[Volunteer]:
    wanted = {int(i) for i in ids or []}
    members = list(Volunteer.objects.filter(pk__in=wanted, community=community))
    if len(members) != len(wanted):
        raise ValidationError(
            {"members": _("Some of the chosen volunteers are not registered in this community.")}
        )
    return members


@transaction.atomic
def save_team(
    *,
    actor: User,
    community: Place | None,
    name: str,
    theme: str,
    leader: Volunteer | None = None,
    members: Iterable[int | str] | None = (),
    team: Team | None = None,
) -> Team:
    place = _community(community)
    grant = access.require(
        actor, Action.VOLUNTEER_MANAGE, place.path, read_action=Action.VOLUNTEER_VIEW
    )
    if team is not None and team.community_id != place.pk:
        # The right was checked over `place`; a team of another community is not edited here.
        raise ValidationError({"community": _("A team stays in its community; choose it.")})
    name = _text(name, "name", required=True, limit=60)
    if theme not in Theme.values:
        raise ValidationError({"theme": _("Choose a theme.")})
    chosen = _team_members(place, members)
    if leader is not None and leader.community_id != place.pk:
        raise ValidationError({"leader": _("The leader must be a volunteer of this community.")})
    if leader is not None and leader not in chosen:
        chosen.append(leader)
    same_name = Team.objects.filter(community=place, name=name)
    if team is not None:
        same_name = same_name.exclude(pk=team.pk)
    if same_name.exists():
        raise ValidationError({"name": _("This community already has a team with this name.")})
    created = team is None
    team = team or Team(community=place, place_path=place.path)
    team.name, team.theme, team.leader = name, theme, leader
    team.save()
    team.members.set(chosen)
    audit.record(
        actor=actor,
        action="volunteering.team_create" if created else "volunteering.team_update",
        target=team,
        place_path=team.place_path,
        changes={
            "name": name,
            "theme": theme,
            "leader": getattr(leader, "pk", None),
            "members": sorted(m.pk for m in chosen),
        },
        post=grant.post,
    )
    return team
