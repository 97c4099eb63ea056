"""The three-party joint meeting invites the real bodies (issue 14 item 6).

Installed by EstatesConfig.ready() through `deliberation.selectors.set_joint_invitees`
(deliberation does not import estates): a joint meeting (kind `joint`) of a community is for
the estates its agenda's topics are placed in, or, when no topic lies in an estate, for every
estate of the community. Its invitees then include, for each of those estates, the linked
logins of the current members of the owners' committee (the term in force today, members who
have not left) and the users of the staff posts linked to the property company under contract
for the estate today (`CompanyStaff` in force today, the post active). Deliberation invites
them when it creates the meeting and lets staff invite them later.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from gongzhi.core import clock
from gongzhi.estates.models import CompanyStaff, ServiceContract, TermMember
from gongzhi.places.models import Place, PlaceKind


def meeting_estates(meeting: Any) -> list[str]:
    """The paths of the estates a joint meeting is for (see the module doc)."""
    estates = list(
        Place.objects.filter(kind=PlaceKind.ESTATE, path__under=meeting.community.path).values_list(
            "path", flat=True
        )
    )
    topic_paths = [
        p
        for p in meeting.agenda.filter(topic__isnull=False).values_list(
            "topic__place__path", flat=True
        )
        if p
    ]
    named = [e for e in estates if any(p == e or p.startswith(e + ".") for p in topic_paths)]
    return named or estates


def member_users(estate_paths: list[str], day: dt.date) -> list[int]:
    """Linked logins of the current members of these estates' owners' committees."""
    return list(
        TermMember.objects.filter(
            term__committee__estate__path__in=estate_paths,
            term__starts_on__lte=day,
            term__ends_on__gte=day,
            resident__user__isnull=False,
            resident__user__is_active=True,
        )
        .filter(
            Q(left_on__isnull=True) | Q(left_on__gt=day),
            Q(term__ended_early_on__isnull=True) | Q(term__ended_early_on__gte=day),
        )
        .values_list("resident__user_id", flat=True)
        .distinct()
    )


def staff_users(estate_paths: list[str], day: dt.date) -> list[int]:
    """Users of the staff posts linked to the companies under contract for these estates."""
    companies = ServiceContract.objects.filter(
        estate__path__in=estate_paths, starts_on__lte=day, ends_on__gte=day
    ).values("company_id")
    return list(
        CompanyStaff.objects.filter(company_id__in=companies, since__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .filter(post__is_active=True, post__user__is_active=True)
        .values_list("post__user_id", flat=True)
        .distinct()
    )


def invitees(meeting: Any) -> list[int]:
    """The hook of deliberation: the bodies' user ids for a joint meeting."""
    estates = meeting_estates(meeting)
    if not estates:
        return []
    today = clock.today()
    return sorted(set(member_users(estates, today)) | set(staff_users(estates, today)))
