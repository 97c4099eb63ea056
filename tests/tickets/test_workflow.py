"""The transition table, walked: every allowed step succeeds with a history row and an audit
record; every step the table does not allow is refused and changes nothing; wrong roles get
403, other areas 404."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gongzhi.core.models import AuditRecord, User
from gongzhi.tickets import workflow
from gongzhi.tickets.models import HandlerKind, Level, Status, Ticket, TicketEvent
from gongzhi.tickets.workflow import MANUAL_STEPS, TRANSITIONS, Step
from tests.tickets.conftest import run_step

GRID_STEPS = {Step.ACCEPT, Step.HANDLE, Step.ESCALATE}
ALLOWED = sorted((state, step) for (state, step) in TRANSITIONS if step in MANUAL_STEPS)
FORBIDDEN = sorted(
    (state, step)
    for state in Status.values
    for step in MANUAL_STEPS
    if (state, step) not in TRANSITIONS
)


def right_actor(people, ticket, step):
    if step == Step.CONFIRM:
        return people.resident
    if step == Step.TAKE:
        return people.pm2
    if step in (Step.START, Step.RETURN) or (
        step == Step.RESOLVE and ticket.status == Status.IN_PROGRESS
    ):
        return ticket.handler_user
    if step in GRID_STEPS or ticket.status in workflow.GRID_STATES:
        return people.gw
    if ticket.status == Status.ESCALATED_TO_STREET:
        return people.street
    return people.cw


def params_for(people, new_ticket, step):
    return {
        Step.ESCALATE: {"note": "需社区协调"},
        Step.ESCALATE_TO_STREET: {"note": "需街道协调"},
        Step.REOPEN: {"note": "回访：居民仍不满意"},
        Step.RESOLVE: {"note": "已处理"},
        Step.RETURN: {"reason": "超出能力"},
        Step.DISPATCH: {"handler_user": people.pm2, "handler_kind": HandlerKind.PARTY_MEMBER},
        Step.REASSIGN: {"handler_user": people.pm2, "handler_kind": HandlerKind.PARTY_MEMBER},
        Step.MERGE: {"into": new_ticket()} if step == Step.MERGE else {},
        Step.CONFIRM: {"rating": 4},
    }.get(step, {})


@pytest.mark.parametrize("state,step", ALLOWED)
def test_every_allowed_step(drive, people, new_ticket, state, step):
    ticket = drive(state)
    if step == Step.REASSIGN and ticket.handler_user_id == people.pm2.pk:
        pytest.fail("fixture: the handler must differ from the new one")
    params = params_for(people, new_ticket, step)
    events = ticket.events.count()
    records = AuditRecord.objects.count()
    actor = right_actor(people, ticket, step)
    result = run_step(ticket, step, actor, params)

    assert result.status == TRANSITIONS[(state, step)].target
    ticket.refresh_from_db()
    assert ticket.status == result.status
    last = ticket.events.order_by("-id").first()
    assert ticket.events.count() == events + 1
    assert (last.action, last.from_status, last.to_status, last.actor_id) == (
        step,
        state,
        result.status,
        actor.pk,
    )
    record = AuditRecord.objects.order_by("-id").first()
    assert AuditRecord.objects.count() == records + 1
    assert record.action == f"ticket.{step}"
    assert record.target_id == str(ticket.pk)
    assert record.place_path == ticket.place_path


@pytest.mark.parametrize("state,step", FORBIDDEN)
def test_every_forbidden_step_changes_nothing(drive, people, new_ticket, state, step):
    ticket = drive(state)
    admin = User.objects.create_superuser("root", "x")  # every right: only the state refuses
    params = params_for(people, new_ticket, step)
    before = Ticket.objects.values().get(pk=ticket.pk)
    events, records = TicketEvent.objects.count(), AuditRecord.objects.count()

    with pytest.raises(workflow.IllegalTransition) as refused:
        run_step(ticket, step, admin, params)

    assert refused.value.message
    assert Ticket.objects.values().get(pk=ticket.pk) == before
    assert (TicketEvent.objects.count(), AuditRecord.objects.count()) == (events, records)


@pytest.mark.parametrize("state,step", ALLOWED)
def test_wrong_role_is_refused_with_403(drive, people, new_ticket, state, step):
    """The submitter sees the ticket but may make only the rating step; a grid worker in
    scope may not rate someone else's ticket."""
    ticket = drive(state)
    wrong = people.gw if step == Step.CONFIRM else people.resident
    params = params_for(people, new_ticket, step)
    before = Ticket.objects.values().get(pk=ticket.pk)
    with pytest.raises(PermissionDenied):
        run_step(ticket, step, wrong, params)
    assert Ticket.objects.values().get(pk=ticket.pk) == before


@pytest.mark.parametrize("terminal", [Status.CLOSED, Status.MERGED])
def test_closed_and_merged_are_terminal(drive, terminal):
    assert workflow.steps_from(terminal) == []
    ticket = drive(terminal)
    assert ticket.closed_at is not None
    assert ticket.escalate_at is None


def test_grid_worker_cannot_act_on_another_grids_ticket(drive, people):
    ticket = drive(Status.SUBMITTED)
    with pytest.raises(Http404):
        run_step(ticket, Step.ACCEPT, people.gw_other, {})
    with pytest.raises(Http404):
        run_step(drive(Status.ESCALATED), Step.POOL, people.cw_other, {})
    assert Ticket.objects.get(pk=ticket.pk).status == Status.SUBMITTED


