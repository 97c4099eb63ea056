"""The import pages: upload, preview, commit, discard, error sheet, template, progress, and who
may reach them (secretary, community worker, admin; a batch belongs to its community)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import load_workbook

from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.people import imports
from gongzhi.people.models import ImportBatch, Resident
from tests.conftest import make_user
from tests.people.test_import import HEADERS, csv_bytes, ident, person


@pytest.fixture(autouse=True)
def _english_and_private_var(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.VAR_DIR = tmp_path / "var"
    with translation.override("en"):
        yield


def upload(client, community, data: bytes, name="r.csv"):
    return client.post(
        "/people/import/",
        {"community": community.pk, "file": SimpleUploadedFile(name, data)},
    )


def batch_for(world, rows, community=None):
    community = community or world.community_a1
    user = make_user(Role.COMMUNITY_SECRETARY, community)
    return imports.start(community, "r.csv", csv_bytes(rows), actor=user)


def test_upload_preview_commit(world, client):
    client.force_login(make_user(Role.COMMUNITY_WORKER, world.community_a1))
    rows = [person(1), person(3, 楼栋="火星1栋"), person(5, 姓名="=HYPERLINK(1)")]
    response = upload(client, world.community_a1, csv_bytes(rows, "gbk"))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == f"/people/import/{batch.pk}/"

    page = client.get(response.url).content.decode()
    assert "No building “火星1栋” in this community." in page
    assert "“姓名” contains a formula" in page
    assert ident(3) not in page and ident(1) not in page
    assert "420111********" in page  # the masked ID of the bad rows
    assert 'data-testid="commit-form"' in page

    refused = client.post(f"/people/import/{batch.pk}/commit/", {"mode": "all_or_nothing"})
    assert refused.status_code == 302
    assert "2 rows have errors" in client.get(refused.url).content.decode()
    assert Resident.objects.count() == 0

    done = client.post(f"/people/import/{batch.pk}/commit/", {"mode": "valid_only"})
    page = client.get(done.url).content.decode()
    assert "Imported: 1 new, 0 updated, 0 unchanged." in page
    assert 'data-testid="commit-form"' not in page
    assert Resident.objects.get().name == "居民1"


def test_error_sheet_is_masked_and_neutralised(world, client):
    client.force_login(make_user(Role.COMMUNITY_SECRETARY, world.community_a1))
    rows = [person(3, 楼栋="火星1栋"), person(5, 姓名="=HYPERLINK(1)"), person(7)]
    batch = batch_for(world, rows)
    response = client.get(f"/people/import/{batch.pk}/errors.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    body = response.content
    sheet = load_workbook(io.BytesIO(body)).active
    table = [[c.value for c in row] for row in sheet.iter_rows()]
    assert table[0] == ["行号", "错误", *HEADERS]
    assert [r[0] for r in table[1:]] == [2, 3]
    assert table[1][1] == "No building “火星1栋” in this community."
    assert table[2][2] == "'=HYPERLINK(1)"  # text, never a formula
    id_col, phone_col = HEADERS.index("证件号码") + 2, HEADERS.index("手机号") + 2
    assert table[1][id_col] == ident(3)[:6] + "********" + ident(3)[-4:]
    assert table[1][phone_col] == "139****0003"
    for secret in (ident(3), ident(5), "13900000003"):
        assert secret not in str(table)


def test_template_download(world, client):
    client.force_login(make_user(Role.COMMUNITY_WORKER, world.community_a1))
    response = client.get("/people/import/template.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.worksheets[0][1]] == HEADERS
    notes = [row[0] for row in book.worksheets[1].iter_rows(values_only=True)]
    assert notes[1:] == HEADERS


def test_oversize_upload_refused_with_a_message(world, client, settings):
    settings.IMPORT_MAX_BYTES = 2000
    client.force_login(make_user(Role.COMMUNITY_SECRETARY, world.community_a1))
    response = upload(client, world.community_a1, csv_bytes([person(1)]) + b" " * 70_000)
    assert response.status_code == 400
    assert "the limit is 0 MB. Split it into smaller files." in response.content.decode()
    assert ImportBatch.objects.count() == 0 and Resident.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "e.csv", "The submitted file is empty."),  # Django's own form check
        (b" \r\n", "e.csv", "The file is empty."),
        (b"PK\x03\x04broken", "b.xlsx", "The file cannot be read as an .xlsx workbook"),
        ("姓名,备注\r\n张三,x\r\n".encode("gbk"), "h.csv", "Missing: 证件号码、楼栋、室号."),
    ],
)
def test_bad_files_show_a_clear_message(world, client, data, name, message):
    client.force_login(make_user(Role.COMMUNITY_SECRETARY, world.community_a1))
    response = upload(client, world.community_a1, data, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ImportBatch.objects.count() == 0 and Resident.objects.count() == 0


def test_discard_deletes_the_file(world, client):
    client.force_login(make_user(Role.COMMUNITY_SECRETARY, world.community_a1))
    batch = batch_for(world, [person(1)])
    assert imports.file_path(batch).exists()
    response = client.post(f"/people/import/{batch.pk}/discard/")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED
    assert not imports.file_path(batch).exists()
    assert AuditRecord.objects.filter(action="resident.import_discard").count() == 1
    assert client.post(f"/people/import/{batch.pk}/commit/", {"mode": "valid_only"}).status_code
    assert Resident.objects.count() == 0


def test_progress_fragment_polls_until_done(world, client):
    client.force_login(make_user(Role.COMMUNITY_SECRETARY, world.community_a1))
    batch = batch_for(world, [person(1)])
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.VALIDATING, total_rows=4000, progress=1000
    )
    running = client.get(f"/people/import/{batch.pk}/progress/")
    body = running.content.decode()
    assert 'hx-trigger="every 1s"' in body and "width: 25%" in body
    assert "HX-Refresh" not in running
    assert 'hx-trigger="every 1s"' in client.get(f"/people/import/{batch.pk}/").content.decode()
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.VALIDATED)
    done = client.get(f"/people/import/{batch.pk}/progress/")
    assert done["HX-Refresh"] == "true"
    assert "every 1s" not in done.content.decode()


def test_list_queries_do_not_grow(world, client, django_assert_max_num_queries):
    user = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    client.force_login(user)
    batch_for(world, [person(1)])
    with django_assert_max_num_queries(12) as few:
        assert client.get("/people/import/").status_code == 200
    for n in range(3, 12, 2):
        batch_for(world, [person(n)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/people/import/")
    assert page.content.decode().count("/people/import/") >= 6


def test_list_shows_only_the_users_communities(world, client):
    batch_for(world, [person(1)], world.community_a2)
    mine = batch_for(world, [person(3)])
    client.force_login(make_user(Role.COMMUNITY_WORKER, world.community_a1))
    page = client.get("/people/import/").content.decode()
    assert f"/people/import/{mine.pk}/" in page
    assert re.findall(r'href="/people/import/(\d+)/"', page) == [str(mine.pk)]
    options = page.split('name="community"')[1].split("</select>")[0]
    assert world.community_a1.name in options and world.community_a2.name not in options


def test_cannot_upload_into_another_community(world, client):
    client.force_login(make_user(Role.COMMUNITY_SECRETARY, world.community_a1))
    response = upload(client, world.community_a2, csv_bytes([person(1)]))
    assert response.status_code == 400
    assert ImportBatch.objects.count() == 0


# --- permissions -------------------------------------------------------------------------------

BATCH_URLS = [
    ("get", "/people/import/{pk}/"),
    ("get", "/people/import/{pk}/progress/"),
    ("get", "/people/import/{pk}/errors.xlsx"),
    ("post", "/people/import/{pk}/commit/"),
    ("post", "/people/import/{pk}/discard/"),
]


@pytest.mark.parametrize(
    ("role", "place"),
    [
        (Role.COMMUNITY_SECRETARY, "community_a1"),
        (Role.COMMUNITY_WORKER, "community_a1"),
        (Role.SYSTEM_ADMIN, "district"),
    ],
)
def test_importers_reach_their_batches(world, client, role, place):
    batch = batch_for(world, [person(1)])
    client.force_login(make_user(role, getattr(world, place)))
    assert client.get("/people/import/").status_code == 200
    assert client.get("/people/import/template.xlsx").status_code == 200
    for method, url in BATCH_URLS[:3]:
        assert getattr(client, method)(url.format(pk=batch.pk)).status_code == 200
    response = client.post(f"/people/import/{batch.pk}/commit/", {"mode": "valid_only"})
    assert response.status_code == 302
    assert Resident.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "place"),
    [
        (Role.COMMUNITY_SECRETARY, "community_a2"),  # a sibling community
        (Role.COMMUNITY_WORKER, "community_b1"),
        (Role.GRID_WORKER, "grid_a1_1"),  # sees only the grid, not the community's batches
        (Role.BUILDING_HEAD, None),
        (Role.SYSTEM_ADMIN, "district_b"),
    ],
)
def test_outside_the_community_a_batch_does_not_exist(world, client, role, place):
    batch = batch_for(world, [person(1)])
    where = getattr(world, place) if place else world.grid_a1_1.buildings[0]
    client.force_login(make_user(role, where))
    for method, url in BATCH_URLS:
        data = {"mode": "valid_only"} if url.endswith("commit/") else {}
        assert getattr(client, method)(url.format(pk=batch.pk), data).status_code == 404, url
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED
    assert Resident.objects.count() == 0
    assert client.get("/people/import/999999/").status_code == 404


@pytest.mark.parametrize(
    ("role", "place"),
    [
        (Role.STREET_OFFICER, "street_a"),  # sees the community's residents, may not import
        (Role.DISTRICT_OFFICER, "district"),
    ],
)
def test_inside_scope_without_the_right_is_forbidden(world, client, role, place):
    batch = batch_for(world, [person(1)])
    client.force_login(make_user(role, getattr(world, place)))
    assert client.get("/people/import/").status_code == 403
    assert client.get("/people/import/template.xlsx").status_code == 403
    for method, url in BATCH_URLS:
        data = {"mode": "valid_only"} if url.endswith("commit/") else {}
        assert getattr(client, method)(url.format(pk=batch.pk), data).status_code == 403, url
    assert Resident.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "place"),
    [(Role.GRID_WORKER, "grid_a1_1"), (Role.VOLUNTEER, "community_a1")],
)
def test_roles_without_the_right_cannot_upload(world, client, role, place):
    client.force_login(make_user(role, getattr(world, place)))
    assert client.get("/people/import/").status_code == 403
    assert upload(client, world.community_a1, csv_bytes([person(1)])).status_code == 403
    assert ImportBatch.objects.count() == 0


def test_anonymous_is_sent_to_login(world, client):
    batch = batch_for(world, [person(1)])
    for url in ("/people/import/", f"/people/import/{batch.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/login/")
