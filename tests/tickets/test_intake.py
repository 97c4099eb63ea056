"""Submission: numbers, validation, routing by place and category, on-behalf and patrol
entries, anonymous reports, notifications."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord, Notification
from gongzhi.core.roles import Role
from gongzhi.tickets import services
from gongzhi.tickets.models import HandlerKind, Level, Status, Ticket
from tests.conftest import make_user


def test_numbers_are_readable_and_restart_each_day(new_ticket):
    clock.set_now(dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC))  # 09:00 in Shanghai
    assert [new_ticket().number for _ in range(2)] == ["GZ-20261123-0001", "GZ-20261123-0002"]
    clock.set_now(dt.datetime(2026, 11, 23, 16, 30, tzinfo=dt.UTC))  # 00:30 next day there
    assert new_ticket().number == "GZ-20261124-0001"


def test_a_resident_submits_about_their_own_building(new_ticket, people, world):
    ticket = new_ticket()
    b1 = world.grid_a1_1.buildings[0]
    assert (ticket.place, ticket.place_path, ticket.grid) == (b1, b1.path, world.grid_a1_1)
    assert (ticket.status, ticket.level, ticket.handler_kind) == (
        Status.SUBMITTED,
        Level.GRID,
        HandlerKind.GRID_WORKER,
    )
    assert ticket.submitter == people.resident and ticket.entered_by is None
    event = ticket.events.get()
    assert (event.action, event.from_status, event.to_status) == ("submit", "", "submitted")
    assert AuditRecord.objects.filter(action="ticket.submit", target_id=str(ticket.pk)).exists()
    # the grid's workers are told, the other grid's are not
    assert Notification.objects.filter(user=people.gw, reference=ticket.number).exists()
    assert not Notification.objects.filter(user=people.gw_other).exists()
    assert not Notification.objects.filter(user=people.resident).exists()


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"text": "   "}, "text"),
        ({"text": "x" * 2001}, "text"),
        ({"kind": "praise"}, "kind"),
        ({"anonymous": True}, "anonymous"),
        ({"priority": "asap"}, "priority"),
        ({"lat": 91}, "lat"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(new_ticket, fields, field):
    with pytest.raises(ValidationError) as error:
        new_ticket(**fields)
    assert field in error.value.message_dict
    assert not Ticket.objects.exists() and not AuditRecord.objects.exists()


def test_a_ticket_is_about_a_building_or_a_grid(new_ticket, world):
    with pytest.raises(ValidationError) as error:
        new_ticket(place=world.community_a1)
    assert "place" in error.value.message_dict
    assert new_ticket(place=world.grid_a1_2).grid == world.grid_a1_2


def test_a_resident_submits_only_in_their_community(new_ticket, world):
    with pytest.raises(Http404):
        new_ticket(place=world.grid_a2_1)
    with pytest.raises(PermissionDenied):  # residents may not enter for others
        new_ticket(channel="phone", on_behalf_of_name="张三", place=world.grid_a1_1)


def test_only_reports_may_be_anonymous_and_the_name_is_hidden(new_ticket, people):
    ticket = new_ticket(kind="report", anonymous=True)
    assert ticket.anonymous and ticket.submitter == people.resident


def test_staff_enter_on_behalf_and_grid_workers_report_on_patrol(world, people, cats):
    with pytest.raises(ValidationError) as error:
        services.submit(
            actor=people.cw,
            kind="help",
            category=cats.repair,
            text="电话",
            place=world.grid_a1_1,
            channel="phone",
        )
    assert "on_behalf_of_name" in error.value.message_dict
    walk_in = services.submit(
        actor=people.cw,
        kind="consult",
        category=cats.repair,
        text="来访咨询",
        place=world.grid_a1_1,
        channel="walk_in",
        on_behalf_of_name="李四",
    )
    assert (walk_in.submitter, walk_in.on_behalf_of_name, walk_in.entered_by) == (
        None,
        "李四",
        people.cw,
    )
    patrol = services.submit(
        actor=people.gw,
        kind="report",
        category=cats.repair,
        text="井盖缺失",
        place=world.grid_a1_1.buildings[1],
        channel="patrol",
    )
    assert patrol.submitter == people.gw and patrol.channel == "patrol"
    with pytest.raises(Http404):
        services.submit(
            actor=people.gw,
            kind="report",
            category=cats.repair,
            text="别的网格",
            place=world.grid_a1_2,
            channel="patrol",
        )


def test_category_rules_route_to_the_community(new_ticket, cats, world, people):
    ticket = new_ticket(category=cats.noise)
    assert (ticket.status, ticket.level, ticket.handler_place) == (
        Status.ESCALATED,
        Level.COMMUNITY,
        world.community_a1,
    )
    assert Notification.objects.filter(user=people.cw, reference=ticket.number).exists()


def test_property_and_partner_categories_go_straight_to_their_staff(new_ticket, cats, world):
    estate = world.grid_a1_1.estate
    company = make_user(Role.PROPERTY_STAFF, world.community_a1)
    on_site = make_user(Role.PROPERTY_STAFF, estate)  # the most specific post wins
    ticket = new_ticket(category=cats.property)  # building 1 is in the estate
    assert (ticket.status, ticket.handler_kind, ticket.handler_user) == (
        Status.DISPATCHED,
        HandlerKind.PROPERTY_COMPANY,
        on_site,
    )
    elsewhere = new_ticket(category=cats.property, place=world.grid_a1_1.buildings[1])
    assert elsewhere.handler_user == company
    contact = make_user(Role.PARTNER_CONTACT, world.street_a)
    assert new_ticket(category=cats.partner).handler_user == contact
    assert Notification.objects.filter(user=contact).count() == 1


def test_without_property_staff_the_community_gets_it_with_a_note(new_ticket, cats):
    ticket = new_ticket(category=cats.property)
    assert ticket.status == Status.ESCALATED
    assert ticket.events.get().note
