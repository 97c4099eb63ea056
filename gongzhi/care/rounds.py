"""Door-to-door verification rounds (入户核查, issue 24 item 2); re-exported by `services`.

A community or street sends a round to its grid workers (`send_round`, `care.round_send`): one
checklist per rented home under its place — or per household with a resident carrying a care
tag — written at once (at most `MAX_ROWS`); the grid workers of the grids concerned are told
in the notification centre. The grid worker of a home (any registry keeper of it,
`care.rental_manage`) answers its checklist on the phone (`check_household`): every item of
`CHECKLIST` yes or no, and a note; the row is locked while it is answered, a later answer
replaces an earlier one (the audit keeps both). The roll-up (`selectors.round_rollup`) is a
spreadsheet through `core.exports`.

Why not keytasks' sent-down tasks (the brief's first choice): `keytasks.services.send_task`
sends only from a street or district, and its rows are every household or those with a care
tag — it cannot take the rented homes as rows, nor send from a community. The round is built
here in the same shape (task → a row per household → answers per row → roll-up) so that
keytasks can take it over once `send_task` accepts rows given by the caller (a
`rows=[household ids]` argument) and a community as sender; see docs/care.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.care.models import Answer, CheckItem, CheckRound, RentedHome, RoundScope
from gongzhi.core import access, audit, clock, inputs
from gongzhi.core.models import Post, User
from gongzhi.core.notifications import notify
from gongzhi.core.roles import Action, Role
from gongzhi.people.models import Tag
from gongzhi.places.models import Household, Place, PlaceKind

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SEND = Action.CARE_ROUND_SEND
CHECK = Action.CARE_RENTAL_MANAGE
VIEW = Action.CARE_RENTAL_VIEW
SENDER_KINDS = (PlaceKind.COMMUNITY, PlaceKind.STREET)
MAX_ROWS = 5000  # a bound on one round, so that a careless filter cannot write millions of rows
NOTE_MAX = 500

# The checklist of a household (code → question); the answers are stored by code.
CHECKLIST: tuple[tuple[str, StrOrPromise], ...] = (
    ("people_match", gettext_lazy("The people living there match the registry")),
    ("lease_valid", gettext_lazy("The lease (or the home's use) is as recorded")),
    ("fire_safe", gettext_lazy("No fire or safety hazard seen")),
    ("landlord_reachable", gettext_lazy("The landlord or head of household can be reached")),
)
CODES = tuple(code for code, _label in CHECKLIST)


def _households(place: Place, scope: str, row_tag: str) -> list[tuple[int, str, int | None]]:
    """(household id, building path, rented home id) of the round's rows, in address order."""
    if scope == RoundScope.RENTED:
        homes = RentedHome.objects.filter(place_path__under=place.path).order_by(
            "place_path", "household__unit_no", "household__room_no", "id"
        )
        return list(homes.values_list("household_id", "place_path", "id")[: MAX_ROWS + 1])
    households = (
        Household.objects.filter(
            place_path__under=place.path,
            residents__is_active=True,
            residents__tags__tag=row_tag,
        )
        .distinct()
        .order_by("place_path", "unit_no", "room_no", "id")
    )
    rented = dict(
        RentedHome.objects.filter(place_path__under=place.path).values_list("household_id", "id")
    )
    return [
        (pk, path, rented.get(pk))
        for pk, path in households.values_list("id", "place_path")[: MAX_ROWS + 1]
    ]


def _grid_workers(paths: set[str], under: str) -> list[int]:
    """The grid workers of the grids (under the round's place) that hold any of these homes."""
    grids = [
        grid.path
        for grid in Place.objects.filter(kind=PlaceKind.GRID, path__under=under)
        if any(path.startswith(grid.path) for path in paths)
    ]
    return list(
        Post.objects.filter(
            is_active=True, role=Role.GRID_WORKER, place__path__in=grids, user__is_active=True
        )
        .values_list("user_id", flat=True)
        .distinct()
    )


def send_round(
    place: Place,
    *,
    actor: User,
    title: str,
    due_on: dt.date,
    scope: str,
    row_tag: str = "",
) -> CheckRound:
    title = inputs.text(title, "title", 120)
    if scope not in RoundScope.values:
        raise ValidationError({"scope": _("Choose which households are checked.")})
    if scope == RoundScope.TAG and row_tag not in Tag.values:
        raise ValidationError({"row_tag": _("Choose a care tag from the list.")})
    if scope == RoundScope.RENTED:
        row_tag = ""
    if not isinstance(due_on, dt.date) or due_on < clock.today():
        raise ValidationError({"due_on": _("The deadline cannot be in the past.")})
    with transaction.atomic():
        grant = access.require(actor, SEND, place.path)
        if place.kind not in SENDER_KINDS:
            raise ValidationError(
                {"place": _("A verification round is sent from a community or a street.")}
            )
        rows = _households(place, scope, row_tag)
        if not rows:
            raise ValidationError({"scope": _("No household under this place matches.")})
        if len(rows) > MAX_ROWS:
            raise ValidationError(
                {
                    "scope": _("More than %(n)s households match; send it from a smaller place.")
                    % {"n": MAX_ROWS}
                }
            )
        checkround = CheckRound.objects.create(
            place=place,
            place_path=place.path,
            title=title,
            scope=scope,
            row_tag=row_tag,
            due_on=due_on,
            rows=len(rows),
            sent_by=actor,
            sent_at=clock.now(),
        )
        CheckItem.objects.bulk_create(
            [
                CheckItem(round=checkround, household_id=pk, place_path=path, home_id=home)
                for pk, path, home in rows
            ],
            batch_size=1000,
        )
        audit.record(
            actor=actor,
            action="care.round_send",
            target=checkround,
            place_path=checkround.place_path,
            post=grant.post,
            changes={"title": title, "scope": scope, "row_tag": row_tag, "rows": len(rows)},
        )
        notify(
            (
                uid
                for uid in _grid_workers({path for _pk, path, _home in rows}, place.path)
                if uid != actor.pk
            ),
            verb="care_round_sent",
            text=_("Door-to-door verification by %(date)s: %(title)s")
            % {"date": due_on.isoformat(), "title": title},
            link=reverse("care:round", args=[checkround.pk]),
            reference=f"R{checkround.pk}",
        )
    return checkround


def check_household(
    item: CheckItem, *, actor: User, answers: Mapping[str, str], note: str = ""
) -> CheckItem:
    """The grid worker's answers for one household: every checklist item yes or no."""
    note = inputs.text(note, "note", NOTE_MAX, required=False)
    cleaned: dict[str, str] = {}
    for code, label in CHECKLIST:
        value = str(answers.get(code) or "")
        if value not in Answer.values:
            raise ValidationError({code: _("Answer “%(item)s”.") % {"item": label}})
        cleaned[code] = value
    with transaction.atomic():
        grant = access.require(actor, CHECK, item.place_path, read_action=VIEW)
        locked = CheckItem.objects.select_for_update().get(pk=item.pk)
        before = dict(locked.answers)
        locked.answers = cleaned
        locked.note = note
        locked.checked_at = clock.now()
        locked.checked_by = actor
        locked.save(update_fields=["answers", "note", "checked_at", "checked_by"])
        audit.record(
            actor=actor,
            action="care.round_check",
            target=locked,
            place_path=locked.place_path,
            post=grant.post,
            changes={"round": locked.round_id, "answers": [before, cleaned]},
        )
    return locked
