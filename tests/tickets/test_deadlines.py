"""Deadlines from the policy profile (platform defaults, a profile's own numbers, priority and
category), and the sweep escalating overdue tickets one level at a time with a moved clock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from gongzhi.core import clock, profiles
from gongzhi.core.models import AuditRecord, Notification
from gongzhi.tickets import deadlines
from gongzhi.tickets.models import Level, Status
from gongzhi.tickets.workflow import Step
from tests.tickets.conftest import run_step

T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


@pytest.fixture
def at_t0():
    clock.set_now(T0)


def test_platform_defaults_apply_when_no_profile_sets_them(at_t0, new_ticket):
    ticket = new_ticket()  # help, normal priority
    assert ticket.response_due == T0 + 2 * H
    assert ticket.resolve_due == T0 + 72 * H
    assert ticket.escalate_at == ticket.response_due
    schema = profiles.SCHEMA
    assert schema["tickets.response_hours.help"].default == 2
    assert all(schema[f"tickets.resolve_hours.{k}"].default for k in ("consult", "suggestion"))


def test_the_places_profile_priority_and_category_set_the_deadlines(
    at_t0, profile_dir, world, new_ticket, cats
):
    (profile_dir / "fast.yaml").write_text(
        "source: x.txt\ntitle: t\n"
        "tickets:\n  response_hours:\n    help: 1\n  resolve_hours:\n    help: 10\n"
        "  priority_percent:\n    urgent: 50\n",
        encoding="utf-8",
    )
    world.street_a.policy_profile = "fast"
    world.street_a.save()
    normal = new_ticket()
    assert (normal.response_due, normal.resolve_due) == (T0 + H, T0 + 10 * H)
    urgent = new_ticket(category=cats.urgent)  # the category's default priority
    assert urgent.priority == "urgent"
    assert (urgent.response_due, urgent.resolve_due) == (T0 + 0.5 * H, T0 + 5 * H)
    cats.repair.resolve_hours = 4
    cats.repair.save()
    assert new_ticket(category=cats.repair).resolve_due == T0 + 4 * H


def test_a_broken_profile_falls_back_to_the_platform_defaults(
    at_t0, profile_dir, world, new_ticket
):
    (profile_dir / "broken.yaml").write_text("source: x.txt\ntitle: t\ntickets: 3\n")
    world.street_a.policy_profile = "broken"
    world.street_a.save()
    assert not profiles.get("broken").ok
    assert new_ticket().response_due == T0 + 2 * H


def test_overdue_tickets_escalate_one_level_at_a_time(at_t0, new_ticket, people, world):
    ticket = new_ticket()
    clock.set_now(T0 + 2 * H - dt.timedelta(seconds=1))
    assert deadlines.sweep() == {}  # not yet
    clock.set_now(T0 + 2 * H + dt.timedelta(minutes=1))
    assert deadlines.sweep() == {Step.AUTO_ESCALATE: 1}
    ticket.refresh_from_db()
    assert (ticket.status, ticket.level, ticket.supervised) == (
        Status.ESCALATED,
        Level.COMMUNITY,
        True,
    )
    assert ticket.handler_place == world.community_a1
    event = ticket.events.order_by("-id").first()
    assert (event.action, event.from_status, event.actor) == (
        Step.AUTO_ESCALATE,
        Status.SUBMITTED,
        None,
    )
    assert AuditRecord.objects.filter(action="ticket.auto_escalate").count() == 1
    assert Notification.objects.filter(user=people.cw, reference=ticket.number).exists()
    assert deadlines.sweep() == {}  # the community now has its own response period
    clock.set_now(T0 + 4 * H + dt.timedelta(minutes=2))
    assert deadlines.sweep() == {Step.AUTO_ESCALATE: 1}
    ticket.refresh_from_db()
    assert (ticket.status, ticket.level) == (Status.ESCALATED_TO_STREET, Level.STREET)
    assert ticket.escalate_at is None  # the top: supervised, nothing above
    clock.set_now(T0 + 1000 * H)
    assert deadlines.sweep() == {}


def test_a_response_in_time_moves_the_check_to_the_resolution_deadline(at_t0, new_ticket, people):
    ticket = run_step(new_ticket(), Step.ACCEPT, people.gw, {})
    assert ticket.responded_at == T0
    assert ticket.escalate_at == ticket.resolve_due
    clock.set_now(T0 + 10 * H)
    assert deadlines.sweep() == {}
    clock.set_now(T0 + 73 * H)
    assert deadlines.sweep() == {Step.AUTO_ESCALATE: 1}
    ticket.refresh_from_db()
    assert ticket.status == Status.ESCALATED and ticket.supervised


def test_a_ticket_in_hands_is_supervised_not_taken_away(at_t0, drive, people):
    ticket = drive(Status.IN_PROGRESS)
    clock.set_now(T0 + 73 * H)
    assert deadlines.sweep() == {Step.SUPERVISE: 1}
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.supervised and ticket.handler_user == people.pm1
    assert ticket.is_overdue()
    assert Notification.objects.filter(user=people.pm1, verb=Step.SUPERVISE).exists()


def test_an_unrated_resolved_ticket_closes_after_the_rating_window(at_t0, drive):
    ticket = drive(Status.RESOLVED)
    clock.set_now(T0 + dt.timedelta(days=7) - dt.timedelta(minutes=1))
    assert deadlines.sweep() == {}
    clock.set_now(T0 + dt.timedelta(days=7, minutes=1))
    assert deadlines.sweep() == {Step.AUTO_CLOSE: 1}
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.rating is None
    assert not ticket.supervised


def test_the_command_and_the_task_sweep(at_t0, new_ticket, capsys):
    from gongzhi.tickets.tasks import sweep_tickets_task

    first, second = new_ticket(), new_ticket()
    clock.set_now(T0 + 3 * H)
    call_command("sweep_tickets")
    assert "2 tickets swept (auto_escalate: 2)" in capsys.readouterr().out
    first.refresh_from_db()
    assert first.status == Status.ESCALATED
    clock.set_now(T0 + 6 * H)
    sweep_tickets_task()  # tasks run inline in tests
    second.refresh_from_db()
    assert second.status == Status.ESCALATED_TO_STREET
