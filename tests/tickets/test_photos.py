"""Ticket photos: real images only, EXIF stripped, location only when shared, limits, nothing
half-written, served only to those who may see the ticket."""

from __future__ import annotations

import io
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageFile

from gongzhi.tickets import services
from gongzhi.tickets.models import Kind, PhotoStage, Status, Ticket, TicketPhoto
from gongzhi.tickets.workflow import Step
from tests.tickets.conftest import image_file, run_step

pytestmark = pytest.mark.usefixtures("english")


def _files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _submit(people, cats, **fields):
    values = {"kind": Kind.HELP, "category": cats.repair, "text": "路灯坏了"}
    values.update(fields)
    return services.submit(actor=people.resident, **values)


def test_a_photo_is_stored_re_encoded_without_exif(people, cats, settings):
    ticket = _submit(
        people, cats, photos=[image_file(gps=(28.005, 112.005), camera="SecretCam 3000")]
    )
    photo = ticket.photos.get()
    assert photo.stage == PhotoStage.INTAKE and photo.uploaded_by == people.resident
    assert (photo.width, photo.height) == (64, 48)
    assert photo.event == ticket.events.get(action=Step.SUBMIT)
    with photo.file.open("rb") as f:
        data = f.read()
    assert photo.size == len(data)
    stored = Image.open(io.BytesIO(data))
    assert stored.format == "JPEG"
    assert dict(stored.getexif()) == {}
    assert b"SecretCam" not in data
    # Not shared: the position is not used either.
    assert ticket.lat is None and ticket.lng is None
    with photo.thumb.open("rb") as f:
        assert max(Image.open(f).size) <= 320
    assert len(_files(settings)) == 2


def test_shared_location_fills_the_point_when_none_was_given(people, cats):
    ticket = _submit(people, cats, photos=[image_file(gps=(28.005, 112.005))], share_location=True)
    assert (ticket.lat, ticket.lng) == (Decimal("28.005000"), Decimal("112.005000"))
    # No grid boundary contains it in this world: the home building stays the place.
    assert ticket.place == people.resident.posts.get().household.building


def test_a_given_point_wins_over_the_photo_position(people, cats, bounded):
    ticket = _submit(
        people,
        cats,
        photos=[image_file(gps=(28.005, 112.005))],
        share_location=True,
        lat=Decimal("28.005"),
        lng=Decimal("112.015"),
    )
    assert ticket.lng == Decimal("112.015") and ticket.place == bounded.grid_a1_2


def test_a_shared_photo_position_inside_a_grid_routes_the_ticket(people, cats, bounded):
    ticket = _submit(people, cats, photos=[image_file(gps=(28.005, 112.015))], share_location=True)
    assert ticket.place == bounded.grid_a1_2 and ticket.grid == bounded.grid_a1_2


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("fake.jpg", b"this is not a photo at all", content_type="image/jpeg"),
        SimpleUploadedFile("empty.png", b"", content_type="image/png"),
        image_file("anim.gif", fmt="GIF"),
        image_file("scan.bmp", fmt="BMP"),
    ],
    ids=["text-named-jpg", "empty", "gif", "bmp"],
)
def test_something_that_is_not_an_accepted_photo_is_refused_and_nothing_is_written(
    people, cats, settings, upload
):
    with pytest.raises(ValidationError) as error:
        _submit(people, cats, photos=[image_file(), upload])
    assert "JPEG, PNG or WebP" in " ".join(error.value.message_dict["photos"])
    assert not Ticket.objects.exists() and not TicketPhoto.objects.exists()
    assert _files(settings) == []


def test_png_with_transparency_and_webp_are_accepted(people, cats):
    ticket = _submit(
        people,
        cats,
        photos=[image_file("a.png", fmt="PNG", mode="RGBA"), image_file("b.webp", fmt="WEBP")],
    )
    assert ticket.photos.count() == 2


def test_at_most_nine_photos(people, cats, settings):
    with pytest.raises(ValidationError) as error:
        _submit(people, cats, photos=[image_file(f"{i}.jpg") for i in range(10)])
    assert "At most 9 photos" in error.value.message_dict["photos"][0]
    assert not Ticket.objects.exists() and _files(settings) == []
    assert (
        _submit(people, cats, photos=[image_file(f"{i}.jpg") for i in range(9)]).photos.count() == 9
    )


