"""The right of access and copy (PIPL art. 45): a resident downloads everything held about them."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.core import ledger
from gongzhi.core.models import AuditRecord, LedgerCurrency, LedgerOwnerKind
from gongzhi.privacy import registry, services

URL = reverse("privacy:download")
API = "/api/v1/privacy/download/"


def _sections(response):
    body = json.loads(response.content)
    return {s["code"]: s for s in body["sections"]}


def test_json_holds_own_record_decrypted_and_nobody_elses(pw, login):
    client = login(pw.alice)
    response = client.post(URL, {"format": "json"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "13911110001" not in response["Content-Disposition"]
    sections = _sections(response)
    record = sections["resident"]["rows"][0]
    assert record["姓名"] == "王丽"
    assert "420111196005011234" in record.values()  # decrypted for the person themselves
    assert "13911110001" in record.values()
    assert "残疾" in record["标签"]
    text = response.content.decode()
    assert "李强" not in text and "13911110002" not in text  # a neighbour in the same building
    assert {"account", "posts", "household", "tickets", "ledger", "consents", "requests"} <= set(
        sections
    )
    assert sections["posts"]["rows"][0]["角色"] == "居民"


def test_download_is_audited_with_counts_never_values(pw, login):
    login(pw.alice).post(URL, {"format": "json"})
    entry = AuditRecord.objects.get(action="privacy.download")
    assert entry.actor_id == pw.alice.pk
    assert entry.changes["format"] == "json"
    assert entry.changes["rows"]["resident"] == 1
    assert "13911110001" not in json.dumps(entry.changes, ensure_ascii=False)
    assert "420111196005011234" not in json.dumps(entry.changes, ensure_ascii=False)


def test_xlsx_through_the_formula_safe_writer(pw, login):
    from gongzhi.people.models import Resident

    Resident.objects.filter(user=pw.alice).update(specialty="=HYPERLINK(1)")
    response = login(pw.alice).post(URL, {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[0] == ("数据分类", "行号", "字段", "内容")
    assert ("我的居民信息", 1, "技能特长", "'=HYPERLINK(1)") in values


def test_points_statement_is_included(pw, login):
    from gongzhi.people.models import Resident

    resident = Resident.objects.get(user=pw.alice)
    issuer = ledger.account_for(
        LedgerCurrency.POINTS,
        LedgerOwnerKind.ISSUER,
        pw.world.community_a1.pk,
        place_path=pw.world.community_a1.path,
    )
    mine = ledger.account_for(
        LedgerCurrency.POINTS, LedgerOwnerKind.RESIDENT, resident.pk, place_path=resident.place_path
    )
    ledger.transfer(debit=issuer, credit=mine, amount=30, reason="test", idempotency_key="t1")
    rows = _sections(login(pw.alice).post(URL, {"format": "json"}))["ledger"]["rows"]
    assert [r["数额"] for r in rows] == [30]


def test_an_app_contributes_a_section_through_the_registry(pw, login):
    registry.register("extra", "额外", lambda person: [{"who": person.user.name}])
    try:
        sections = _sections(login(pw.alice).post(URL, {"format": "json"}))
    finally:
        registry.unregister("extra")
    assert sections["extra"]["rows"] == [{"who": "王丽"}]


def test_sections_come_in_the_fixed_order_whichever_app_registered_them(pw, login):
    """Each app registers its own sections from its ready() (apps load core … owners, privacy);
    the file keeps one order: kernel and registry first, then the domain apps, privacy last."""
    body = json.loads(login(pw.alice).post(URL, {"format": "json"}).content)
    assert [s["code"] for s in body["sections"]] == [
        "account",
        "posts",
        "resident",
        "household",
        "tickets",
        "volunteering",
        "ledger",
        "redemptions",
        "owners_ballots",
        "topics",
        "polls",
        "workforce",
        "estates",
        "mediation",
        "care",
        "talents",
        "consents",
        "requests",
    ]


def test_a_section_without_a_position_goes_last_and_a_position_places_it():
    registry.register("late", "晚", lambda person: [])
    registry.register("early", "早", lambda person: [], order=15)
    try:
        codes = [s.code for s in registry.sections()]
    finally:
        registry.unregister("late")
        registry.unregister("early")
    assert codes[-1] == "late"
    assert codes.index("early") == codes.index("account") + 1
    assert codes.index("early") < codes.index("posts")


def test_the_registry_is_the_kernels_so_apps_below_privacy_can_register():
    from gongzhi.core import personal_data

    assert registry.register is personal_data.register
    assert registry.sections is personal_data.sections


def test_get_is_refused_and_unknown_format_writes_nothing(pw, login):
    client = login(pw.alice)
    assert client.get(URL).status_code == 405
    response = client.post(URL, {"format": "pdf"})
    assert response.status_code == 302
    assert not AuditRecord.objects.filter(action="privacy.download").exists()


def test_download_is_rate_limited(pw, login, settings):
    settings.PRIVACY_DOWNLOAD_RATE = "2/h"
    client = login(pw.alice)
    assert client.post(URL, {"format": "json"}).status_code == 200
    assert client.post(URL, {"format": "json"}).status_code == 200
    assert client.post(URL, {"format": "json"}).status_code == 429
    assert client.post(API, {"format": "json"}, content_type="application/json").status_code == 429


@pytest.mark.parametrize("who", ["worker", "merchant"])
def test_roles_without_the_right_get_403_on_page_and_api(pw, login, who):
    client = login(getattr(pw, who))
    assert client.post(URL, {"format": "json"}).status_code == 403
    assert client.get(reverse("privacy:mine")).status_code == 403
    assert client.post(API, {"format": "json"}, content_type="application/json").status_code == 403


def test_api_download_json(pw, login):
    response = login(pw.bob).post(API, {"format": "json"}, content_type="application/json")
    assert response.status_code == 200
    assert _sections(response)["resident"]["rows"][0]["姓名"] == "李强"
    bad = login(pw.bob).post(API, {"format": "pdf"}, content_type="application/json")
    assert bad.status_code == 400


def test_service_without_a_registry_record_still_exports_the_account(pw):
    from gongzhi.people.models import Resident

    Resident.objects.filter(user=pw.bob).update(user=None, phone_index="")
    data, _, name = services.export_my_data("json", actor=pw.bob)
    sections = {s["code"]: s for s in json.loads(data)["sections"]}
    assert sections["resident"]["rows"] == []
    assert sections["account"]["rows"][0]["姓名"] == "李强"
    assert name.endswith(".json")


def test_api_download_xlsx_is_an_attachment(pw, login):
    response = login(pw.bob).post(API, {"format": "xlsx"}, content_type="application/json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert ("我的居民信息", 1, "姓名", "李强") in rows
