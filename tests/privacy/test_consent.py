"""Consent records: the privacy notice agreed at first use, separate consent for sensitive data,
withdrawal from the phone."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from gongzhi.core.models import AuditRecord
from gongzhi.privacy import notice, services
from gongzhi.privacy.models import Consent, Purpose


def test_home_shows_tile_and_notice_prompt_until_agreed(pw, login):
    client = login(pw.alice)
    home = client.get("/").content.decode()
    assert 'data-testid="privacy-tile"' in home
    assert 'data-testid="notice-prompt"' in home
    page = client.get(reverse("privacy:notice"))
    assert page.status_code == 200
    assert 'data-testid="agree"' in page.content.decode()
    response = client.post(reverse("privacy:notice"), {"next": "/"})
    assert response.status_code == 302 and response.url == "/"
    consent = Consent.objects.get(user=pw.alice, purpose=Purpose.NOTICE)
    assert consent.notice_version == notice.CURRENT and consent.resident.user == pw.alice
    assert 'data-testid="notice-prompt"' not in client.get("/").content.decode()
    assert 'data-testid="agreed"' in client.get(reverse("privacy:notice")).content.decode()


def test_notice_next_must_stay_on_the_site(pw, login):
    response = login(pw.alice).post(reverse("privacy:notice"), {"next": "https://evil.example/"})
    assert response.url == reverse("privacy:mine")


def test_staff_home_has_no_tile(pw, login):
    assert 'data-testid="privacy-tile"' not in login(pw.merchant).get("/").content.decode()


def test_agreeing_twice_keeps_one_consent_and_a_new_version_asks_again(pw, monkeypatch):
    first = services.give_consent(Purpose.NOTICE, actor=pw.alice)
    assert services.give_consent(Purpose.NOTICE, actor=pw.alice) == first
    assert not services.needs_notice(pw.alice)
    monkeypatch.setitem(notice.NOTICES, "2027-01", ["新版"])
    monkeypatch.setattr(notice, "CURRENT", "2027-01")
    assert services.needs_notice(pw.alice)
    second = services.give_consent(Purpose.NOTICE, actor=pw.alice, version="2027-01")
    first.refresh_from_db()
    assert first.withdrawn_at is not None and second.standing
    assert Consent.objects.filter(user=pw.alice).count() == 2


def test_withdraw_from_the_phone_and_history_stays(pw, login):
    client = login(pw.alice)
    client.post(reverse("privacy:consent"), {"purpose": "location", "do": "give"})
    assert Consent.objects.get(user=pw.alice, purpose="location").standing
    client.post(reverse("privacy:consent"), {"purpose": "location", "do": "withdraw"})
    consent = Consent.objects.get(user=pw.alice, purpose="location")
    assert consent.withdrawn_at is not None
    actions = list(
        AuditRecord.objects.filter(action__startswith="privacy.consent")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["privacy.consent", "privacy.consent_withdraw"]
    page = client.get(reverse("privacy:mine"))
    assert page.status_code == 200
    assert 'data-testid="consent-health"' in page.content.decode()


def test_bad_purpose_or_nothing_to_withdraw_is_refused(pw):
    with pytest.raises(ValidationError):
        services.give_consent("everything", actor=pw.alice)
    with pytest.raises(ValidationError):
        services.withdraw_consent(Purpose.HEALTH, actor=pw.alice)
    assert not Consent.objects.exists()


def test_one_standing_consent_per_purpose_in_the_database(pw):
    services.give_consent(Purpose.HEALTH, actor=pw.alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.create(user=pw.alice, purpose=Purpose.HEALTH, notice_version="x")


def test_api_consents(pw, login):
    client = login(pw.bob)
    api = "/api/v1/privacy/consents/"
    given = client.post(api, {"purpose": "minor"}, content_type="application/json")
    assert given.status_code == 201 and given.json()["channel"] == "api"
    assert client.post(api, {"purpose": "x"}, content_type="application/json").status_code == 400
    assert [c["purpose"] for c in client.get(api).json()["results"]] == ["minor"]
    withdrawn = client.post(
        api + "withdraw/", {"purpose": "minor"}, content_type="application/json"
    )
    assert withdrawn.json()["withdrawn_at"] is not None
    assert (
        client.post(
            api + "withdraw/", {"purpose": "minor"}, content_type="application/json"
        ).status_code
        == 400
    )


def test_a_resident_never_sees_anothers_consents(pw, login, client):
    services.give_consent(Purpose.HEALTH, actor=pw.alice)
    assert login(pw.bob).get("/api/v1/privacy/consents/").json()["results"] == []