def test_a_too_large_file_is_refused(people, cats, settings):
    settings.TICKET_PHOTO_MAX_BYTES = 1024 * 1024
    big = image_file("big.png", fmt="PNG")
    big.size = 2 * 1024 * 1024  # as reported by the upload handler
    with pytest.raises(ValidationError) as error:
        _submit(people, cats, photos=[big])
    assert "too large (at most 1 MB)" in error.value.message_dict["photos"][0]
    assert not Ticket.objects.exists()


def test_a_decompression_bomb_is_refused_before_decoding(people, cats, settings):
    settings.TICKET_PHOTO_MAX_PIXELS = 100_000
    bomb = image_file("bomb.png", fmt="PNG", size=(2000, 2000))  # small file, 4 M pixels
    assert bomb.size < 100_000
    decoded = mock.patch.object(ImageFile.ImageFile, "load", side_effect=AssertionError("decoded"))
    with decoded, pytest.raises(ValidationError) as error:
        _submit(people, cats, photos=[bomb])
    assert "too many pixels" in error.value.message_dict["photos"][0]
    assert not Ticket.objects.exists()


def test_pillows_own_bomb_guard_is_a_clear_error_too(people, cats, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 64×48 = 3,072 > 2 × 1,000
    with pytest.raises(ValidationError) as error:
        _submit(people, cats, photos=[image_file()])
    assert "too many pixels" in error.value.message_dict["photos"][0]


def test_files_are_removed_when_the_transaction_fails(people, cats, settings):
    failing = mock.patch.object(TicketPhoto.objects, "bulk_create", side_effect=RuntimeError("db"))
    with failing, pytest.raises(RuntimeError):
        _submit(people, cats, photos=[image_file()])
    assert not Ticket.objects.exists() and _files(settings) == []


def test_the_handler_attaches_photos_with_the_resolution(drive, people, settings):
    ticket = drive(Status.IN_PROGRESS)
    ticket = services.resolve(
        ticket, actor=people.pm1, note="已修好", photos=[image_file("done.jpg")]
    )
    photo = ticket.photos.get()
    assert photo.stage == PhotoStage.RESOLUTION and photo.uploaded_by == people.pm1
    assert photo.event.action == Step.RESOLVE
    assert ticket.status == Status.RESOLVED


def test_a_bad_resolution_photo_stops_the_step(drive, people, settings):
    ticket = drive(Status.IN_PROGRESS)
    fake = SimpleUploadedFile("x.jpg", b"GIF89a not really", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.resolve(ticket, actor=people.pm1, note="已修好", photos=[fake])
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS and not ticket.photos.exists()
    assert _files(settings) == []


# --------------------------------------------------------------------------- pages


def test_the_submit_page_takes_photos_and_the_detail_shows_thumbnails(client, people, cats):
    client.force_login(people.resident)
    res = client.post(
        reverse("tickets:submit"),
        {
            "kind": Kind.HELP,
            "category": cats.repair.pk,
            "text": "井盖松动",
            "photos": [image_file("a.jpg"), image_file("b.jpg")],
        },
    )
    ticket = Ticket.objects.get()
    assert res.status_code == 302 and ticket.photos.count() == 2
    page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    for photo in ticket.photos.all():
        assert reverse("tickets:photo_thumb", args=[ticket.pk, photo.pk]) in page
    assert 'data-testid="photos-submit"' in page


def test_a_bad_photo_on_the_page_gives_a_clear_message_and_no_ticket(client, people, cats):
    client.force_login(people.resident)
    res = client.post(
        reverse("tickets:submit"),
        {
            "kind": Kind.HELP,
            "category": cats.repair.pk,
            "text": "井盖松动",
            "photos": [SimpleUploadedFile("x.jpg", b"hello", content_type="image/jpeg")],
        },
    )
    assert res.status_code == 200
    assert "x.jpg" in res.content.decode() and not Ticket.objects.exists()


def test_resolve_from_the_page_with_a_photo(client, drive, people):
    ticket = drive(Status.IN_PROGRESS)
    client.force_login(people.pm1)
    client.post(
        reverse("tickets:step", args=[ticket.pk, Step.RESOLVE]),
        {"note": "已修好", "photos": [image_file("fixed.jpg")]},
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert ticket.photos.get().stage == PhotoStage.RESOLUTION


def test_photos_are_served_only_to_those_who_may_see_the_ticket(client, people, cats):
    ticket = _submit(people, cats, photos=[image_file()])
    photo = ticket.photos.get()
    urls = [
        reverse("tickets:photo", args=[ticket.pk, photo.pk]),
        reverse("tickets:photo_thumb", args=[ticket.pk, photo.pk]),
    ]
    for who in ("resident", "gw", "cw", "street"):
        client.force_login(getattr(people, who))
        for url in urls:
            res = client.get(url)
            assert res.status_code == 200, who
            assert res["Content-Type"] == "image/jpeg" and "private" in res["Cache-Control"]
    for who in ("neighbour", "gw_other", "cw_other", "pm_other"):
        client.force_login(getattr(people, who))
        for url in urls:
            assert client.get(url).status_code == 404, who
    # A photo id under another ticket's number is not found either.
    other = _submit(people, cats)
    client.force_login(people.resident)
    assert client.get(reverse("tickets:photo", args=[other.pk, photo.pk])).status_code == 404
    client.logout()
    assert client.get(urls[0]).status_code == 302


def test_photos_are_not_under_a_public_url(people, cats, settings):
    ticket = _submit(people, cats, photos=[image_file()])
    from django.urls import Resolver404, resolve

    with pytest.raises(Resolver404):
        resolve(settings.MEDIA_URL + ticket.photos.get().file.name)


# --------------------------------------------------------------------------- API


def test_api_accepts_multipart_photos_and_lists_them(client, people, cats):
    client.force_login(people.resident)
    res = client.post(
        "/api/v1/tickets/",
        {
            "kind": Kind.HELP,
            "category": cats.repair.pk,
            "text": "楼道漏水",
            "photos": [image_file("a.jpg"), image_file("b.webp", fmt="WEBP")],
        },
    )
    assert res.status_code == 201, res.content
    body = res.json()
    assert len(body["photos"]) == 2 and body["photos"][0]["stage"] == "intake"
    assert client.get(body["photos"][0]["thumb_url"]).status_code == 200
    detail = client.get(f"/api/v1/tickets/{body['id']}/").json()
    assert [p["id"] for p in detail["photos"]] == [p["id"] for p in body["photos"]]


def test_api_refuses_a_fake_photo_with_400_and_writes_nothing(client, people, cats, settings):
    client.force_login(people.resident)
    res = client.post(
        "/api/v1/tickets/",
        {
            "kind": Kind.HELP,
            "category": cats.repair.pk,
            "text": "楼道漏水",
            "photos": [SimpleUploadedFile("a.jpg", b"<?php echo 1;", content_type="image/jpeg")],
        },
    )
    assert res.status_code == 400 and "photos" in res.json()
    assert not Ticket.objects.exists() and _files(settings) == []


def test_api_resolve_takes_photos(client, drive, people):
    ticket = drive(Status.IN_PROGRESS)
    client.force_login(people.pm1)
    res = client.post(
        f"/api/v1/tickets/{ticket.pk}/resolve/", {"note": "好了", "photos": [image_file()]}
    )
    assert res.status_code == 200, res.content
    assert [p["stage"] for p in res.json()["photos"]] == ["resolution"]


def test_detail_queries_are_bounded_with_many_photos(
    client, people, cats, django_assert_max_num_queries
):
    ticket = _submit(people, cats, photos=[image_file(f"{i}.jpg") for i in range(9)])
    run_step(ticket, Step.ACCEPT, people.gw, {})
    client.force_login(people.gw)
    with django_assert_max_num_queries(30):
        res = client.get(reverse("tickets:detail", args=[ticket.pk]))
    assert res.content.decode().count("gz-thumb") == 9


@pytest.mark.parametrize("page", ["patrol", "enter"])
def test_staff_attach_photos_on_patrol_reports_and_entries(client, people, cats, world, page):
    client.force_login(people.gw)
    data = {
        "kind": Kind.REPORT,
        "category": cats.repair.pk,
        "text": "垃圾堆放",
        "place": world.grid_a1_1.buildings[0].pk,
        "photos": [image_file("a.jpg"), image_file("b.png", fmt="PNG")],
    }
    if page == "enter":
        data.update(channel="phone", on_behalf_of_name="王大爷", kind=Kind.HELP)
    res = client.post(reverse(f"tickets:{page}"), data)
    assert res.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.photos.count() == 2
    assert set(ticket.photos.values_list("uploaded_by", flat=True)) == {people.gw.pk}
