"""Topics: raising, support up to the threshold, opinions and moderation, status changes."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from gongzhi.core.models import AuditRecord, Notification
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.models import Opinion, Topic, TopicStatus, TopicSupport
from tests.conftest import make_user
from tests.deliberation.conftest import make_citizen


def test_resident_raises_a_topic_in_her_community_and_estate(d):
    topic = services.raise_topic(
        actor=d.resident, place=d.community, title="充电桩", text="需要充电桩"
    )
    assert topic.community == d.community and topic.status == TopicStatus.OPEN
    assert AuditRecord.objects.filter(action="deliberation.topic_raise").count() == 1
    estate = d.world.grid_a1_1.estate
    in_estate = services.raise_topic(actor=d.resident, place=estate, title="绿化", text="补种树木")
    assert in_estate.place_path == estate.path and in_estate.community == d.community


def test_topics_on_a_grid_and_a_building(d):
    """Issue 12.5: 003 annex 19 covers the public affairs of community, grid, estate and
    building; topics below the estate were refused."""
    grid, building = d.world.grid_a1_1, d.world.grid_a1_1.buildings[0]
    on_grid = services.raise_topic(actor=d.resident, place=grid, title="网格巡逻", text="夜间巡逻")
    on_building = services.raise_topic(actor=d.resident, place=building, title="加装电梯", text="y")
    assert on_grid.place_path == grid.path and on_grid.community == d.community
    assert on_building.place == building and on_building.community == d.community
    places = set(selectors.topic_places(d.resident).values_list("kind", flat=True))
    assert {"community", "grid", "estate", "building"} <= places


def test_topic_outside_the_community_or_above_it_is_refused(d):
    with pytest.raises(Http404):
        services.raise_topic(actor=d.resident, place=d.world.community_a2, title="x", text="y")
    with pytest.raises(ValidationError):
        services.raise_topic(actor=d.secretary, place=d.world.street_a, title="x", text="y")
    assert not Topic.objects.exists()


def test_empty_title_gives_a_clear_message_and_writes_nothing(d):
    with pytest.raises(ValidationError) as error:
        services.raise_topic(actor=d.resident, place=d.community, title="  ", text="y")
    assert "title" in error.value.message_dict
    assert not Topic.objects.exists() and not AuditRecord.objects.exists()


def test_only_staff_raise_for_a_party_organisation(d):
    with pytest.raises(PermissionDenied):
        services.raise_topic(
            actor=d.resident,
            place=d.community,
            title="x",
            text="y",
            origin="party_org",
            origin_name="支部",
        )
    topic = services.raise_topic(
        actor=d.secretary,
        place=d.community,
        title="x",
        text="y",
        origin="party_org",
        origin_name="一支部",
    )
    assert topic.origin_name == "一支部"


def test_threshold_reached_exactly_at_n_supporters(d, threshold):
    topic = services.raise_topic(actor=d.resident, place=d.community, title="电梯", text="加装")
    supporters = [make_citizen(d.homes[i % 4], f"支持{i}") for i in range(threshold)]
    for user in supporters[:-1]:
        topic = services.support(topic, actor=user)
    assert topic.support_count == threshold - 1 and topic.status == TopicStatus.OPEN
    topic = services.support(topic, actor=supporters[-1])
    assert topic.support_count == threshold and topic.status == TopicStatus.ON_AGENDA
    assert topic.threshold == threshold and topic.on_agenda_at is not None


def test_default_threshold_comes_from_the_platform(d):
    assert services.setting(d.community, "deliberation.support_threshold") == 20


def test_one_support_per_resident(d, topic):
    services.support(topic, actor=d.neighbour)
    with pytest.raises(ValidationError, match="once"):
        services.support(topic, actor=d.neighbour)
    assert TopicSupport.objects.filter(topic=topic).count() == 1
    topic.refresh_from_db()
    assert topic.support_count == 1


def test_a_login_without_a_registry_record_cannot_support(d, topic):
    volunteer = make_user("volunteer", d.community)
    with pytest.raises(ValidationError, match="registry"):
        services.support(topic, actor=volunteer)


def test_support_from_another_community_is_not_found(d, topic):
    with pytest.raises(Http404):
        services.support(topic, actor=d.outsider)


@pytest.mark.django_db(transaction=True)
def test_concurrent_supports_of_one_resident_count_once(world):
    from gongzhi.places.models import Household
    from tests.deliberation.conftest import make_citizen as citizen

    home = Household.objects.filter(building=world.grid_a1_1.buildings[0]).first()
    user = citizen(home, "并发")
    topic = services.raise_topic(actor=user, place=world.community_a1, title="并发", text="测试")
    barrier = threading.Barrier(4)
    results = []

    def attempt():
        try:
            barrier.wait()
            services.support(topic, actor=user)
            results.append("ok")
        except ValidationError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1 and results.count("refused") == 3
    topic.refresh_from_db()
    assert topic.support_count == 1 == TopicSupport.objects.filter(topic=topic).count()


@pytest.mark.django_db(transaction=True)
def test_concurrent_supports_of_different_residents_all_count(world):
    from gongzhi.places.models import Household

    homes = list(Household.objects.filter(building__in=world.grid_a1_1.buildings))
    users = [make_citizen(homes[i % len(homes)], f"居民{i}") for i in range(4)]
    topic = services.raise_topic(
        actor=users[0], place=world.community_a1, title="并发", text="测试"
    )
    barrier = threading.Barrier(4)
    errors = []

    def attempt(user):
        try:
            barrier.wait()
            services.support(topic, actor=user)
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    topic.refresh_from_db()
    assert topic.support_count == 4


def test_opinion_hidden_with_reason_is_audited_and_shown_to_each_reader(d, topic):
    opinion = services.give_opinion(topic, "物业不作为！", actor=d.neighbour)
    with pytest.raises(PermissionDenied):
        services.hide_opinion(opinion, "人身攻击", actor=d.resident)
    with pytest.raises(ValidationError):
        services.hide_opinion(opinion, "", actor=d.secretary)
    services.hide_opinion(opinion, "含有人身攻击", actor=d.secretary)
    record = AuditRecord.objects.get(action="deliberation.opinion_hide")
    assert record.reason == "含有人身攻击" and record.actor_id == d.secretary.pk
    assert Notification.objects.filter(user=d.neighbour, verb="opinion_hidden").exists()
    author_view = selectors.opinions_for(d.neighbour, topic)[0]
    other_view = selectors.opinions_for(d.resident, topic)[0]
    assert author_view.show_text and author_view.hidden
    assert not other_view.show_text and other_view.hidden_reason == "含有人身攻击"
    with pytest.raises(ValidationError):
        services.hide_opinion(opinion, "again", actor=d.secretary)


def test_official_reply_only_from_staff(d, topic):
    with pytest.raises(PermissionDenied):
        services.give_opinion(topic, "我代表社区", actor=d.resident, official=True)
    reply = services.give_opinion(topic, "社区将协调物业", actor=d.secretary, official=True)
    assert reply.official
    assert AuditRecord.objects.filter(action="deliberation.official_reply").exists()


def test_empty_opinion_refused(d, topic):
    with pytest.raises(ValidationError):
        services.give_opinion(topic, "   ", actor=d.resident)
    assert not Opinion.objects.exists()


def test_status_changes_with_reason(d, topic):
    with pytest.raises(PermissionDenied):
        services.set_topic_status(topic, TopicStatus.REJECTED, "不归社区管", actor=d.resident)
    with pytest.raises(ValidationError):
        services.set_topic_status(topic, TopicStatus.RESOLVED, "已解决", actor=d.secretary)
    with pytest.raises(ValidationError):
        services.set_topic_status(topic, TopicStatus.REJECTED, "", actor=d.secretary)
    topic = services.set_topic_status(topic, TopicStatus.REJECTED, "属市政管辖", actor=d.secretary)
    assert topic.status == TopicStatus.REJECTED and topic.status_reason == "属市政管辖"
    with pytest.raises(ValidationError):
        services.support(topic, actor=d.neighbour)
    with pytest.raises(ValidationError):
        services.give_opinion(topic, "还有意见", actor=d.neighbour)


def test_other_community_staff_cannot_see_the_topic(d, topic):
    with pytest.raises(Http404):
        services.set_topic_status(topic, TopicStatus.CLOSED, "x", actor=d.worker_other)
    assert not selectors.visible_topics(d.worker_other).exists()
    assert selectors.visible_topics(d.street).filter(pk=topic.pk).exists()
