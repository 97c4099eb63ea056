from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    import datetime as dt

    from gongzhi.core.dashboard import Figure
    from gongzhi.core.models import User


class TicketsConfig(AppConfig):
    name = "gongzhi.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self):
        # The party registry's vanguard index counts resolved tickets without importing tickets.
        from gongzhi.party import vanguard
        from gongzhi.tickets.selectors import resolved_by_handlers

        vanguard.set_ticket_provider(resolved_by_handlers)

        from gongzhi.core import audit_titles
        from gongzhi.tickets import privacy_sections  # noqa: F401  (docs/privacy.md)
        from gongzhi.tickets.ledger import AUDIT_TITLES

        audit_titles.register(AUDIT_TITLES)  # the ticket ledger's records (issue 19)

        _register_dashboard()
        _register_indicators()
        # The cockpit's live figures (issue 21), read by evaluation through core.indicators.
        from gongzhi.tickets import indicators_live

        indicators_live.register()


def _register_dashboard() -> None:
    """The workbench's ticket to-dos and figures (core.dashboard, docs/ui.md)."""
    from gongzhi.core import dashboard as d
    from gongzhi.core.roles import Action as A
    from gongzhi.tickets import selectors as s

    accept, dispatch = A.TICKET_ACCEPT, A.TICKET_DISPATCH
    for todo in (
        d.Todo(
            "tickets.queue",
            _("Tickets in my queue"),
            "inbox",
            "tickets:queue",
            lambda u: s.grid_queue(u).count(),
            (accept,),
            order=10,
        ),
        d.Todo(
            "tickets.board",
            _("Tickets waiting for dispatch"),
            "send",
            "tickets:board",
            lambda u: s.dispatch_board(u).count(),
            (dispatch,),
            order=11,
        ),
        d.Todo(
            "tickets.overdue",
            _("Overdue tickets"),
            "alarm",
            "tickets:overdue",
            lambda u: s.overdue(u).count(),
            (dispatch, accept),
            order=12,
            urgent=True,
            costly=True,
        ),
        d.Todo(
            "tickets.supervised",
            _("Supervised tickets"),
            "eye",
            "tickets:supervised",
            lambda u: s.supervised(u).count(),
            (dispatch, accept),
            order=13,
            urgent=True,
            costly=True,
        ),
        d.Todo(
            "tickets.pool",
            _("Tickets in the pool"),
            "collection",
            "tickets:pool",
            lambda u: s.pool(u, home=None).count(),
            (A.TICKET_TAKE,),
            order=14,
        ),
        d.Todo(
            "tickets.taken",
            _("My taken tickets"),
            "check2-square",
            "tickets:taken",
            lambda u: s.handled_by(u).count(),
            (A.TICKET_HANDLE,),
            order=15,
        ),
    ):
        d.register_todo(todo)
    d.register_figure(d.Figures("tickets.month", _month_figures, (A.TICKET_STATS,), order=10))


def _month_figures(user: User) -> list[Figure]:
    """Tickets created this month so far against the same days of last month, and their
    resolution and satisfaction rates (tickets.stats definitions, `ticket.stats` scope): two
    aggregate queries. A whole last month against a few days of this one would always read as
    a fall."""
    from django.db.models import Count, Q
    from django.urls import reverse

    from gongzhi.core import clock
    from gongzhi.core import dashboard as d
    from gongzhi.tickets import stats
    from gongzhi.tickets.models import Status

    now = clock.now()
    this = d.day_bounds(d.month_start(clock.today()))[0]
    last = d.day_bounds(d.month_start(clock.today(), 1))[0]
    tickets = stats.scoped_tickets(user).exclude(status=Status.MERGED)

    def period(start: dt.datetime, end: dt.datetime) -> stats.Row:
        row = stats.Row(key=None, label="")
        counts = tickets.filter(created_at__gte=start, created_at__lt=end).aggregate(
            **stats.count_expressions(now),
            # Resolved as things stood at the period's end, so that last month's tickets,
            # long resolved by now, are not compared with this month's still in hand.
            resolved_then=Count("pk", filter=Q(resolved_at__lt=end)),
        )
        row.add(counts)
        row.counts["resolved"] = counts["resolved_then"] or 0
        return row

    current, before = period(this, now), period(last, min(last + (now - this), this))
    url = reverse("tickets:stats")
    label = _("same days last month")
    return [
        d.Figure(
            _("Tickets this month"),
            current.counts["tickets"],
            before.counts["tickets"],
            url,
            period=label,
            higher_is_better=False,
        ),
        *(
            d.Figure(
                stats.RATE_LABELS[name],
                current.rate(name),
                before.rate(name),
                url,
                percent=True,
                period=label,
            )
            for name in ("resolution_rate", "satisfaction_rate")
        ),
    ]


def _register_indicators() -> None:
    """The app's indicators for the governance index (core.indicators, issue 21)."""
    from gongzhi.tickets.indicators import register_all

    register_all()
