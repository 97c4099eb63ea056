"""The ticket ledger (全部工单台账, issue 19): every ticket a user may see, searched, filtered,
sorted, saved as named filters and exported as a spreadsheet.

Reading: `parse(params, personal)` turns the page's (or the API's) parameters into a
`LedgerQuery`, refusing malformed input with a `LedgerError` (a Chinese message, answered
400); `tickets(user, query)` is the scoped queryset (selectors.visible_tickets: a grid worker
sees their grid, a community its community…), filtered and ordered by a whitelisted column.

Personal search terms — a resident's name and the last four digits of their phone — are
kept apart (`PERSONAL`): they never travel in a URL (the page POSTs them and keeps them
sealed with core.crypto in the session under a random token, views_ledger), are never saved
in a named filter, and appear in the audit trail only as "searched by name / phone digits".
Phones are stored encrypted, so the last four digits are found through their own keyed blind
index, `Ticket.phone_tail_index` (kind "phone_tail"), computed when the ticket is submitted
(services._submit) from the submitter's phone at that time; anonymous reports have none, and
the name search skips them too. A search computes the index under every key version the
installation holds (both suites), so that tickets indexed before a key rotation are found.

Writing: `save_filter` / `delete_filter` (the owner's named filters) and `export` (the
spreadsheet: directly up to TICKET_LEDGER_BACKGROUND_ROWS rows, above that a background task
with progress, `run_export`, whose file is kept encrypted for the user who asked until
TICKET_LEDGER_EXPORT_KEEP_HOURS have passed). Phone numbers are masked in the sheet, every
cell goes through the formula-safe writer (core.exports), and each export is audited with
its filter and row count.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import zoneinfo
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404, QueryDict
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from gongzhi.core import access, audit, clock, crypto, exports
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.places.models import Place, PlaceKind
from gongzhi.tickets import selectors
from gongzhi.tickets.models import Category, Kind, LedgerExport, SavedFilter, Status, Ticket

TAIL_KIND = "phone_tail"
logger = logging.getLogger("gongzhi.tickets.ledger")
PAGE_SIZE = 50
TEXT_MAX = 100
NAME_MAX = 64
FILTER_NAME_MAX = 40
FILTERS_PER_USER = 30
PLACE_CHOICES = 300
HANDLER_CHOICES = 200
PROGRESS_EVERY = 200

# The parameters that name a person: never in a URL, a saved filter or the audit trail.
PERSONAL = ("name", "phone")
# The parameters a URL (and a saved filter) may carry.
PLAIN = (
    "q",
    "address",
    "status",
    "kind",
    "category",
    "place",
    "handler",
    "created_from",
    "created_to",
    "closed_from",
    "closed_to",
    "overdue",
    "rating",
    "sort",
)
MULTI = ("status", "kind")

# Sortable columns: the name in the URL → the field ordered by.
SORTS = {
    "number": "number",
    "created": "created_at",
    "status": "status",
    "kind": "kind",
    "category": "category__name",
    "place": "place__name",
    "handler": "handler_user__name",
    "due": "resolve_due",
    "closed": "closed_at",
    "rating": "rating",
}
DEFAULT_SORT = "-created"
RATINGS = ("1", "2", "3", "4", "5", "low", "none")
LOW_RATING = 2
_PHONE_TAIL = re.compile(r"\d{4}")
_WHOLE_PHONE = re.compile(r"1\d{10}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

AUDIT_TITLES = {
    "ticket.ledger_export": gettext_lazy("Ticket ledger exported"),
    "ticket.filter_save": gettext_lazy("Ticket filter saved"),
    "ticket.filter_delete": gettext_lazy("Ticket filter deleted"),
    "demo_data.ticket_ledger": gettext_lazy("Demo ticket ledger prepared"),
}


class LedgerError(Exception):
    """Malformed ledger input: the message is shown as it is (400, never a 500)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------- phone digits


def tail_index(digits: str) -> list[str]:
    """The blind indexes of four phone digits under every key version held, in both suites
    (see the module doc): tickets indexed before a key rotation or a change of suite are
    still found. A suite this build cannot compute is skipped."""
    found = []
    for suite in crypto.SUITES:
        for version in sorted(crypto.keys()):
            try:
                found.append(
                    crypto.Protector(crypto.Sealing(suite, version)).index(TAIL_KIND, digits)
                )
            except (ImproperlyConfigured, UnsupportedAlgorithm):
                continue
    return found


