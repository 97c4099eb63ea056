"""Retention (PIPL art. 19): expired data deleted or anonymised, daily and by command."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from gongzhi.core import audit, clock
from gongzhi.core.models import AuditRecord, User
from gongzhi.people.models import Membership, Resident
from gongzhi.privacy import retention, tasks
from gongzhi.privacy.models import RetentionRule
from gongzhi.tickets import services as ticket_services
from gongzhi.tickets.models import Category, Ticket, TicketPhoto
from tests.privacy.conftest import NOW

YEAR = dt.timedelta(days=365)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _closed_ticket_with_photo(user, closed_at):
    category = Category.objects.get_or_create(code="t-repair", defaults={"name": "维修"})[0]
    ticket = ticket_services.submit(actor=user, kind="help", category=category, text="路灯坏了")
    Ticket.objects.filter(pk=ticket.pk).update(status="closed", closed_at=closed_at)
    photo = TicketPhoto(ticket=ticket, stage="intake", width=1, height=1, size=3)
    photo.file.save("a.jpg", ContentFile(b"jpg"), save=False)
    photo.thumb.save("a-t.jpg", ContentFile(b"jpg"), save=False)
    photo.save()
    return ticket, photo


def _move_out(user, on):
    resident = Resident.objects.get(user=user)
    Membership.objects.create(
        resident=resident, household=resident.household, relation="head", moved_out=on
    )
    Resident.objects.filter(pk=resident.pk).update(is_active=False, updated_at=NOW)
    return resident


def test_rules_are_seeded_and_audit_is_never_deleted(db):
    rules = {r.category: r for r in RetentionRule.objects.all()}
    assert {"sms_codes", "audit", "ticket_photos", "moved_away"} <= set(rules)
    assert rules["audit"].action == "keep" and rules["audit"].keep_days >= 180
    assert "audit" not in retention.HANDLERS


def test_nothing_expires_before_its_time(pw):
    _closed_ticket_with_photo(pw.alice, NOW)
    _move_out(pw.bob, NOW.date())
    with clock.travel_to(NOW + 2 * YEAR):
        assert retention.apply() == {"ticket_photos": 0, "moved_away": 0}
    assert TicketPhoto.objects.count() == 1
    assert Resident.objects.get(pk=Resident.objects.get(household__isnull=False, name="李强").pk)


def test_expired_photos_deleted_and_moved_away_anonymised_with_a_moved_clock(
    pw, django_capture_on_commit_callbacks
):
    ticket, photo = _closed_ticket_with_photo(pw.alice, NOW)
    storage, name = photo.file.storage, photo.file.name
    assert storage.exists(name)
    bob = _move_out(pw.bob, NOW.date())
    with (
        clock.travel_to(NOW + 3 * YEAR + dt.timedelta(days=2)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        counts = retention.apply()
    assert counts == {"ticket_photos": 1, "moved_away": 1}
    assert not TicketPhoto.objects.exists()
    assert not storage.exists(name)
    assert Ticket.objects.filter(pk=ticket.pk).exists()  # the record stays
    bob.refresh_from_db()
    assert bob.name == "已匿名" and bob.phone_masked == "" and bob.user is None
    assert not User.objects.get(pk=pw.bob.pk).is_active
    run = AuditRecord.objects.get(action="privacy.retention")
    assert run.changes["counts"] == counts
    assert AuditRecord.objects.filter(action="privacy.anonymise").count() == 1
    assert audit.verify_chain().ok
    with clock.travel_to(NOW + 10 * YEAR):  # an anonymised record is not anonymised again
        assert retention.apply()["moved_away"] == 0


def test_residents_still_living_here_are_kept(pw):
    Resident.objects.filter(user=pw.alice).update(updated_at=NOW)
    with clock.travel_to(NOW + 10 * YEAR):
        assert retention.apply()["moved_away"] == 0
    assert Resident.objects.get(user=pw.alice).name == "王丽"


def test_rule_numbers_are_data(pw):
    _move_out(pw.bob, NOW.date())
    RetentionRule.objects.filter(category="moved_away").update(keep_days=30)
    with clock.travel_to(NOW + dt.timedelta(days=31)):
        assert retention.apply()["moved_away"] == 1


def test_dry_run_command_counts_and_changes_nothing(pw):
    _closed_ticket_with_photo(pw.alice, NOW)
    _move_out(pw.bob, NOW.date())
    out = StringIO()
    with clock.travel_to(NOW + 4 * YEAR):
        call_command("privacy_retention", "--dry-run", stdout=out)
    assert "ticket_photos: 1" in out.getvalue() and "moved_away: 1" in out.getvalue()
    assert TicketPhoto.objects.count() == 1
    assert Resident.objects.get(name="李强").is_active is False
    assert not AuditRecord.objects.filter(
        action__in=["privacy.retention", "privacy.anonymise"]
    ).exists()
    with clock.travel_to(NOW + 4 * YEAR):
        call_command("privacy_retention", stdout=StringIO())
    assert not TicketPhoto.objects.exists()


def test_daily_task_runs_the_rules(pw):
    _closed_ticket_with_photo(pw.alice, NOW)
    with clock.travel_to(NOW + 4 * YEAR):
        tasks.daily_retention.call_local()
    assert not TicketPhoto.objects.exists()
    assert AuditRecord.objects.filter(action="privacy.retention").count() == 1
