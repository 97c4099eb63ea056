"""Demo tickets: what happens next in a ticket's life (`_Life`): its plan of steps, step by
step, scripted, or its outcome in one go."""

from __future__ import annotations

import datetime as dt
import json

from gongzhi.demo.tickets.constants import RATINGS, TERMINAL, S
from gongzhi.demo.tickets.texts import (
    COMMENTS,
    ESCALATE_NOTES,
    REOPEN_NOTES,
    RESOLUTIONS,
    RETURN_NOTES,
    STREET_NOTES,
)
from gongzhi.tickets import workflow
from gongzhi.tickets.models import Channel, HandlerKind, Level
from gongzhi.tickets.workflow import Step


class _Plans:
    """What happens next: the part of `_Life` that decides the steps."""

    # -- what happens next -----------------------------------------------------------------------
    def live(self) -> None:
        t, now = self.t, self.b.now
        at = t["created_at"]
        for _guard in range(40):
            if t["status"] in TERMINAL:
                return
            plan = self.plan(at)
            when = at + plan[1] if plan else None
            limit = min(when, now) if when else now
            if t["escalate_at"] is not None and t["escalate_at"] <= limit:
                at = t["escalate_at"]
                self.sweep(at)
                continue
            if plan is None or when > now:
                return
            step, _delay, actor, note, extra = plan
            self.step(step, actor, when, note, **extra)
            at = when

    def scripted(self, script) -> None:
        """The showcase: the steps of `script`, a few minutes apart, then stop."""
        g, t, rnd = self.grid, self.t, self.rnd
        gap = (self.b.now - t["created_at"]) / (len(script) + 1)
        gap = min(gap, dt.timedelta(minutes=15))
        worker = g.workers[0] if g.workers else self._staff()
        staff = g.community_staff[0] if g.community_staff else worker
        party = self.b.partymember or (g.party[0] if g.party else None)
        at = t["created_at"]
        for step in script:
            at += gap
            actor, note, extra = worker, "", {}
            if step in (Step.ESCALATE, Step.ESCALATE_TO_STREET):
                note = rnd.choice(ESCALATE_NOTES if step == Step.ESCALATE else STREET_NOTES)
                actor = worker if step == Step.ESCALATE else staff
            elif step == Step.POOL:
                actor = staff
            elif step == Step.DISPATCH:
                returning = Step.RETURN in script
                handler = worker if returning or party is None else party
                kind = HandlerKind.GRID_WORKER if handler is worker else HandlerKind.PARTY_MEMBER
                actor, extra = staff, {"handler": handler, "kind": kind}
            elif step == Step.TAKE:
                actor = party
            elif step in (Step.START, Step.RESOLVE, Step.RETURN):
                actor = self._current_handler()
                if step == Step.RESOLVE:
                    note = rnd.choice(RESOLUTIONS)
                if step == Step.RETURN:
                    note = rnd.choice(RETURN_NOTES)
            elif step == Step.CONFIRM:
                actor, extra = self.submitter, {"rating": 5, "comment": COMMENTS[5][0]}
            self.step(step, actor, at, note, **extra)

    def closed_life(self) -> None:
        """The district's short cut for old tickets: the end state a step-by-step life reaches
        (closed after a rating, closed unrated by the sweep, or merged into a duplicate), with
        consistent times, handler and flags, and only the last event."""
        t, g, rnd = self.t, self.grid, self.rnd
        created = t["created_at"]
        del self.events[:]
        responded = created + min(self._delay(0.3 * self.resp, 0.5), dt.timedelta(days=2))
        t["responded_at"] = responded
        target = self._merge_target(responded) if rnd.random() < 0.03 else None
        if target is not None and t["status"] == S.SUBMITTED:
            worker = self._worker()
            t["status"], t["merged_into_id"] = S.MERGED, target[0]
            t["closed_at"], t["escalate_at"], t["updated_at"] = responded, None, responded
            data = {"merged_into": target[0], "merged_into_number": target[1]}
            self._event(Step.MERGE, S.SUBMITTED, worker, responded, "", data)
            return
        in_grid = t["status"] == S.SUBMITTED and rnd.random() < 0.75
        if in_grid:
            handler = self._worker()
            t["handler_kind"], t["handler_place_id"] = HandlerKind.GRID_WORKER, g.id
        else:
            t["level"], t["handler_place_id"] = Level.COMMUNITY, g.community_id
            if t["handler_kind"] == HandlerKind.PROPERTY_COMPANY:
                handler = self._current_handler()
            else:
                handler, kind = self._handler() or (self._staff(), HandlerKind.COMMUNITY)
                t["handler_kind"] = kind
        t["handler_user_id"] = handler[0] if handler else None
        resolved = responded + min(self._delay(0.3 * self.res, 0.7), dt.timedelta(days=20))
        t["resolved_at"], t["resolution_note"] = resolved, rnd.choice(RESOLUTIONS)
        t["supervised"] = responded > t["response_due"] or resolved > t["resolve_due"]
        rater = self._rater()
        if rater is None:
            closed = resolved + self.periods.rating_window
            t["status"], t["closed_at"] = S.CLOSED, closed
            self._event(Step.AUTO_CLOSE, S.RESOLVED, None, closed, self.b.unrated_note)
        else:
            rating = rnd.choice(RATINGS)
            t["rating"], t["rating_comment"] = rating, rnd.choice(COMMENTS[rating])
            closed = resolved + min(
                self._delay(24, 1.0) + self._delay(12, 0.8), dt.timedelta(days=10)
            )
            t["status"], t["closed_at"] = S.CLOSED, closed
            self._event(Step.CLOSE, S.CONFIRMED, self._staff() or self._worker(), closed, "")
        t["escalate_at"], t["updated_at"] = None, t["closed_at"]

    def _event(self, step, before, actor, at, note, data=None) -> None:
        self.events.append(
            (
                self.t["id"],
                step,
                before,
                self.t["status"],
                actor[0] if actor else None,
                actor[1] if actor else None,
                note,
                json.dumps(data or {}),
                at,
            )
        )

    def _merge_target(self, at):
        for tid, number, category_id, created, closed in reversed(self.grid.recent):
            recent = category_id == self.category.pk and at - created < dt.timedelta(days=7)
            if recent and (closed is None or closed > at):
                return (tid, number)
        return None

    def plan(self, at):
        """(step, delay, actor, note, extra) of the next step, or None: nobody acts."""
        t, rnd, status = self.t, self.rnd, self.t["status"]
        r = rnd.random()
        if status in (S.SUBMITTED, S.ACCEPTED):
            target = self._merge_target(at) if r < 0.04 else None
            if target:
                return (
                    Step.MERGE,
                    self._delay(0.4 * self.resp),
                    self._worker(),
                    "",
                    {"into": target},
                )
            if self.hold > 1:
                r = 0.5  # accepted and handled in the grid
            if status == S.SUBMITTED and r < 0.88:
                return (Step.ACCEPT, self._delay(0.3 * self.resp, 0.5), self._worker(), "", {})
            if status == S.ACCEPTED and r < 0.8:
                return (Step.HANDLE, self._delay(0.5 * self.resp, 0.6), self._worker(), "", {})
            return (
                Step.ESCALATE,
                self._delay(0.4 * self.resp, 0.6),
                self._worker(),
                rnd.choice(ESCALATE_NOTES),
                {},
            )
        if status == S.IN_GRID:
            if r < 0.9:
                return (
                    Step.RESOLVE,
                    self._delay(0.25 * self.res * self.hold, 0.8),
                    self._worker(),
                    rnd.choice(RESOLUTIONS),
                    {},
                )
            return (
                Step.ESCALATE,
                self._delay(0.2 * self.res, 0.6),
                self._worker(),
                rnd.choice(ESCALATE_NOTES),
                {},
            )
        if status in (S.ESCALATED, S.RETURNED, S.ESCALATED_TO_STREET):
            staff = self._staff()
            if staff is None:
                return None
            target = self._merge_target(at) if r < 0.03 else None
            if target:
                return (Step.MERGE, self._delay(0.4 * self.resp, 0.6), staff, "", {"into": target})
            if status != S.ESCALATED_TO_STREET:
                if r < 0.05 and self.grid.street_staff:
                    return (
                        Step.ESCALATE_TO_STREET,
                        self._delay(0.5 * self.resp, 0.6),
                        staff,
                        rnd.choice(STREET_NOTES),
                        {},
                    )
                if r < 0.4 and self.grid.party:
                    return (Step.POOL, self._delay(0.4 * self.resp, 0.6), staff, "", {})
            handler = self._handler()
            if handler is None:
                return None
            return (
                Step.DISPATCH,
                self._delay(0.4 * self.resp, 0.6),
                staff,
                "",
                {"handler": handler[0], "kind": handler[1]},
            )
        if status == S.POOLED:
            if r < 0.9:
                return (Step.TAKE, self._delay(36, 0.8), self._party(), "", {})
            handler = self._handler()
            staff = self._staff()
            if handler is None or staff is None:
                return None
            return (
                Step.DISPATCH,
                self._delay(24, 0.6),
                staff,
                "",
                {"handler": handler[0], "kind": handler[1]},
            )
        if status in (S.DISPATCHED, S.TAKEN):
            handler = self._current_handler()
            if r < 0.06:
                return (Step.RETURN, self._delay(10, 0.6), handler, rnd.choice(RETURN_NOTES), {})
            return (Step.START, self._delay(4, 0.6), handler, "", {})
        if status == S.IN_PROGRESS:
            if t["handler_user_id"] is None:
                return None
            return (
                Step.RESOLVE,
                self._delay(0.3 * self.res, 0.7),
                self._current_handler(),
                rnd.choice(RESOLUTIONS),
                {},
            )
        if status == S.RESOLVED:
            rater = self._rater()
            if rater is None:
                return None  # closed by the sweep when the rating window ends
            rating = rnd.choice(RATINGS)
            comment = rnd.choice(COMMENTS[rating])
            return (
                Step.CONFIRM,
                self._delay(24, 1.0),
                rater,
                "",
                {"rating": rating, "comment": comment},
            )
        if status == S.CONFIRMED:
            staff = self._staff() or self._worker()
            if t["rating"] is not None and t["rating"] <= workflow.UNSATISFIED_MAX and r < 0.8:
                return (Step.REOPEN, self._delay(24, 0.6), staff, rnd.choice(REOPEN_NOTES), {})
            closer = self._worker() if r < 0.5 else staff
            return (Step.CLOSE, self._delay(12, 0.8), closer, "", {})
        return None

    def _current_handler(self):
        uid = self.t["handler_user_id"]
        g = self.grid
        for who in (*g.workers, *g.party, *g.partners, *g.street_staff, *self.b.property.values()):
            if who[0] == uid:
                return who
        return (uid, None)

    def _handler(self):
        """(who, handler kind) for a dispatch: a grid worker, a party member, the property
        company covering the building, the partner unit or — at street level — the street."""
        g, rnd, t = self.grid, self.rnd, self.t
        if t["level"] == Level.STREET and g.street_staff:
            return rnd.choice(g.street_staff), HandlerKind.DEPARTMENT
        options = []
        if g.workers:
            options += [(rnd.choice(g.workers), HandlerKind.GRID_WORKER)] * 4
        if g.party:
            options += [(self._party(), HandlerKind.PARTY_MEMBER)] * 3
        prop = self.b.property.get(self.building.estate_path) if self.building else None
        if prop is not None and self.category.code in ("property", "lift", "leak", "parking"):
            options += [(prop, HandlerKind.PROPERTY_COMPANY)] * 6
        if g.partners:
            options += [(rnd.choice(g.partners), HandlerKind.PARTNER_UNIT)]
        return rnd.choice(options) if options else None

    def _rater(self):
        t, rnd = self.t, self.rnd
        if t["submitter_id"] is not None:
            if t["channel"] == Channel.PATROL:
                return self.submitter if rnd.random() < 0.3 else None
            return self.submitter if rnd.random() < 0.85 else None
        return self._staff() if rnd.random() < 0.7 else None
