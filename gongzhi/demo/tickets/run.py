"""Demo tickets: the builder's run (days, rates, the simulation, the showcase)."""

from __future__ import annotations

import datetime as dt
import random
import time
import zoneinfo

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from gongzhi.demo.tickets.constants import (
    BATCH,
    DAYS,
    DISTRICT_TICKETS,
    EXISTS_AFTER_DAYS,
    FAST_AFTER,
    PER_HOUSEHOLD_YEAR,
    SEED,
    TERMINAL,
    S,
)
from gongzhi.demo.tickets.texts import SHOWCASE, SHOWCASE_CATEGORIES
from gongzhi.demo.tickets.world import _Grid, _local
from gongzhi.tickets import deadlines
from gongzhi.tickets.models import Ticket, TicketCounter, TicketEvent


class _Run:
    # -- the run --------------------------------------------------------------------------
    def run(self) -> str:
        started = time.perf_counter()
        db = self.db
        tickets = Ticket.objects.using(db)
        cutoff = self.now - dt.timedelta(days=EXISTS_AFTER_DAYS)
        self.days_done: set[dt.date] = set()
        if self.full_history:  # small: all or nothing
            if tickets.filter(created_at__lt=cutoff).exists():
                return self._summary(None)
        else:  # district: every day commits whole, so an interrupted build resumes
            self.days_done = self._days_done()
            if not self._offsets():
                return self._summary(None)
        self._load()
        if not self.grids:
            return self._summary(None)
        with transaction.atomic(using=db):
            accounts = self._ensure_accounts()
            party = self._ensure_party_logins()
            self._load_posts()
            self.periods_cache = {}
            self.next_id = (tickets.order_by("-id").values_list("id", flat=True).first() or 0) + 1
            self.counters = dict(TicketCounter.objects.using(db).values_list("day", "last"))
            if self.full_history:  # small: all or nothing
                self._simulate()
                self._flush()
        if not self.full_history:  # district: each batch commits (see _simulate)
            self._simulate()
            self._flush()
        with transaction.atomic(using=db):
            if db == DEFAULT_DB_ALIAS:
                from gongzhi.core import audit

                audit.record(
                    actor=None,
                    action="demo_data.tickets",
                    target=self.district,
                    place_path=self.district.path,
                    changes={"scale": self.scale.name, "tickets": self.counts["tickets"]},
                )
        connection = connections[db]
        if connection.vendor == "postgresql":
            # Fresh planner statistics after the bulk load; VACUUM too (outside a transaction)
            # sets the visibility map, without which the statistics index is not index-only.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with connection.cursor() as cur:
                for table in (
                    "tickets_ticket",
                    "tickets_ticketevent",
                    "tickets_ticketcounter",
                    "core_user",
                    "core_post",
                ):
                    cur.execute(f"{command} {table}")
        self.counts["accounts"] = accounts + party
        return self._summary(time.perf_counter() - started)

    def _summary(self, seconds) -> str:
        total = Ticket.objects.using(self.db).count()
        open_ = Ticket.objects.using(self.db).exclude(status__in=(*TERMINAL, S.CONFIRMED)).count()
        events = TicketEvent.objects.using(self.db).count()
        line = _("Tickets: %(tickets)s tickets (%(open)s open), %(events)s events.") % {
            "tickets": f"{total:,}",
            "open": f"{open_:,}",
            "events": f"{events:,}",
        }
        if seconds is not None:
            line += " " + _("Built in %(seconds).1f s.") % {"seconds": seconds}
        return line

    def _offsets(self) -> list[int]:
        """The days to build, as offsets from the first day, in build order. District: the
        last weeks first, so that an early look at a half-built database (each batch of whole
        days commits) already shows the pages' months, then the older days; a resumed build
        starts after the last day built (a day may have no ticket at all at a low rate)."""
        offsets = list(range(DAYS))
        if self.full_history:
            return offsets
        recent = FAST_AFTER.days
        offsets = offsets[-recent:] + offsets[:-recent]
        first = self.today - dt.timedelta(days=DAYS - 1)
        done = [i for i, o in enumerate(offsets) if first + dt.timedelta(days=o) in self.days_done]
        return offsets[max(done) + 1 :] if done else offsets

    def _days_done(self) -> set[dt.date]:
        """Local days that have tickets (batches hold whole days: a day is done or absent)."""
        tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        days = (
            Ticket.objects.using(self.db)
            .annotate(day=TruncDate("created_at", tzinfo=tz))
            .values_list("day", flat=True)
            .distinct()
            .order_by()
        )
        return set(days)

    def _daily_rate(self, grid: _Grid) -> float:
        if self.rate is not None:
            return grid.households * self.rate / 365
        if self.scale.name == "district":
            households = sum(g.households for g in self.grids.values()) or 1
            return DISTRICT_TICKETS * grid.households / households / DAYS
        return grid.households * PER_HOUSEHOLD_YEAR / 365

    def _simulate(self) -> None:
        rnd = random.Random(SEED)
        grids = sorted(self.grids.values(), key=lambda g: g.path)
        rates = [(g, self._daily_rate(g)) for g in grids]
        demo_days = {
            self.today - dt.timedelta(days=k)
            for k in (1, 3, 6, 12, 25, 60, 120, 200, 300, 420, 550, 700)
        }
        demo_grid = self.demo_grid
        first = self.today - dt.timedelta(days=DAYS - 1)
        for offset in self._offsets():
            day = first + dt.timedelta(days=offset)
            # Busier on weekdays and in the rainy season (April–July).
            factor = (1.1 if day.weekday() < 5 else 0.75) * (1.2 if 4 <= day.month <= 7 else 0.95)
            plan = []
            for grid, rate in rates:
                lam = rate * factor
                n = int(lam) + (1 if rnd.random() < lam - int(lam) else 0)
                for _i in range(n):
                    plan.append((self._hour(rnd), grid, None))
            if demo_grid is not None and day in demo_days:
                plan.append((rnd.uniform(8, 20), demo_grid, self.demo_resident))
            plan.sort(key=lambda p: p[0])
            for hour, grid, forced in plan:
                created = _local(day, hour)
                if created >= self.now:
                    continue
                self._ticket(rnd, grid, day, created, forced)
            if len(self.tickets) >= BATCH:
                self._flush()
            if offset == DAYS - 1:
                self._showcase(rnd)
            if day.day == 1:
                self.progress(
                    _("Tickets: %(month)s, %(n)s so far")
                    % {"month": f"{day:%Y-%m}", "n": f"{self.counts['tickets']:,}"}
                )

    def _showcase(self, rnd: random.Random) -> None:
        grid = self.demo_grid
        if grid is None:
            return
        categories = {c.code: c for c in self.leaves}
        for i, (target, hours, own, script) in enumerate(SHOWCASE):
            created = self.now - dt.timedelta(hours=hours)
            day = created.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()
            forced = self.demo_resident if own else None
            category = categories.get(SHOWCASE_CATEGORIES[i % len(SHOWCASE_CATEGORIES)])
            if category is None:
                continue
            self._ticket(rnd, grid, day, created, forced, script=script, category=category)
            if self.tickets[-1]["status"] != target:  # the script and the table disagree
                raise RuntimeError(
                    f"showcase ticket ended {self.tickets[-1]['status']}, not {target}"
                )

    @staticmethod
    def _hour(rnd: random.Random) -> float:
        # Most requests between 8 and 21 o'clock, a few at night.
        if rnd.random() < 0.9:
            return rnd.uniform(8, 21)
        return rnd.uniform(0, 24)

    def _periods(self, kind, priority, category):
        key = (kind, priority, category.pk)
        if key not in self.periods_cache:
            self.periods_cache[key] = deadlines.periods(self.district, kind, priority, category)
        return self.periods_cache[key]

    def _number(self, day: dt.date) -> str:
        last = self.counters.get(day, 0) + 1
        self.counters[day] = last
        return f"GZ-{day:%Y%m%d}-{last:04d}"
