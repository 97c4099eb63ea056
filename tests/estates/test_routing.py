"""Tickets routed to the property company as a body (issue 14 item 3): tickets offers a finder
hook (tickets.routing.set_property_finder), estates installs it; a ticket for an estate with a
service contract in force reaches the company's linked staff wherever their post is."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.core import clock
from gongzhi.core.models import Notification, Post
from gongzhi.core.roles import Role
from gongzhi.estates import routing, services
from gongzhi.tickets import routing as ticket_routing
from gongzhi.tickets import services as tickets
from gongzhi.tickets.models import Category, HandlerKind, RoutingTarget, Status
from tests.conftest import make_user
from tests.estates.conftest import GOOD_CODE_2


def _post(user):
    return Post.objects.get(user=user, role=Role.PROPERTY_STAFF)


@pytest.fixture
def tw(rw):
    """rw: the company 红星物业 under contract for the estate (2024–2028), rw.staff a
    property_staff post at the estate (not linked); desk: a post at the community."""
    rw.lift = Category.objects.create(
        code="e-lift", name="电梯", routing=RoutingTarget.PROPERTY_COMPANY
    )
    rw.desk = make_user(Role.PROPERTY_STAFF, rw.world.community_a1, name="物业客服")
    rw.building = rw.homes[0].building
    return rw


def _ticket(w, place=None):
    return tickets.submit(
        actor=w.voters[0], kind="help", category=w.lift, text="电梯停了", place=place or w.building
    )


def test_the_hook_is_installed():
    assert ticket_routing._property_finder is routing.company_post


def test_without_a_link_the_post_covering_the_place_takes_it(tw):
    ticket = _ticket(tw)
    assert ticket.handler_user == tw.staff  # the most specific property_staff post


def test_a_linked_post_of_the_company_takes_it_wherever_it_is(tw):
    services.link_staff(tw.company, _post(tw.desk), actor=tw.secretary)
    ticket = _ticket(tw)
    assert (ticket.status, ticket.handler_kind, ticket.handler_user) == (
        Status.DISPATCHED,
        HandlerKind.PROPERTY_COMPANY,
        tw.desk,  # the company's staff, though rw.staff's post is more specific
    )
    assert Notification.objects.filter(user=tw.desk, reference=ticket.number).exists()
    # two linked posts: the one covering the place comes first
    services.link_staff(tw.company, _post(tw.staff), actor=tw.secretary)
    assert _ticket(tw).handler_user == tw.staff


def test_a_company_shared_by_two_estates_gets_the_tickets_of_both(tw):
    services.add_contract(
        tw.company,
        tw.other_estate,
        actor=tw.secretary,
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2027, 1, 1),
        fee_yuan_per_m2="1.20",
    )
    services.link_staff(tw.company, _post(tw.desk), actor=tw.secretary)
    other_building = tw.world.grid_a1_2.buildings[0]
    assert routing.company_post(other_building) == _post(tw.desk)
    assert routing.company_post(tw.building) == _post(tw.desk)


def test_no_contract_in_force_or_link_ended_falls_back(tw):
    link = services.link_staff(tw.company, _post(tw.desk), actor=tw.secretary)
    # outside the estate (the grid's second building has no contract): the covering post
    outside = tw.world.grid_a1_1.buildings[1]
    assert routing.company_post(outside) is None
    # another company, with a contract for another estate, does not take this estate's tickets
    other = services.add_company(
        tw.world.community_a1, actor=tw.secretary, name="绿城物业", credit_code=GOOD_CODE_2
    )
    services.add_contract(
        other,
        tw.other_estate,
        actor=tw.secretary,
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2027, 1, 1),
        fee_yuan_per_m2="1.20",
    )
    assert routing.company_post(tw.building) == _post(tw.desk)
    # the link ended: back to the post covering the place
    services.end_staff_link(link, actor=tw.secretary)
    clock.set_now(dt.datetime(2025, 3, 2, 10, 0))
    assert routing.company_post(tw.building) is None
    assert _ticket(tw).handler_user == tw.staff
    # a linked post whose holder left: not chosen
    services.link_staff(tw.company, _post(tw.desk), actor=tw.secretary)
    tw.desk.is_active = False
    tw.desk.save()
    assert routing.company_post(tw.building) is None
    # the contract over (2028): nobody of the company is chosen
    tw.desk.is_active = True
    tw.desk.save()
    assert routing.company_post(tw.building) == _post(tw.desk)
    clock.set_now(dt.datetime(2028, 3, 1, 10, 0))
    assert routing.company_post(tw.building) is None
