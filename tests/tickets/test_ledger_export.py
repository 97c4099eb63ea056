"""The ticket ledger's saved filters and its spreadsheet (issue 19 item 2)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord
from gongzhi.tickets import ledger
from gongzhi.tickets.models import LedgerExport, SavedFilter

PAGE = reverse("tickets:ledger")
EXPORT = reverse("tickets:ledger_export")
SAVE = reverse("tickets:ledger_filter_save")


@pytest.fixture(autouse=True)
def _english_and_private_var(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.VAR_DIR = tmp_path / "var"


def sheet(data: bytes) -> list[list]:
    book = load_workbook(io.BytesIO(data))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


# --------------------------------------------------------------------------- saved filters


def test_save_apply_and_delete_a_filter(people, new_ticket, login):
    new_ticket()
    client = login(people.cw)
    response = client.post(SAVE, {"name": "待派单", "query": "status=escalated&sort=number"})
    assert response.status_code == 302
    saved = SavedFilter.objects.get(user=people.cw)
    assert saved.name == "待派单" and saved.query == "status=escalated&sort=number"
    assert response["Location"] == f"{PAGE}?status=escalated&sort=number"
    html = client.get(PAGE).content.decode()
    assert "待派单" in html and "?status=escalated&amp;sort=number" in html
    # Saving again under the same name replaces the filter.
    client.post(SAVE, {"name": "待派单", "query": "status=dispatched"})
    assert SavedFilter.objects.get(user=people.cw).query == "status=dispatched"
    assert AuditRecord.objects.filter(action="ticket.filter_save").count() == 2
    client.post(reverse("tickets:ledger_filter_delete", args=[saved.pk]))
    assert not SavedFilter.objects.exists()
    assert AuditRecord.objects.filter(action="ticket.filter_delete").count() == 1


def test_saved_filters_are_their_owners_only(people, new_ticket, login):
    new_ticket()
    mine = SavedFilter.objects.create(user=people.cw, name="我的筛选", query="kind=help")
    other = login(people.street)
    assert "我的筛选" not in other.get(PAGE).content.decode()
    response = other.post(reverse("tickets:ledger_filter_delete", args=[mine.pk]))
    assert response.status_code == 404
    assert SavedFilter.objects.filter(pk=mine.pk).exists()
    assert list(ledger.saved_filters(people.street)) == []
    assert list(ledger.saved_filters(people.cw)) == [mine]


def test_a_personal_search_is_not_saved(people, new_ticket, login):
    new_ticket()
    client = login(people.cw)
    for data in (
        {"name": "x", "query": "phone=0001"},
        {"name": "x", "query": "name=张三"},
        {"name": "x", "query": "status=submitted", "pt": "a-token"},
    ):
        response = client.post(SAVE, data, follow=True)
        assert "not saved" in response.content.decode()
        assert "0001" not in response.redirect_chain[-1][0]
    assert not SavedFilter.objects.exists()


def test_a_malformed_filter_is_refused_not_saved(people, login):
    client = login(people.cw)
    response = client.post(SAVE, {"name": "坏的", "query": "created_from=tomorrow"}, follow=True)
    assert "YYYY-MM-DD" in response.content.decode()
    response = client.post(SAVE, {"name": "", "query": "kind=help"}, follow=True)
    assert "Give the filter a name" in response.content.decode()
    assert not SavedFilter.objects.exists()


def test_residents_cannot_save_filters(people, login):
    response = login(people.resident).post(SAVE, {"name": "x", "query": ""})
    assert response.status_code == 403


# --------------------------------------------------------------------------- export


def test_export_masks_phones_neutralises_formulas_and_is_audited(people, new_ticket, login):
    evil = new_ticket(text='=HYPERLINK("http://evil.example","点我")')
    new_ticket(text="楼道灯坏了")
    client = login(people.cw)
    response = client.post(EXPORT, {"query": "q=HYPERLINK"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    rows = sheet(response.content)
    assert rows[0][0] == "Number" and "Phone (masked)" in rows[0]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Number"] == evil.number
    assert row["Text"].startswith("'=HYPERLINK")
    assert row["Phone (masked)"] == "139****0001"
    assert row["Resident"] == people.resident.name
    record = AuditRecord.objects.get(action="ticket.ledger_export")
    assert record.changes["count"] == 1 and record.changes["filter"] == {"q": "HYPERLINK"}
    assert record.actor_id == people.cw.pk


def test_export_of_a_phone_search_keeps_the_digits_out_of_the_audit(people, new_ticket, login):
    mine = new_ticket()
    client = login(people.cw)
    response = client.post(PAGE, {"phone": "0001"})
    token = response["Location"].split("pt=")[1]
    response = client.post(EXPORT, {"query": "", "pt": token})
    rows = sheet(response.content)
    assert [r[0] for r in rows[1:]] == [mine.number]
    record = AuditRecord.objects.get(action="ticket.ledger_export")
    assert "0001" not in str(record.changes) and record.changes["filter"]["phone"] == "****"


def test_anonymous_reports_are_exported_without_the_reporter(people, login, cats):
    from gongzhi.tickets import services
    from gongzhi.tickets.models import Kind

    services.submit(
        actor=people.resident, kind=Kind.REPORT, category=cats.repair, text="占用消防通道",
        anonymous=True,
    )  # fmt: skip
    rows = sheet(login(people.cw).post(EXPORT, {"query": ""}).content)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Resident"] == "Anonymous" and row["Phone (masked)"] in ("", None)
    assert people.resident.name not in str(rows)


def test_export_is_scoped_like_the_page(people, new_ticket, login):
    new_ticket()
    rows = sheet(login(people.gw_other).post(EXPORT, {"query": ""}).content)
    assert len(rows) == 1  # the header only: the ticket is in another grid


def test_malformed_export_filter_is_a_message_not_a_500(people, login):
    response = login(people.cw).post(EXPORT, {"query": "rating=11"})
    assert response.status_code == 302  # back to the ledger, which says what is wrong
    page = login(people.cw).get(response["Location"])
    assert page.status_code == 400
    assert "Rating: choose one from the list." in page.content.decode()
    assert not AuditRecord.objects.filter(action="ticket.ledger_export").exists()


def test_export_refused_above_the_maximum(people, new_ticket, login, settings):
    settings.TICKET_LEDGER_EXPORT_MAX_ROWS = 1
    new_ticket()
    new_ticket()
    response = login(people.cw).post(EXPORT, {"query": ""}, follow=True)
    assert "narrow the filters" in response.content.decode()
    assert not AuditRecord.objects.filter(action="ticket.ledger_export").exists()


def test_a_large_export_runs_in_the_background(people, new_ticket, login, settings):
    settings.TICKET_LEDGER_BACKGROUND_ROWS = 2
    tickets = [new_ticket(text=f"第{i}件") for i in range(3)]
    client = login(people.cw)
    response = client.post(EXPORT, {"query": "sort=number"})
    job = LedgerExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:ledger_export_status", args=[job.pk])
    # Huey runs inline in tests: the job is finished when the page is shown.
    assert job.status == LedgerExport.Status.DONE and job.progress == 3 and job.percent == 100
    assert job.search_encrypted == ""
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="ledger-export-progress"' in html
    assert reverse("tickets:ledger_export_download", args=[job.pk]) in html
    progress = client.get(reverse("tickets:ledger_export_progress", args=[job.pk]))
    assert progress["HX-Refresh"] == "true"
    download = client.get(reverse("tickets:ledger_export_download", args=[job.pk]))
    assert download.status_code == 200
    rows = sheet(download.content)
    assert [r[0] for r in rows[1:]] == [t.number for t in tickets]
    # The file at rest is encrypted.
    stored = (settings.VAR_DIR / "ledger-exports" / f"{job.pk}.bin").read_bytes()
    assert b"xl/worksheets" not in stored and tickets[0].number.encode() not in stored
    record = AuditRecord.objects.get(action="ticket.ledger_export")
    assert record.changes["background"] is True and record.changes["count"] == 3


def test_a_background_phone_search_is_sealed_while_it_waits(
    people, new_ticket, login, settings, monkeypatch
):
    settings.TICKET_LEDGER_BACKGROUND_ROWS = 0
    mine = new_ticket()
    client = login(people.cw)
    token = client.post(PAGE, {"phone": "0001"})["Location"].split("pt=")[1]
    seen = {}

    from gongzhi.tickets import tasks

    original = tasks.ledger_export_task

    def spy(job_id):
        seen["sealed"] = LedgerExport.objects.get(pk=job_id).search_encrypted
        return original(job_id)

    monkeypatch.setattr(tasks, "ledger_export_task", spy)
    client.post(EXPORT, {"query": "", "pt": token})
    assert seen["sealed"] and "0001" not in seen["sealed"]
    job = LedgerExport.objects.get()
    rows = sheet(client.get(reverse("tickets:ledger_export_download", args=[job.pk])).content)
    assert [r[0] for r in rows[1:]] == [mine.number]


def test_only_the_owner_downloads_and_only_while_kept(people, new_ticket, login, settings):
    settings.TICKET_LEDGER_BACKGROUND_ROWS = 0
    new_ticket()
    client = login(people.cw)
    client.post(EXPORT, {"query": ""})
    job = LedgerExport.objects.get()
    url = reverse("tickets:ledger_export_download", args=[job.pk])
    other = login(people.street)
    assert other.get(url).status_code == 404
    assert other.get(reverse("tickets:ledger_export_status", args=[job.pk])).status_code == 404
    client = login(people.cw)
    assert client.get(url).status_code == 200
    with clock.travel_to(clock.now() + dt.timedelta(hours=25)):
        assert client.get(url).status_code == 404
        assert ledger.purge_expired() == 1
    job.refresh_from_db()
    assert job.status == LedgerExport.Status.EXPIRED
    assert not (settings.VAR_DIR / "ledger-exports" / f"{job.pk}.bin").exists()


def test_a_failed_background_export_says_so(people, new_ticket, login, settings, monkeypatch):
    settings.TICKET_LEDGER_BACKGROUND_ROWS = 0
    new_ticket()

    def broken(qs, progress=None):
        raise OSError("disk full")

    monkeypatch.setattr(ledger, "write", broken)
    client = login(people.cw)
    assert client.post(EXPORT, {"query": ""}).status_code == 302
    job = LedgerExport.objects.get()
    assert job.status == LedgerExport.Status.FAILED
    html = client.get(reverse("tickets:ledger_export_status", args=[job.pk])).content.decode()
    assert "The export failed" in html
