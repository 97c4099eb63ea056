"""Tickets routed to the property company as a body (issue 14 item 3).

Installed by EstatesConfig.ready() through `tickets.routing.set_property_finder` (tickets must
not import estates): a ticket whose category goes to the property company, on a place inside
an estate with a service contract in force today, goes to a staff post linked to that company
(`CompanyStaff`, in force today, the post active and held by an active user) — wherever the
post is placed. Among the company's linked posts the most specific one covering the ticket's
place comes first, then the others by post id. No contract in force, or a company with no
linked staff: None, and tickets falls back to the property-staff posts covering the place.
"""

from __future__ import annotations

from django.db.models import Q

from gongzhi.core import clock
from gongzhi.core.models import Post
from gongzhi.core.roles import Role
from gongzhi.estates.models import CompanyStaff, ServiceContract
from gongzhi.places.models import Place


def company_post(place: Place) -> Post | None:
    """The linked staff post of the company under contract for the estate of `place`."""
    today = clock.today()
    paths = place.ancestor_paths()
    contract = (
        ServiceContract.objects.filter(
            estate__path__in=paths, starts_on__lte=today, ends_on__gte=today
        )
        .order_by("-estate__depth", "-starts_on", "-id")
        .first()
    )
    if contract is None:
        return None
    links = (
        CompanyStaff.objects.filter(company_id=contract.company_id, since__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .filter(
            post__role=Role.PROPERTY_STAFF,
            post__is_active=True,
            post__user__is_active=True,
            post__place__isnull=False,
        )
        .select_related("post__user", "post__place")
    )
    posts = {link.post_id: link.post for link in links}
    if not posts:
        return None

    def order(post: Post) -> tuple[int, int]:
        assert post.place is not None
        covering = post.place.path in paths
        return (-post.place.depth if covering else 1, post.pk)

    return min(posts.values(), key=order)
