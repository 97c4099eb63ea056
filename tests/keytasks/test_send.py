"""Sending a task down: receivers are every community (or grid) under the sender's place, the
form as defined, rows from the registry filter; bad definitions are refused with the field
named and nothing written; wrong roles are refused (404 outside the scope, 403 inside)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from gongzhi.core.models import AuditRecord, Notification
from gongzhi.keytasks import services
from gongzhi.keytasks.models import (
    FieldKind,
    FormField,
    ReceiverKind,
    ReceiverRow,
    ReceiverState,
    RowsOf,
    SentDownTask,
)
from gongzhi.keytasks.services import FieldSpec

from .conftest import DUE, SAFETY_FIELDS, send_plain, send_rows

pytestmark = pytest.mark.django_db


def test_a_task_goes_to_every_community_under_the_street_and_is_announced(kt):
    task = send_plain(kt)
    places = [r.place for r in task.receivers.order_by("place_path")]
    assert places == [kt.world.community_a1, kt.world.community_a2]
    assert {r.state for r in task.receivers.all()} == {ReceiverState.PENDING}
    assert [f.label for f in task.fields.all()] == [s.label for s in SAFETY_FIELDS]
    told = set(Notification.objects.filter(verb="keytask_sent").values_list("user_id", flat=True))
    # The posts at each receiving place itself (the community's staff), nobody elsewhere.
    assert told == {kt.secretary_a1.pk, kt.worker_a1.pk, kt.worker_a2.pk}
    assert kt.worker_b1.pk not in told and kt.street.pk not in told
    record = AuditRecord.objects.get(action="keytasks.task_send")
    assert record.changes["receivers"] == 2 and record.actor_id == kt.street.pk


def test_a_task_to_every_grid_reaches_the_grid_workers(kt):
    task = send_plain(kt, receiver_kind=ReceiverKind.GRID)
    assert task.receivers.count() == 3  # A1 G01, A1 G02, A2 G01
    told = set(Notification.objects.filter(verb="keytask_sent").values_list("user_id", flat=True))
    assert told == {kt.grid_a1.pk}


def test_a_district_task_reaches_every_community_of_both_streets(kt):
    task = services.send_task(
        kt.world.district,
        actor=kt.district,
        title="人口普查复核",
        due_on=DUE,
        receiver_kind=ReceiverKind.COMMUNITY,
        fields=[FieldSpec("常住户数", FieldKind.NUMBER, required=True)],
    )
    assert task.receivers.count() == 3


def test_rows_come_from_the_registry_filter(kt):
    task = send_rows(kt)
    a1 = task.receivers.get(place=kt.world.community_a1)
    a2 = task.receivers.get(place=kt.world.community_a2)
    assert a1.row_count == 2 and a2.row_count == 1
    names = list(a1.rows.order_by("position").values_list("resident__name", flat=True))
    assert names == ["张桂兰", "李建国"]  # 赵小明 has no tag
    households = send_rows(kt, title="住户清单", rows_of=RowsOf.HOUSEHOLD, row_tag="")
    assert households.receivers.get(place=kt.world.community_a1).row_count == len(kt.homes_a1)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"due_on": dt.date(2026, 5, 1)}, "due_on", ""),
        ({"title": ""}, "title", "必填"),
        (
            {"fields": [FieldSpec("是否安装", FieldKind.CHOICE, choices=("是",))]},
            "fields",
            "是否安装",
        ),
        ({"fields": [FieldSpec("备注", FieldKind.TEXT, per_row=True)]}, "fields", "备注"),
        (
            {"fields": [FieldSpec("a", FieldKind.TEXT), FieldSpec("a", FieldKind.NUMBER)]},
            "fields",
            "a",
        ),
        ({"fields": [FieldSpec("颜色", "colour")]}, "fields", "颜色"),
        ({"receiver_kind": "building"}, "receiver_kind", ""),
        ({"row_tag": "living_alone"}, "row_tag", ""),
    ],
)
def test_a_bad_definition_is_refused_with_the_field_named(kt, changes, field, words):
    with pytest.raises(ValidationError) as refused:
        send_plain(kt, **changes)
    assert field in refused.value.message_dict
    assert words in " ".join(refused.value.message_dict[field])
    assert not SentDownTask.objects.exists() and not FormField.objects.exists()


def test_a_photo_per_row_and_rows_without_a_row_field_are_refused(kt):
    with pytest.raises(ValidationError, match="照片"):
        send_rows(kt, fields=[FieldSpec("照片", FieldKind.PHOTO, per_row=True)])
    with pytest.raises(ValidationError) as refused:
        send_rows(kt, fields=[FieldSpec("走访人", FieldKind.TEXT)])
    assert "fields" in refused.value.message_dict
    assert not ReceiverRow.objects.exists()


def test_only_streets_and_districts_send_and_only_in_their_own_area(kt):
    with pytest.raises(ValidationError):
        services.send_task(
            kt.world.community_a1,
            actor=kt.street,
            title="x",
            due_on=DUE,
            receiver_kind=ReceiverKind.GRID,
        )
    with pytest.raises(Http404):  # another street: not even visible
        services.send_task(
            kt.world.street_a,
            actor=kt.street_b,
            title="x",
            due_on=DUE,
            receiver_kind=ReceiverKind.COMMUNITY,
        )
    with pytest.raises(Http404):  # a community worker does not see the street above
        services.send_task(
            kt.world.street_a,
            actor=kt.worker_a1,
            title="x",
            due_on=DUE,
            receiver_kind=ReceiverKind.COMMUNITY,
        )
    assert not SentDownTask.objects.exists()
