"""Demo tickets: one ticket, created and lived."""

from __future__ import annotations

from gongzhi.demo import places as places_demo
from gongzhi.demo.tickets.constants import CHANNEL_WEIGHTS, FAST_AFTER, PRIORITY_ORDER
from gongzhi.demo.tickets.life import _Life
from gongzhi.demo.tickets.texts import RELATIONS, TEXTS
from gongzhi.demo.tickets.world import _Grid
from gongzhi.tickets.models import Channel, Kind


class _OneTicket:
    # -- one ticket -----------------------------------------------------------------------
    def _ticket(self, rnd, grid: _Grid, day, created, forced, script=None, category=None) -> None:
        if category is None:
            category = (
                rnd.choice(self.leaves) if rnd.random() < 0.97 else rnd.choice(self.categories)
            )
        kind, template = rnd.choice(TEXTS.get(category.code) or TEXTS["other"])
        building = forced[1] if forced else rnd.choice(grid.buildings) if grid.buildings else None
        if forced:
            channel = Channel.ONLINE
        else:
            channel = rnd.choices(
                [c for c, _w in CHANNEL_WEIGHTS], [w for _c, w in CHANNEL_WEIGHTS]
            )[0]
        if script is not None and not forced:
            channel = Channel.ONLINE
        if channel == Channel.ONLINE and not forced:
            with_account = [b for b in (building,) if b and b.accounts] or [
                b for b in grid.buildings if b.accounts
            ]
            if not with_account:
                channel = Channel.PHONE
            else:
                building = (
                    with_account[0] if with_account[0] is building else rnd.choice(with_account)
                )
        worker = rnd.choice(grid.workers) if grid.workers else None
        staff = rnd.choice(grid.community_staff) if grid.community_staff else worker
        if channel == Channel.PATROL:
            kind = Kind.REPORT
        priority = category.default_priority
        roll = rnd.random()
        if script is not None:
            pass
        elif roll < 0.1:
            priority = PRIORITY_ORDER[min(PRIORITY_ORDER.index(priority) + 1, 3)]
        elif roll < 0.15:
            priority = PRIORITY_ORDER[max(PRIORITY_ORDER.index(priority) - 1, 0)]
        periods = self._periods(kind, priority, category)
        submitter = entered_by = None
        actor = None
        on_behalf = ""
        if channel == Channel.ONLINE:
            actor = forced[0] if forced else rnd.choice(building.accounts)
            submitter = actor[0]
        elif channel == Channel.PATROL:
            actor = worker or staff
            submitter = entered_by = actor[0] if actor else None
        else:
            actor = worker if (worker and rnd.random() < 0.6) else staff
            entered_by = actor[0] if actor else None
            on_behalf = places_demo.person_name(rnd.randrange(10_000))
        place_id = (
            building.id
            if building and channel != Channel.PATROL or building and rnd.random() < 0.7
            else grid.id
        )
        place_path = building.path if place_id == (building.id if building else None) else grid.path
        floor = rnd.randint(1, 11)
        room = f"{floor}{rnd.randint(1, 2):02d}"
        text = template.format(
            estate=building.estate if building else "",
            building=building.name if building else "",
            unit=rnd.randint(1, 2),
            floor=floor,
            room=room,
            room_up=f"{floor + 1}{room[-2:]}",
            road=rnd.choice(places_demo.ROADS),
            n=rnd.randint(2, 6),
            relation=rnd.choice(RELATIONS),
        )
        t = {
            "id": self.next_id,
            "number": self._number(day),
            "kind": kind,
            "category_id": category.pk,
            "text": text,
            "priority": priority,
            "anonymous": kind == Kind.REPORT and channel == Channel.ONLINE and rnd.random() < 0.25,
            "channel": channel,
            "submitter_id": submitter,
            "on_behalf_of_name": on_behalf,
            "entered_by_id": entered_by,
            "place_id": place_id,
            "place_path": place_path,
            "lat": None,
            "lng": None,
            "grid_id": grid.id,
            "response_due": created + periods.response,
            "resolve_due": created + periods.resolve,
            "escalate_at": created + periods.response,
            "responded_at": None,
            "resolved_at": None,
            "closed_at": None,
            "supervised": False,
            "resolution_note": "",
            "rating": None,
            "rating_comment": "",
            "merged_into_id": None,
            "created_at": created,
            "updated_at": created,
        }
        self.next_id += 1
        events: list[tuple] = []
        sim = _Life(self, rnd, grid, t, events, periods, category, building, actor)
        sim.submit(actor, created)
        if script is None and not self.full_history and self.now - created > FAST_AFTER:
            sim.closed_life()
        elif script is None:
            sim.live()
        else:
            sim.scripted(script)
        self.tickets.append(t)
        if self.full_history:
            self.events.extend(events)
        else:
            self.events.append(events[-1])
        self.counts["tickets"] += 1
        grid.recent.append((t["id"], t["number"], category.pk, created, t["closed_at"]))
