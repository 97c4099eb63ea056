"""Filling in: drafts, one submission per receiver, the required field named in the refusal,
taking a form back until the deadline, a late edit only after the sender reopens it, late
submissions marked, photos through the kernel, and no receiver seeing another's answers."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import Http404
from PIL import Image

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord, Notification
from gongzhi.keytasks import selectors, services
from gongzhi.keytasks.models import AnswerPhoto, Receiver, ReceiverEvent, ReceiverState

from .conftest import key, plain_answers, receiver_of, send_plain, send_rows

pytestmark = pytest.mark.django_db


def photo(name: str = "p.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def test_a_draft_then_one_submission(kt):
    task = send_plain(kt)
    a1 = receiver_of(task, kt.world.community_a1)
    services.save_answers(a1, actor=kt.worker_a1, answers={key(task, "检查人"): "王干事"})
    a1.refresh_from_db()
    assert a1.state == ReceiverState.PENDING and a1.answers == {key(task, "检查人"): "王干事"}
    services.save_answers(a1, actor=kt.worker_a1, answers=plain_answers(task), submit=True)
    a1.refresh_from_db()
    assert a1.state == ReceiverState.SUBMITTED and not a1.late
    assert a1.answers[key(task, "燃气报警器安装数")] == "3"
    assert a1.submitted_by == kt.worker_a1
    with pytest.raises(ValidationError, match="提交|submitted"):
        services.save_answers(a1, actor=kt.secretary_a1, answers={key(task, "检查人"): "改"})
    with pytest.raises(ValidationError):
        services.submit(a1, actor=kt.worker_a1)
    assert ReceiverEvent.objects.filter(receiver=a1, step="submit").count() == 1
    assert AuditRecord.objects.filter(action="keytasks.receiver_submit").count() == 1
    # The audit record names the fields, never their values.
    record = AuditRecord.objects.get(action="keytasks.receiver_submit")
    assert "王干事" not in str(record.changes)


def test_a_missing_required_field_is_refused_with_the_field_named(kt):
    task = send_plain(kt)
    a1 = receiver_of(task, kt.world.community_a1)
    answers = plain_answers(task)
    del answers[key(task, "检查人")]
    with pytest.raises(ValidationError) as refused:
        services.save_answers(a1, actor=kt.worker_a1, answers=answers, submit=True)
    assert key(task, "检查人") in refused.value.message_dict
    assert "检查人" in " ".join(refused.value.messages)
    a1.refresh_from_db()
    assert a1.state == ReceiverState.PENDING and a1.answers == {}  # nothing half-written


def test_a_bad_value_is_refused_with_the_field_named(kt):
    task = send_plain(kt)
    a1 = receiver_of(task, kt.world.community_a1)
    for label, value in (
        ("燃气报警器安装数", "三个"),
        ("检查日期", "6月2日"),
        ("是否存在隐患", "也许"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.save_answers(a1, actor=kt.worker_a1, answers={key(task, label): value})
        assert label in " ".join(refused.value.messages)
    a1.refresh_from_db()
    assert a1.answers == {}


def test_a_required_row_answer_is_named_with_its_row(kt):
    task = send_rows(kt)
    a1 = receiver_of(task, kt.world.community_a1)
    rows = list(a1.rows.order_by("position"))
    health = key(task, "身体状况")
    services.save_answers(
        a1,
        actor=kt.worker_a1,
        answers={key(task, "走访人"): "李"},
        rows={rows[0].pk: {health: "良好"}},
    )
    with pytest.raises(ValidationError) as refused:
        services.submit(a1, actor=kt.worker_a1)
    text = " ".join(refused.value.messages)
    assert "身体状况" in text and "2" in text
    services.save_answers(a1, actor=kt.worker_a1, rows={rows[1].pk: {health: "一般"}}, submit=True)
    a1.refresh_from_db()
    assert a1.rows_filled == 2 and a1.state == ReceiverState.SUBMITTED


def test_recall_until_the_deadline_then_only_the_sender_reopens(kt):
    task = send_plain(kt)
    a1 = receiver_of(task, kt.world.community_a1)
    services.save_answers(a1, actor=kt.worker_a1, answers=plain_answers(task), submit=True)
    services.recall(a1, actor=kt.worker_a1)
    services.submit(a1, actor=kt.worker_a1)
    with clock.travel_to(dt.datetime(2026, 6, 8, 9, 0)):
        with pytest.raises(ValidationError):
            services.recall(a1, actor=kt.worker_a1)
        with pytest.raises(PermissionDenied):  # a filler cannot reopen
            services.reopen(a1, actor=kt.worker_a1, reason="填错了")
        with pytest.raises(ValidationError):  # a reason is required
            services.reopen(a1, actor=kt.street, reason=" ")
        services.reopen(a1, actor=kt.street, reason="安装数填错，请更正")
        a1.refresh_from_db()
        assert a1.state == ReceiverState.REOPENED
        assert Notification.objects.filter(verb="keytask_reopened", user=kt.worker_a1).exists()
        services.save_answers(
            a1, actor=kt.worker_a1, answers={key(task, "燃气报警器安装数"): "5"}, submit=True
        )
    a1.refresh_from_db()
    assert a1.state == ReceiverState.SUBMITTED and a1.late
    assert a1.answers[key(task, "燃气报警器安装数")] == "5"
    assert list(a1.events.values_list("step", flat=True)) == [
        "submit",
        "recall",
        "submit",
        "reopen",
        "submit",
    ]


def test_a_first_submission_after_the_deadline_is_marked_late(kt):
    task = send_plain(kt)
    a2 = receiver_of(task, kt.world.community_a2)
    with clock.travel_to(dt.datetime(2026, 6, 6, 9, 0)):
        services.save_answers(a2, actor=kt.worker_a2, answers=plain_answers(task), submit=True)
    a2.refresh_from_db()
    assert a2.late


def test_a_receiver_never_sees_or_touches_another_receivers_answers(kt):
    task = send_plain(kt)
    a1 = receiver_of(task, kt.world.community_a1)
    a2 = receiver_of(task, kt.world.community_a2)
    services.save_answers(a1, actor=kt.worker_a1, answers=plain_answers(task), submit=True)
    with pytest.raises(Http404):
        selectors.get_receiver(kt.worker_a2, a1.pk)
    with pytest.raises(Http404):
        services.save_answers(a1, actor=kt.worker_a2, answers={key(task, "检查人"): "x"})
    with pytest.raises(Http404):
        services.recall(a1, actor=kt.worker_a2)
    assert list(selectors.todo(kt.worker_a2)) == [a2]
    assert list(selectors.todo(kt.worker_b1)) == []
    # The sender's side sees both; a filler of A1 sees A1's.
    assert selectors.get_receiver(kt.street, a1.pk) == a1
    assert selectors.get_receiver(kt.secretary_a1, a1.pk) == a1
    # The sender reads but does not fill.
    with pytest.raises(PermissionDenied):
        services.save_answers(a2, actor=kt.street, answers={key(task, "检查人"): "x"})


def test_photos_go_through_the_kernel_and_a_required_photo_is_named(kt):
    from gongzhi.keytasks.models import FieldKind
    from gongzhi.keytasks.services import FieldSpec

    task = send_plain(kt, fields=(FieldSpec("门口照片", FieldKind.PHOTO, required=True),))
    a1 = receiver_of(task, kt.world.community_a1)
    with pytest.raises(ValidationError, match="门口照片"):
        services.submit(a1, actor=kt.worker_a1)
    bad = SimpleUploadedFile("x.png", b"not a picture", content_type="image/png")
    with pytest.raises(ValidationError):
        services.save_answers(
            a1, actor=kt.worker_a1, photos_by_field={key(task, "门口照片"): [bad]}
        )
    assert not AnswerPhoto.objects.exists()
    services.save_answers(
        a1, actor=kt.worker_a1, photos_by_field={key(task, "门口照片"): [photo()]}, submit=True
    )
    stored = AnswerPhoto.objects.get()
    assert stored.receiver == a1 and stored.width == 40
    assert stored.file.read()[:2] == b"\xff\xd8"  # re-encoded as JPEG


def test_a_closed_task_accepts_nothing(kt):
    task = send_plain(kt)
    a1 = receiver_of(task, kt.world.community_a1)
    services.close_task(task, actor=kt.street)
    with pytest.raises(ValidationError):
        services.save_answers(a1, actor=kt.worker_a1, answers=plain_answers(task))
    with pytest.raises(ValidationError):
        services.remind(task, actor=kt.street)
    with pytest.raises(ValidationError):
        services.close_task(task, actor=kt.street)


def test_reminders_reach_only_the_receivers_not_yet_submitted(kt):
    task = send_plain(kt)
    a1 = receiver_of(task, kt.world.community_a1)
    services.save_answers(a1, actor=kt.worker_a1, answers=plain_answers(task), submit=True)
    Notification.objects.all().delete()
    assert services.remind(task, actor=kt.street) == 1
    told = set(Notification.objects.filter(verb="keytask_remind").values_list("user_id", flat=True))
    assert told == {kt.worker_a2.pk}
    assert receiver_of(task, kt.world.community_a2).reminded_at == clock.now()
    with pytest.raises(Http404):
        services.remind(task, actor=kt.street_b)


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_make_one(kt):
    task = send_plain(kt)
    a1 = receiver_of(task, kt.world.community_a1)
    services.save_answers(a1, actor=kt.worker_a1, answers=plain_answers(task))
    barrier = threading.Barrier(2)
    results: list[object] = []

    def submit(actor) -> None:
        try:
            barrier.wait()
            results.append(services.submit(Receiver.objects.get(pk=a1.pk), actor=actor))
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(u,)) for u in (kt.worker_a1, kt.secretary_a1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    done = [r for r in results if isinstance(r, Receiver)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(done) == 1 and len(refused) == 1, results
    assert ReceiverEvent.objects.filter(receiver=a1, step="submit").count() == 1