def phone_tail_of(user: User | None) -> str:
    """The blind index of the last four digits of the user's phone ("" without a phone)."""
    token = getattr(user, "phone_encrypted", "") if user is not None else ""
    if not token:
        return ""
    digits = "".join(c for c in crypto.decrypt(token) if c.isdigit())
    return crypto.blind_index(TAIL_KIND, digits[-4:]) if len(digits) >= 4 else ""


def fill_phone_tails(using: str = "default") -> int:
    """Set the phone-tail index of tickets loaded without one (the demo's bulk load): one
    decryption per submitter, one UPDATE per distinct tail. Returns the tickets updated."""
    from collections import defaultdict

    waiting = Ticket.objects.using(using).filter(
        anonymous=False, submitter__isnull=False, phone_tail_index=""
    )
    ids = list(waiting.values_list("submitter_id", flat=True).distinct())
    protector = crypto.Protector()
    by_tail: dict[str, list[int]] = defaultdict(list)
    for start in range(0, len(ids), 2000):
        rows = (
            User.objects.using(using)
            .filter(pk__in=ids[start : start + 2000])
            .exclude(phone_encrypted="")
            .values_list("pk", "phone_encrypted")
        )
        for pk, token in rows:
            digits = "".join(c for c in protector.decrypt(token) if c.isdigit())
            if len(digits) >= 4:
                by_tail[protector.index(TAIL_KIND, digits[-4:])].append(pk)
    updated = 0
    for index, users in by_tail.items():
        for start in range(0, len(users), 2000):
            updated += waiting.filter(submitter_id__in=users[start : start + 2000]).update(
                phone_tail_index=index
            )
    return updated


# --------------------------------------------------------------------------- the query


@dataclass(frozen=True)
class LedgerQuery:
    q: str = ""
    address: str = ""
    name: str = ""
    phone: str = ""
    statuses: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    category: Category | None = None
    place: Place | None = None
    handler: int | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    closed_from: dt.date | None = None
    closed_to: dt.date | None = None
    overdue: str = ""
    rating: str = ""
    sort: str = DEFAULT_SORT
    plain: dict[str, list[str]] = field(default_factory=dict)

    @property
    def personal(self) -> bool:
        return bool(self.name or self.phone)

    def describe(self) -> dict[str, Any]:
        """The filter for the audit trail: the plain parameters, and only *that* a name or
        phone digits were searched for."""
        out: dict[str, Any] = {k: v if len(v) > 1 else v[0] for k, v in self.plain.items()}
        if self.name:
            out["name"] = "***"
        if self.phone:
            out["phone"] = "****"
        return out

    def query_string(self) -> str:
        """The plain parameters as a query string (what a URL or a saved filter carries)."""
        return urlencode(self.plain, doseq=True)


def _values(params: Mapping[str, Any], key: str) -> list[str]:
    getlist = getattr(params, "getlist", None)
    if getlist is not None:
        raw = getlist(key)
    else:
        value = params.get(key)
        raw = list(value) if isinstance(value, list | tuple) else [] if value is None else [value]
    return [str(v).strip() for v in raw if v is not None and str(v).strip()]


def _one(params: Mapping[str, Any], key: str) -> str:
    values = _values(params, key)
    if len(values) > 1:
        raise LedgerError(_("“%(field)s” was given more than once.") % {"field": key})
    return values[0] if values else ""