def test_only_the_handler_works_on_a_dispatched_ticket(drive, people):
    ticket = drive(Status.DISPATCHED)  # handed to pm1
    with pytest.raises(PermissionDenied):
        run_step(ticket, Step.START, people.cw, {})  # may handle in general, but not this one
    with pytest.raises(Http404):  # another party member does not even see it
        run_step(ticket, Step.START, people.pm2, {})


def test_a_note_is_required_where_the_table_says_so(drive, people):
    ticket = drive(Status.ACCEPTED)
    with pytest.raises(ValidationError) as error:
        run_step(ticket, Step.ESCALATE, people.gw, {"note": "  "})
    assert "note" in error.value.message_dict
    assert Ticket.objects.get(pk=ticket.pk).status == Status.ACCEPTED
    returned = drive(Status.DISPATCHED)
    with pytest.raises(ValidationError):
        run_step(returned, Step.RETURN, people.pm1, {"reason": ""})


def test_return_goes_back_to_the_dispatcher(drive, people, world):
    ticket = drive(Status.RETURNED)
    assert ticket.handler_user is None
    assert ticket.handler_kind == HandlerKind.COMMUNITY
    assert ticket.handler_place == world.community_a1
    event = ticket.events.order_by("-id").first()
    assert event.note == "不在家"
    assert event.data["previous_handler"] == people.pm1.pk


def test_levels_follow_escalation(drive, world):
    assert drive(Status.IN_GRID).level == Level.GRID
    assert drive(Status.ESCALATED).level == Level.COMMUNITY
    street = drive(Status.ESCALATED_TO_STREET)
    assert (street.level, street.handler_place) == (Level.STREET, world.street_a)


def test_the_street_dispatches_what_reached_it(drive, people):
    ticket = drive(Status.ESCALATED_TO_STREET)
    with pytest.raises(PermissionDenied):  # a party member of the community cannot
        run_step(ticket, Step.DISPATCH, people.resident, {})
    done = run_step(
        ticket,
        Step.DISPATCH,
        people.street,
        {"handler_user": people.pm1, "handler_kind": HandlerKind.PARTY_MEMBER},
    )
    assert done.status == Status.DISPATCHED and done.handler_user == people.pm1


def test_dispatch_checks_the_handler(drive, people):
    ticket = drive(Status.ESCALATED)
    for params in (
        {"handler_user": people.pm_other, "handler_kind": HandlerKind.PARTY_MEMBER},
        {"handler_user": people.pm1, "handler_kind": HandlerKind.PROPERTY_COMPANY},
        {"handler_user": people.pm1, "handler_kind": HandlerKind.COMMUNITY},
        {"handler_kind": HandlerKind.PARTY_MEMBER},
    ):
        with pytest.raises(ValidationError):
            run_step(ticket, Step.DISPATCH, people.cw, params)
    assert Ticket.objects.get(pk=ticket.pk).status == Status.ESCALATED
    volunteer = run_step(
        ticket,
        Step.DISPATCH,
        people.cw,
        {"handler_user": people.volunteer, "handler_kind": HandlerKind.VOLUNTEER_TEAM},
    )
    assert volunteer.handler_kind == HandlerKind.VOLUNTEER_TEAM


def test_reopen_needs_an_unsatisfied_rating(drive, people):
    ticket = drive(Status.RESOLVED)
    happy = run_step(ticket, Step.CONFIRM, people.resident, {"rating": 5, "comment": "谢谢"})
    assert (happy.rating, happy.rating_comment) == (5, "谢谢")
    with pytest.raises(workflow.IllegalTransition):
        run_step(happy, Step.REOPEN, people.cw, {"note": "回访"})
    unhappy = drive(Status.CONFIRMED)  # rated 2
    reopened = run_step(unhappy, Step.REOPEN, people.cw, {"note": "回访：灯仍不亮"})
    assert reopened.status == Status.IN_PROGRESS
    assert reopened.rating is None and reopened.resolved_at is None
    assert reopened.handler_user == people.pm1
    assert reopened.events.order_by("-id").first().data["rating"] == 2


@pytest.mark.parametrize("rating", [0, 6, "x", None])
def test_rating_is_one_to_five(drive, people, rating):
    ticket = drive(Status.RESOLVED)
    with pytest.raises(ValidationError):
        run_step(ticket, Step.CONFIRM, people.resident, {"rating": rating})
    assert Ticket.objects.get(pk=ticket.pk).status == Status.RESOLVED


def test_merge_target_must_be_open_and_visible(drive, people, world, new_ticket):
    ticket = drive(Status.SUBMITTED)
    for into in (ticket, drive(Status.CLOSED)):
        with pytest.raises(ValidationError):
            run_step(ticket, Step.MERGE, people.gw, {"into": into})
    merged = drive(Status.MERGED)
    assert merged.merged_into is not None
    assert merged.events.order_by("-id").first().data["merged_into_number"]


def test_a_ticket_entered_on_behalf_is_rated_by_staff_after_a_follow_up(world, people, cats, drive):
    from gongzhi.tickets import services

    ticket = services.submit(
        actor=people.cw,
        kind="help",
        category=cats.noise,
        text="电话反映：广场舞噪音",
        place=world.grid_a1_1,
        channel="phone",
        on_behalf_of_name="王阿姨",
    )
    assert ticket.submitter is None and ticket.entered_by == people.cw
    ticket = run_step(
        ticket,
        Step.DISPATCH,
        people.cw,
        {"handler_user": people.pm1, "handler_kind": "party_member"},
    )
    ticket = run_step(ticket, Step.START, people.pm1, {})
    ticket = run_step(ticket, Step.RESOLVE, people.pm1, {"note": "已协调"})
    rated = run_step(ticket, Step.CONFIRM, people.cw, {"rating": 4})
    assert rated.status == Status.CONFIRMED
