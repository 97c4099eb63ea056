"""Care's section of "my personal information" (PIPL art. 45): the person's own gifts (date,
kind, fund or drive, the amount or the goods), their tenancies as a tenant (the home, the lease's
dates, the day they moved out), the care visits made to them — the day and the visitor's role
only, never the visitor's notes ("what was found", "need raised"), the point or the photo, which
are staff's working notes (docs/privacy.md "Sections") — and the household notices their
household read (the title and when it was read). Never another resident's rows. Registered from
`CareConfig.ready()`; the positions are listed in docs/privacy.md "Sections"."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.care.models import (
    Delivery,
    Donation,
    DonationKind,
    Opinion,
    PlatformBinding,
    Talent,
    Tenancy,
    Visit,
)
from gongzhi.core.models import Post
from gongzhi.core.personal_data import Person, Row, register
from gongzhi.core.templatetags.gz_ui import fen


def _roles(visits: list[Visit]) -> dict[int, str]:
    """Each visit's visitor's role: the visitor's active post covering the person's home (the
    deepest), else their first active post; "" when they hold none. Never the visitor's name."""
    posts: dict[int, list[Post]] = {}
    for post in (
        Post.objects.filter(user_id__in={v.visitor_id for v in visits}, is_active=True)
        .select_related("place")
        .order_by("id")
    ):
        posts.setdefault(post.user_id, []).append(post)
    roles: dict[int, str] = {}
    for visit in visits:
        held = posts.get(visit.visitor_id, [])
        covering = [
            p for p in held if p.place is not None and visit.place_path.startswith(p.place.path)
        ]
        covering.sort(key=lambda p: len(p.place.path) if p.place is not None else 0, reverse=True)
        chosen = covering or held
        roles[visit.pk] = str(chosen[0].get_role_display()) if chosen else ""
    return roles


def care(person: Person) -> list[Row]:
    if person.resident is None:
        return []
    who = person.resident
    what, when, detail = _("What"), _("Date"), _("Details")
    rows: list[Row] = []
    for d in Donation.objects.filter(resident=who).order_by("given_on", "id"):
        gift = fen(d.amount_fen) if d.kind == DonationKind.MONEY else d.goods
        rows.append(
            {
                what: _("Donation"),
                when: d.given_on,
                detail: _("%(kind)s · %(to)s “%(destination)s” · %(gift)s")
                % {
                    "kind": d.get_kind_display(),
                    "to": d.get_to_display(),
                    "destination": d.destination,
                    "gift": gift,
                },
            }
        )
    for t in (
        Tenancy.objects.filter(tenant=who)
        .select_related("home__household__building")
        .order_by("starts_on", "id")
    ):
        text = _("%(home)s · lease %(start)s to %(end)s") % {
            "home": t.home.household.short_address,
            "start": t.starts_on.isoformat(),
            "end": t.ends_on.isoformat(),
        }
        if t.ended_on is not None:
            text += " · " + _("moved out %(d)s") % {"d": t.ended_on.isoformat()}
        rows.append({what: _("Tenancy"), when: t.starts_on, detail: text})
    # Only the day, the visitor and the home's path are read: the notes never leave the table.
    visits = list(
        Visit.objects.filter(plan__resident=who)
        .only("id", "visited_at", "visitor_id", "place_path")
        .order_by("visited_at", "id")
    )
    roles = _roles(visits)
    for v in visits:
        rows.append(
            {
                what: _("Care visit to me"),
                when: v.visited_at,
                detail: _("visitor: %(role)s") % {"role": roles[v.pk]} if roles[v.pk] else "",
            }
        )
    if who.household_id is not None:
        for n in (
            Delivery.objects.filter(household_id=who.household_id, read_at__isnull=False)
            .select_related("notice")
            .only("id", "read_at", "notice__title")
            .order_by("read_at", "id")
        ):
            rows.append({what: _("Household notice read"), when: n.read_at, detail: n.notice.title})
    return rows


register("care", gettext_lazy("Care and support"), care, order=118)


def talents(person: Person) -> list[Row]:
    """The talent base entry (skills, words, willingness, availability, consent, withdrawal,
    backbone and its reason), the linked WeChat / DingTalk accounts (platform and day only: the
    platform id is kept only as a keyed hash) and the opinions sent from them."""
    if person.resident is None:
        return []
    who = person.resident
    what, when, detail = _("What"), _("Date"), _("Details")
    rows: list[Row] = []
    talent = Talent.objects.filter(resident=who).prefetch_related("skills").first()
    if talent is not None:
        parts = [", ".join(s.name for s in talent.skills.all()), talent.specialty]
        parts += [talent.get_willingness_display(), talent.availability]
        if talent.consent_at is not None:
            parts.append(
                _("consent %(way)s %(d)s")
                % {"way": talent.get_consent_way_display(), "d": talent.consent_at.date()}
            )
        if talent.backbone:
            parts.append(_("backbone: %(r)s") % {"r": talent.backbone_reason})
        if talent.withdrawn_at is not None:
            parts.append(_("withdrawn %(d)s") % {"d": talent.withdrawn_at.date()})
        rows.append(
            {
                what: _("Talent base entry"),
                when: talent.updated_at,
                detail: " · ".join(str(p) for p in parts if p),
            }
        )
    for b in PlatformBinding.objects.filter(resident=who).order_by("bound_at", "id"):
        rows.append({what: _("Linked account"), when: b.bound_at, detail: b.get_platform_display()})
    for o in Opinion.objects.filter(resident=who).order_by("received_at", "id"):
        rows.append(
            {
                what: _("Opinion sent"),
                when: o.received_at,
                detail: f"{o.get_platform_display()} · {o.text} · {o.get_status_display()}",
            }
        )
    return rows


register("talents", gettext_lazy("Talent base and opinions sent"), talents, order=119)