def _id(value: str, label: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        raise LedgerError(_("%(field)s: choose one from the list.") % {"field": label})
    return int(value)


def _date(value: str, label: str) -> dt.date | None:
    if not value:
        return None
    try:
        if not _DATE.fullmatch(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise LedgerError(
            _("%(field)s: write the date as YYYY-MM-DD, e.g. 2026-03-01.") % {"field": label}
        ) from None


def _text(value: str, label: str, maximum: int) -> str:
    if len(value) > maximum:
        raise LedgerError(
            _("%(field)s: at most %(n)s characters.") % {"field": label, "n": maximum}
        )
    return value


def parse(params: Mapping[str, Any], personal: Mapping[str, Any] | None = None) -> LedgerQuery:
    """The query from the plain parameters (`params`) and the personal ones (`personal`:
    name, phone). Raises LedgerError on anything malformed."""
    personal = personal or {}
    q = _text(_one(params, "q"), str(_("Number or text")), TEXT_MAX)
    if _WHOLE_PHONE.search(re.sub(r"[\s-]", "", q)):
        raise LedgerError(
            _(
                "A phone number is not searched for in the number or text box: type its last "
                "four digits into “Phone (last four digits)”."
            )
        )
    address = _text(_one(params, "address"), str(_("Address")), TEXT_MAX)
    name = _text(_one(personal, "name"), str(_("Resident's name")), NAME_MAX)
    phone = _one(personal, "phone")
    if phone and not _PHONE_TAIL.fullmatch(phone):
        raise LedgerError(_("Phone: type exactly the last four digits, e.g. 0001."))
    statuses = tuple(_values(params, "status"))
    if any(s not in Status.values for s in statuses):
        raise LedgerError(_("Status: choose one from the list."))
    kinds = tuple(_values(params, "kind"))
    if any(k not in Kind.values for k in kinds):
        raise LedgerError(_("Kind: choose one from the list."))
    category = None
    category_id = _id(_one(params, "category"), str(_("Category")))
    if category_id is not None:
        category = Category.objects.filter(pk=category_id).first()
        if category is None:
            raise LedgerError(_("%(field)s: choose one from the list.") % {"field": _("Category")})
    place = None
    place_id = _id(_one(params, "place"), str(_("Place")))
    if place_id is not None:
        place = Place.objects.filter(pk=place_id).first()
        if place is None:
            raise LedgerError(_("%(field)s: choose one from the list.") % {"field": _("Place")})
    handler = _id(_one(params, "handler"), str(_("Handler")))
    created_from = _date(_one(params, "created_from"), str(_("Created from")))
    created_to = _date(_one(params, "created_to"), str(_("Created until")))
    closed_from = _date(_one(params, "closed_from"), str(_("Closed from")))
    closed_to = _date(_one(params, "closed_to"), str(_("Closed until")))
    for start, end in ((created_from, created_to), (closed_from, closed_to)):
        if start and end and start > end:
            raise LedgerError(_("The start date is after the end date."))
    overdue = _one(params, "overdue")
    if overdue not in ("", "yes", "no"):
        raise LedgerError(_("Overdue: choose one from the list."))
    rating = _one(params, "rating")
    if rating and rating not in RATINGS:
        raise LedgerError(_("Rating: choose one from the list."))
    sort = _one(params, "sort") or DEFAULT_SORT
    if sort.removeprefix("-") not in SORTS:
        raise LedgerError(_("This column cannot be sorted."))
    plain = {k: _values(params, k) for k in PLAIN if _values(params, k)}
    if plain.get("sort") == [DEFAULT_SORT]:
        plain.pop("sort")
    return LedgerQuery(
        q=q,
        address=address,
        name=name,
        phone=phone,
        statuses=statuses,
        kinds=kinds,
        category=category,
        place=place,
        handler=handler,
        created_from=created_from,
        created_to=created_to,
        closed_from=closed_from,
        closed_to=closed_to,
        overdue=overdue,
        rating=rating,
        sort=sort,
        plain=plain,
    )


def _day_start(day: dt.date) -> dt.datetime:
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


def _between(field_name: str, start: dt.date | None, end: dt.date | None) -> Q:
    q = Q()
    if start:
        q &= Q(**{f"{field_name}__gte": _day_start(start)})
    if end:
        q &= Q(**{f"{field_name}__lt": _day_start(end + dt.timedelta(days=1))})
    return q


def tickets(user: Viewer, query: LedgerQuery) -> QuerySet[Any]:
    """The tickets the user may see that match `query`, with `overdue`, in the asked order."""
    qs = selectors.with_overdue(selectors.visible_tickets(user))
    if query.q:
        qs = qs.filter(Q(number__icontains=query.q) | Q(text__icontains=query.q))
    for word in query.address.split():
        qs = qs.filter(
            Q(place__name__icontains=word)
            | Q(place__parent__name__icontains=word)
            | Q(place__address__icontains=word)
            | Q(grid__name__icontains=word)
        )
    if query.name:
        qs = qs.filter(
            Q(submitter__name__icontains=query.name, anonymous=False)
            | Q(on_behalf_of_name__icontains=query.name)
        )
    if query.phone:
        qs = qs.filter(phone_tail_index__in=tail_index(query.phone))
    if query.statuses:
        qs = qs.filter(status__in=query.statuses)
    if query.kinds:
        qs = qs.filter(kind__in=query.kinds)
    if query.category is not None:
        qs = qs.filter(Q(category=query.category) | Q(category__parent=query.category))
    if query.place is not None:
        qs = qs.filter(place_path__startswith=query.place.path)
    if query.handler is not None:
        qs = qs.filter(handler_user_id=query.handler)
    qs = qs.filter(_between("created_at", query.created_from, query.created_to))
    qs = qs.filter(_between("closed_at", query.closed_from, query.closed_to))
    if query.overdue:
        qs = qs.filter(overdue=query.overdue == "yes")
    if query.rating == "none":
        qs = qs.filter(rating__isnull=True)
    elif query.rating == "low":
        qs = qs.filter(rating__lte=LOW_RATING)
    elif query.rating:
        qs = qs.filter(rating=int(query.rating))
    column = SORTS[query.sort.removeprefix("-")]
    descending = query.sort.startswith("-")
    order = f"-{column}" if descending else column
    return qs.select_related(*selectors.LIST_RELATED).order_by(order, "-id" if descending else "id")


# --------------------------------------------------------------------------- choices


def place_choices(user: Viewer) -> list[Place]:
    """Streets, communities and grids in the user's ticket area (a bounded list)."""
    kinds = (PlaceKind.STREET, PlaceKind.COMMUNITY, PlaceKind.GRID)
    qs = Place.objects.filter(kind__in=kinds)
    grants = access.grants(user, Action.TICKET_VIEW)
    if not grants:
        return []
    if not any(g.everything for g in grants):
        qs = qs.filter(access.scope_q(user, Action.TICKET_VIEW, path_field="path"))
    return list(qs.only("pk", "name", "kind", "path", "depth").order_by("path")[:PLACE_CHOICES])


def handler_choices(user: Viewer) -> list[tuple[int, str]]:
    """The people tickets the user sees were handed to (a bounded list, by name)."""
    rows = (
        selectors.visible_tickets(user)
        .filter(handler_user__isnull=False)
        .values_list("handler_user_id", "handler_user__name")
        .distinct()
        .order_by("handler_user__name", "handler_user_id")[:HANDLER_CHOICES]
    )
    return [(pk, name) for pk, name in rows]


def category_choices() -> list[Category]:
    return selectors.category_tree()


# --------------------------------------------------------------------------- saved filters


def saved_filters(user: Viewer) -> QuerySet[SavedFilter]:
    """The user's own saved filters (nobody else's)."""
    if not isinstance(user, User) or not user.is_authenticated:
        return SavedFilter.objects.none()
    return SavedFilter.objects.filter(user=user).order_by("name", "id")


def _grant(actor: User, action: str) -> access.Grant:
    """The actor's first grant of `action`: without one, 403 for someone who sees tickets,
    404 for anyone else."""
    grants = access.grants(actor, action)
    if not grants:
        if access.has_any(actor, Action.TICKET_VIEW):
            raise PermissionDenied
        raise Http404
    return grants[0]


def _refuse(message: str) -> ValidationError:
    return ValidationError({"name": message})


def save_filter(*, actor: User, name: str, query_string: str) -> SavedFilter:
    """Save the plain parameters of `query_string` under `name` (replacing the actor's filter
    of that name). A search by a resident's name or phone digits is refused: saved filters
    hold no personal data."""
    grant = _grant(actor, Action.TICKET_VIEW)
    name = (name or "").strip()
    if not name:
        raise _refuse(_("Give the filter a name."))
    if len(name) > FILTER_NAME_MAX:
        raise _refuse(_("At most %(n)s characters.") % {"n": FILTER_NAME_MAX})
    params = QueryDict(query_string or "")
    if any(key in params for key in (*PERSONAL, "pt")):
        raise _refuse(
            _(
                "A search by a resident's name or phone digits is not saved (saved filters "
                "keep no personal data): clear it, then save the filter."
            )
        )
    try:
        query = parse(params)
    except LedgerError as error:
        raise _refuse(error.message) from None
    text = query.query_string()
    if len(text) > SavedFilter._meta.get_field("query").max_length:  # type: ignore[operator]  # max_length is set
        raise _refuse(_("This filter is too long to save."))
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=actor.pk).first()  # one save at a time
        existing = SavedFilter.objects.filter(user=actor, name=name).first()
        if existing is None and SavedFilter.objects.filter(user=actor).count() >= FILTERS_PER_USER:
            raise _refuse(
                _("You have %(n)s saved filters; delete one first.") % {"n": FILTERS_PER_USER}
            )
        try:
            with transaction.atomic():
                if existing is None:
                    saved = SavedFilter.objects.create(user=actor, name=name, query=text)
                else:
                    existing.query = text
                    existing.save(update_fields=["query"])
                    saved = existing
        except IntegrityError:
            raise _refuse(_("A filter with this name already exists.")) from None
        audit.record(
            actor=actor,
            post=grant.post,
            action="ticket.filter_save",
            target=saved,
            place_path=grant.path or "",
            changes={"name": name, "filter": query.describe()},
        )
    return saved


def delete_filter(*, actor: User, pk: int) -> None:
    """Delete one of the actor's own saved filters (another user's does not exist: 404)."""
    with transaction.atomic():
        saved = SavedFilter.objects.select_for_update().filter(pk=pk, user=actor).first()
        if saved is None:
            raise Http404
        audit.record(
            actor=actor,
            action="ticket.filter_delete",
            target=saved,
            changes={"name": saved.name},
        )
        saved.delete()


# --------------------------------------------------------------------------- export


def background_rows() -> int:
    return int(getattr(settings, "TICKET_LEDGER_BACKGROUND_ROWS", 3000))


def export_max_rows() -> int:
    return int(getattr(settings, "TICKET_LEDGER_EXPORT_MAX_ROWS", 200_000))


def keep_hours() -> int:
    return int(getattr(settings, "TICKET_LEDGER_EXPORT_KEEP_HOURS", 24))


def export_headers() -> list[str]:
    return [
        pgettext("ticket ledger", "Number"),
        _("Created at"),
        _("Kind"),
        _("Category"),
        _("Status"),
        _("Overdue"),
        _("Place"),
        _("Grid"),
        _("Resident"),
        _("Phone (masked)"),
        pgettext("ticket ledger", "Text"),
        _("Handler"),
        _("Resolution due"),
        _("Resolved at"),
        _("Closed at"),
        _("Rating"),
    ]


def _local(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).replace(tzinfo=None)


def export_row(t: Any) -> list[Any]:
    """One ticket as a row: the resident's phone masked, an anonymous reporter not named."""
    if t.anonymous:
        resident, phone = _("Anonymous"), ""
    elif t.submitter_id:
        resident, phone = t.submitter.name, t.submitter.phone_masked
    else:
        resident, phone = t.on_behalf_of_name, ""
    return [
        t.number,
        _local(t.created_at),
        t.get_kind_display(),
        t.category.name,
        t.get_status_display(),
        pgettext("ticket ledger", "Yes") if t.overdue else pgettext("ticket ledger", "No"),
        t.place.name,
        t.grid.name if t.grid_id else "",
        resident,
        phone,
        t.text,
        t.handler_user.name if t.handler_user_id else "",
        _local(t.resolve_due),
        _local(t.resolved_at),
        _local(t.closed_at),
        t.rating if t.rating is not None else "",
    ]


def _rows(qs: QuerySet[Any], progress: Callable[[int], None] | None) -> Iterator[list[Any]]:
    n = 0
    for t in qs.iterator(chunk_size=1000):
        yield export_row(t)
        n += 1
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(n)
    if progress is not None:
        progress(n)


def write(qs: QuerySet[Any], progress: Callable[[int], None] | None = None) -> bytes:
    return exports.write_xlsx(_rows(qs, progress), export_headers(), title=_("Ticket ledger"))


@dataclass(frozen=True)
class ExportResult:
    """Either the file (a small export) or the background job (a large one)."""

    count: int
    data: bytes | None = None
    job: LedgerExport | None = None


def export(*, actor: User, query: LedgerQuery) -> ExportResult:
    """The tickets matching `query` as a spreadsheet: at once up to background_rows(), else a
    background job (see `run_export`). Audited either way."""
    grant = _grant(actor, Action.TICKET_EXPORT)
    qs = tickets(actor, query)
    count = qs.count()
    if count > export_max_rows():
        raise LedgerError(
            _("More than %(n)s tickets match: narrow the filters before exporting.")
            % {"n": export_max_rows()}
        )
    background = count > background_rows()
    job = None
    data = None
    with transaction.atomic():
        if background:
            personal = {k: getattr(query, k) for k in PERSONAL if getattr(query, k)}
            job = LedgerExport.objects.create(
                user=actor,
                params=query.plain,
                search_encrypted=crypto.encrypt(json.dumps(personal)) if personal else "",
                total_rows=count,
                expires_at=clock.now() + dt.timedelta(hours=keep_hours()),
            )
        audit.record(
            actor=actor,
            post=grant.post,
            action="ticket.ledger_export",
            target=job,
            target_repr=str(_("Ticket ledger")),
            place_path=grant.path or "",
            changes={"filter": query.describe(), "count": count, "background": background},
        )
    if job is not None:
        from gongzhi.tickets.tasks import ledger_export_task

        purge_expired()
        ledger_export_task(job.pk)
        job.refresh_from_db()
    else:
        data = write(qs)
    return ExportResult(count=count, data=data, job=job)


def _exports_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "ledger-exports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _file_path(job: LedgerExport) -> Path:
    return _exports_dir() / f"{job.pk}.bin"


def _file_key(version: int) -> bytes:
    return crypto._subkey(b"ledger-export-file", crypto.keys()[version])


def _store(job: LedgerExport, data: bytes) -> None:
    version = crypto.current_version()
    nonce = os.urandom(12)
    sealed = AESGCM(_file_key(version)).encrypt(nonce, data, f"ledger:{job.pk}".encode())
    fd = os.open(_file_path(job), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(bytes([version]) + nonce + sealed)


def _load(job: LedgerExport) -> bytes:
    raw = _file_path(job).read_bytes()
    return AESGCM(_file_key(raw[0])).decrypt(raw[1:13], raw[13:], f"ledger:{job.pk}".encode())


def run_export(job_id: int) -> None:
    """The background export (tickets.tasks.ledger_export_task): the same query, read again
    for the user who asked (their scope today), written with progress, stored encrypted."""
    job = LedgerExport.objects.select_related("user").filter(pk=job_id).first()
    if job is None or job.status != LedgerExport.Status.QUEUED:
        return
    LedgerExport.objects.filter(pk=job.pk).update(status=LedgerExport.Status.RUNNING)
    try:
        personal = json.loads(crypto.decrypt(job.search_encrypted)) if job.search_encrypted else {}
        query = parse(job.params, personal)
        qs = tickets(job.user, query)

        def progress(n: int) -> None:
            LedgerExport.objects.filter(pk=job.pk).update(progress=n)

        data = write(qs, progress)
        _store(job, data)
    except Exception:  # the page says it failed; the log has why (never the search terms)
        logger.exception("ticket ledger export %s failed", job.pk)
        LedgerExport.objects.filter(pk=job.pk).update(
            status=LedgerExport.Status.FAILED, finished_at=clock.now(), search_encrypted=""
        )
        return
    LedgerExport.objects.filter(pk=job.pk).update(
        status=LedgerExport.Status.DONE, finished_at=clock.now(), search_encrypted=""
    )


def get_export(user: Viewer, pk: int) -> LedgerExport:
    """One of the user's own exports (anyone else's does not exist: 404)."""
    if not isinstance(user, User) or not user.is_authenticated:
        raise Http404
    job = LedgerExport.objects.filter(pk=pk, user=user).first()
    if job is None:
        raise Http404
    return job


def export_file(user: Viewer, pk: int) -> bytes:
    """The finished file of one of the user's exports, while it is kept (else 404)."""
    job = get_export(user, pk)
    if job.status != LedgerExport.Status.DONE or job.expires_at <= clock.now():
        raise Http404
    try:
        return _load(job)
    except FileNotFoundError:
        raise Http404 from None


def purge_expired() -> int:
    """Delete the files of exports past their time; mark them expired."""
    stale = list(
        LedgerExport.objects.filter(expires_at__lte=clock.now()).exclude(
            status=LedgerExport.Status.EXPIRED
        )
    )
    for job in stale:
        _file_path(job).unlink(missing_ok=True)
    LedgerExport.objects.filter(pk__in=[j.pk for j in stale]).update(
        status=LedgerExport.Status.EXPIRED, search_encrypted=""
    )
    return len(stale)
