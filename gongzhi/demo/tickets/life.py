"""Demo tickets: one ticket's life, step by step, as the services would have written it."""

from __future__ import annotations

import datetime as dt
import json
import math

from gongzhi.demo.tickets.constants import S
from gongzhi.demo.tickets.plans import _Plans
from gongzhi.tickets import workflow
from gongzhi.tickets.models import HandlerKind, Level, RoutingTarget
from gongzhi.tickets.workflow import Step


class _Life(_Plans):
    """One ticket's life from submission to now: person steps mirror services.py, the sweep's
    steps mirror services.sweep_one, every step is checked against workflow.TRANSITIONS."""

    def __init__(self, builder, rnd, grid, t, events, periods, category, building, submitter):
        self.b, self.rnd, self.grid, self.t, self.events = builder, rnd, grid, t, events
        self.periods, self.category, self.building = periods, category, building
        self.submitter = submitter
        # Some tickets are neglected; the last two weeks carry a backlog, so that every
        # workbench of the demo has work on it.
        recent = builder.now - t["created_at"] < dt.timedelta(days=14)
        self.slow = 4.0 if rnd.random() < (0.35 if recent else 0.05) else 1.0
        # The demo grid worker keeps the last days' tickets in hand: the queue is never empty.
        self.hold = 1.0
        if grid is builder.demo_grid and builder.now - t["created_at"] < dt.timedelta(days=3):
            self.slow, self.hold = 1.0, 8.0
        self.resp = periods.response.total_seconds() / 3600
        self.res = periods.resolve.total_seconds() / 3600

    # -- helpers --------------------------------------------------------------------------
    def _delay(self, median_hours: float, sigma: float = 0.9) -> dt.timedelta:
        hours = self.rnd.lognormvariate(math.log(median_hours), sigma) * self.slow
        return dt.timedelta(hours=min(hours, 24 * 120))

    def _record(self, step, before, actor, at, note="", data=None) -> None:
        t = self.t
        t["updated_at"] = at
        self.events.append(
            (
                t["id"],
                step,
                before,
                t["status"],
                actor[0] if actor else None,
                actor[1] if actor else None,
                note,
                json.dumps(data or {}),
                at,
            )
        )

    def _hand_back(self) -> None:
        t, g = self.t, self.grid
        if t["level"] == Level.STREET:
            t["handler_kind"], t["handler_place_id"] = HandlerKind.STREET, g.street_id
        else:
            t["handler_kind"], t["handler_place_id"] = HandlerKind.COMMUNITY, g.community_id
            t["level"] = Level.COMMUNITY
        t["handler_user_id"] = None

    def _worker(self):
        return self.rnd.choice(self.grid.workers) if self.grid.workers else self._staff()

    def _staff(self):
        g = self.grid
        if self.t["level"] == Level.STREET and g.street_staff:
            return self.rnd.choice(g.street_staff)
        return self.rnd.choice(g.community_staff) if g.community_staff else None

    def _party(self):
        g, rnd = self.grid, self.rnd
        if not g.party:
            return None
        if self.b.partymember in g.party and rnd.random() < 0.6:
            return self.b.partymember
        return rnd.choice(g.party)

    # -- submission -------------------------------------------------------------------------
    def submit(self, actor, at) -> None:
        t, g, category = self.t, self.grid, self.category
        t["status"], t["level"] = S.SUBMITTED, Level.GRID
        t["handler_kind"], t["handler_user_id"], t["handler_place_id"] = (
            HandlerKind.GRID_WORKER,
            None,
            g.id,
        )
        note, data = "", {"routing": category.routing}
        if category.routing in (
            RoutingTarget.COMMUNITY,
            RoutingTarget.PROPERTY_COMPANY,
            RoutingTarget.PARTNER_UNIT,
        ):
            property_staff = None
            if category.routing == RoutingTarget.PROPERTY_COMPANY and self.building:
                property_staff = self.b.property.get(self.building.estate_path)
            if property_staff is not None:
                t["status"], t["level"] = S.DISPATCHED, Level.COMMUNITY
                t["handler_kind"], t["handler_user_id"] = (
                    HandlerKind.PROPERTY_COMPANY,
                    property_staff[0],
                )
                t["handler_place_id"] = g.community_id
                data["handler_user"] = property_staff[0]
            else:
                t["status"], t["level"] = S.ESCALATED, Level.COMMUNITY
                t["handler_kind"], t["handler_place_id"] = HandlerKind.COMMUNITY, g.community_id
                if category.routing != RoutingTarget.COMMUNITY:
                    note = self.b.no_property_note
        self._record(Step.SUBMIT, "", actor, at, note, data)

    # -- person steps (services.py) -------------------------------------------------------------
    def step(self, step: str, actor, at, note: str = "", **extra) -> None:
        t = self.t
        rule = workflow.TRANSITIONS[(t["status"], step)]
        before = t["status"]
        t["status"] = rule.target
        if t["responded_at"] is None and step != Step.CONFIRM:
            t["responded_at"] = at
            t["escalate_at"] = t["resolve_due"] if t["resolve_due"] > at else None
        data = {}
        if step in (Step.ACCEPT, Step.HANDLE):
            t["handler_kind"], t["handler_user_id"] = HandlerKind.GRID_WORKER, actor[0]
            if step == Step.ACCEPT:
                t["handler_place_id"] = self.grid.id
        elif step == Step.ESCALATE:
            t["level"] = Level.COMMUNITY
            self._hand_back()
        elif step == Step.ESCALATE_TO_STREET:
            t["level"] = Level.STREET
            self._hand_back()
        elif step == Step.DISPATCH:
            handler, kind = extra["handler"], extra["kind"]
            t["handler_kind"], t["handler_user_id"] = kind, handler[0]
            t["handler_place_id"] = (
                self.grid.street_id if t["level"] == Level.STREET else self.grid.community_id
            )
            t["escalate_at"] = t["resolve_due"] if t["resolve_due"] > at else None
            data = {"handler_user": handler[0], "handler_kind": kind}
        elif step == Step.POOL:
            t["handler_kind"], t["handler_user_id"] = HandlerKind.PARTY_MEMBER, None
            t["handler_place_id"] = self.grid.community_id
            t["escalate_at"] = t["resolve_due"] if t["resolve_due"] > at else None
        elif step == Step.TAKE:
            t["handler_kind"], t["handler_user_id"] = HandlerKind.PARTY_MEMBER, actor[0]
        elif step == Step.RESOLVE:
            t["resolution_note"], t["resolved_at"] = note, at
            t["escalate_at"] = at + self.periods.rating_window
        elif step == Step.RETURN:
            data = {"previous_handler": t["handler_user_id"]}
            self._hand_back()
        elif step == Step.CONFIRM:
            rating = extra["rating"]
            t["rating"], t["rating_comment"] = rating, extra["comment"]
            t["escalate_at"] = None
            data = {"rating": rating, "unsatisfied": rating <= workflow.UNSATISFIED_MAX}
        elif step == Step.REOPEN:
            data = {"rating": t["rating"], "rating_comment": t["rating_comment"]}
            t["rating"], t["rating_comment"], t["resolved_at"] = None, "", None
            if t["handler_user_id"] is None:
                self._hand_back()
            t["escalate_at"] = at + self.periods.resolve
        elif step in (Step.CLOSE, Step.MERGE):
            t["closed_at"], t["escalate_at"] = at, None
            if step == Step.MERGE:
                target = extra["into"]
                t["merged_into_id"] = target[0]
                data = {"merged_into": target[0], "merged_into_number": target[1]}
        self._record(step, before, actor, at, note, data)

    # -- the sweep (services.sweep_one) ----------------------------------------------------------
    def sweep(self, at) -> None:
        t = self.t
        step = next(
            (
                s
                for s in (Step.AUTO_CLOSE, Step.AUTO_ESCALATE, Step.SUPERVISE)
                if (t["status"], s) in workflow.TRANSITIONS
            ),
            None,
        )
        if step is None:
            t["escalate_at"] = None
            return
        rule = workflow.TRANSITIONS[(t["status"], step)]
        before = t["status"]
        t["status"] = rule.target
        if step == Step.AUTO_CLOSE:
            t["closed_at"], t["escalate_at"] = at, None
        else:
            t["supervised"], t["escalate_at"] = True, None
            if step == Step.AUTO_ESCALATE:
                t["level"] = (
                    Level.STREET if rule.target == S.ESCALATED_TO_STREET else Level.COMMUNITY
                )
                self._hand_back()
                if rule.target == S.ESCALATED:
                    t["escalate_at"] = at + self.periods.response
        note = self.b.unrated_note if step == Step.AUTO_CLOSE else self.b.sweep_note
        self._record(step, before, None, at, note)
