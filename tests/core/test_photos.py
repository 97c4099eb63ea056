"""Photos in the kernel (gongzhi.core.photos): only real images, re-encoded without metadata, the
GPS position read first and handed back, limits checked before decoding, files written for any
app's photo model and removed again when the transaction fails."""

from __future__ import annotations

import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.core import photos

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def image_file(name="photo.jpg", fmt="JPEG", size=(64, 48), gps=None, camera=None, mode="RGB"):
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 128))
    buf = io.BytesIO()
    options = {}
    if gps or camera:
        exif = Image.Exif()
        if camera:
            exif[0x010F] = camera
        if gps:
            lat, lng = gps
            exif.get_ifd(0x8825).update(
                {1: "N", 2: (float(lat), 0.0, 0.0), 3: "E", 4: (float(lng), 0.0, 0.0)}
            )
        options["exif"] = exif
    image.save(buf, fmt, **options)
    return SimpleUploadedFile(name, buf.getvalue(), content_type=f"image/{fmt.lower()}")


def test_a_photo_is_re_encoded_without_metadata_and_its_position_handed_back():
    prepared = photos.prepare_one(image_file(gps=(28.005, 112.005), camera="SecretCam 3000"))
    assert prepared.gps == (Decimal("28.005000"), Decimal("112.005000"))
    stored = Image.open(io.BytesIO(prepared.content))
    assert stored.format == "JPEG" and (stored.width, stored.height) == (64, 48)
    assert not stored.getexif() and b"SecretCam" not in prepared.content
    assert prepared.size == len(prepared.content) and prepared.thumb
    assert photos.first_location([photos.prepare_one(image_file()), prepared]) == prepared.gps


def test_large_photos_are_scaled_down_and_transparency_becomes_white():
    prepared = photos.prepare_one(image_file("a.png", fmt="PNG", size=(4000, 1000), mode="RGBA"))
    assert (prepared.width, prepared.height) == (photos.LONG_SIDE, photos.LONG_SIDE // 4)
    thumb = Image.open(io.BytesIO(prepared.thumb))
    assert max(thumb.size) == photos.THUMB_SIDE and thumb.mode == "RGB"


def test_only_jpeg_png_and_webp_images_are_accepted():
    assert photos.prepare([image_file("b.webp", fmt="WEBP")])[0].width == 64
    for upload in (
        SimpleUploadedFile("x.jpg", b"<?php echo 1;", content_type="image/jpeg"),
        image_file("x.gif", fmt="GIF"),
    ):
        with pytest.raises(ValidationError) as error:
            photos.prepare([upload])
        assert "JPEG, PNG or WebP" in error.value.message_dict["photos"][0]


def test_every_problem_in_one_error_before_anything_is_written(settings):
    settings.TICKET_PHOTO_MAX_PIXELS = 1000
    with pytest.raises(ValidationError) as error:
        photos.prepare([image_file("a.jpg"), SimpleUploadedFile("b.jpg", b"no")])
    messages = error.value.message_dict["photos"]
    assert len(messages) == 2 and "too many pixels" in messages[0]
    settings.TICKET_PHOTO_MAX_COUNT = 2
    with pytest.raises(ValidationError) as error:
        photos.prepare([image_file(f"{i}.jpg") for i in range(3)])
    assert "At most 2 photos" in error.value.message_dict["photos"][0]
    assert photos.prepare(None) == [] and photos.prepare([None, ""]) == []


def test_a_too_large_file_is_refused(settings):
    settings.TICKET_PHOTO_MAX_BYTES = 1024 * 1024
    big = image_file("big.png", fmt="PNG")
    big.size = 2 * 1024 * 1024
    with pytest.raises(ValidationError) as error:
        photos.prepare_one(big)
    assert "too large (at most 1 MB)" in error.value.messages[0]


class _Field:
    def __init__(self) -> None:
        self.name = ""

    def save(self, name, content, save=False):
        self.name = default_storage.save(f"kernel-test/{name}", content)


class _PhotoModel:
    """Stands for an app's photo model: file, thumb, width, height, size, uploaded_by."""

    saved: list = []

    def __init__(self, **fields) -> None:
        self.__dict__.update(fields)
        self.file, self.thumb = _Field(), _Field()

    objects = SimpleNamespace(bulk_create=lambda rows: _PhotoModel.saved.extend(rows))


def test_write_stores_files_and_rows_for_any_photo_model():
    _PhotoModel.saved = []
    prepared = photos.prepare([image_file("a.jpg"), image_file("b.png", fmt="PNG")])
    written: list[str] = []
    rows = photos.write(_PhotoModel, prepared, user=None, written=written, claim="c1")
    assert rows == _PhotoModel.saved and len(rows) == 2
    assert rows[0].claim == "c1" and rows[0].width == 64 and rows[0].uploaded_by is None
    assert len(written) == 4 and all(default_storage.exists(name) for name in written)


def test_files_are_removed_when_the_transaction_fails():
    prepared = photos.prepare([image_file()])
    with pytest.raises(RuntimeError), photos.files_removed_on_error() as written:
        photos.write(_PhotoModel, prepared, user=None, written=written)
        assert all(default_storage.exists(name) for name in written)
        raise RuntimeError("the transaction failed")
    assert written and not any(default_storage.exists(name) for name in written)
    with photos.files_removed_on_error() as kept:
        photos.write(_PhotoModel, prepared, user=None, written=kept)
    assert all(default_storage.exists(name) for name in kept)


# --------------------------------------------------------------------------- the abstract model


def _attached_models():
    from django.apps import apps

    return [m for m in apps.get_models() if issubclass(m, photos.AttachedPhoto)]


def test_every_app_photo_model_has_the_columns_write_fills():
    found = {m._meta.label for m in _attached_models()}
    assert {"tickets.TicketPhoto", "partners.ClaimPhoto", "keytasks.AnswerPhoto",
            "keytasks.ProgressPhoto", "mediation.AgreementScan", "workforce.CertificateScan",
            "workforce.AppointmentReportScan", "care.VisitPhoto", "partylife.MeetingPhoto",
            "partylife.IndexEvidence"} <= found  # fmt: skip
    for model in _attached_models():
        names = {f.name for f in model._meta.get_fields()}
        assert {"file", "thumb", "width", "height", "size", "uploaded_by"} <= names, model
        assert model._meta.get_field("file").upload_to is photos.upload_path, model
        assert model._meta.get_field("thumb").upload_to is photos.upload_path, model


def test_a_photo_is_stored_under_its_app_and_the_month_of_upload():
    import datetime as dt

    from gongzhi.core import clock
    from gongzhi.keytasks.models import ProgressPhoto
    from gongzhi.mediation.models import AgreementScan

    with clock.travel_to(dt.datetime(2031, 2, 3, 10, 0, tzinfo=dt.UTC)):
        assert photos.upload_path(AgreementScan(), "k.jpg") == "mediation/2031/02/k.jpg"
        assert photos.upload_path(ProgressPhoto(), "k.jpg") == "keytasks/2031/02/k.jpg"
    assert "created_at" not in {f.name for f in ProgressPhoto._meta.get_fields()}


def test_serve_gives_the_photo_or_its_thumbnail_privately_and_404_when_missing():
    from django.core.files.base import ContentFile
    from django.http import Http404

    from gongzhi.mediation.models import AgreementScan

    scan = AgreementScan(width=1, height=1, size=4)
    scan.file.save("big.jpg", ContentFile(b"big!"), save=False)
    scan.thumb.save("small.jpg", ContentFile(b"tiny"), save=False)
    assert str(scan) == scan.file.name and scan.file.name.startswith("mediation/")
    served = scan.serve()
    assert b"".join(served.streaming_content) == b"big!"
    assert served["Content-Type"] == "image/jpeg"
    assert served["Cache-Control"] == "private, max-age=3600"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(scan.serve(thumb=True).streaming_content) == b"tiny"
    default_storage.delete(scan.file.name)
    with pytest.raises(Http404):
        AgreementScan(file=scan.file.name).serve()  # gone from storage
    with pytest.raises(Http404):
        AgreementScan().serve(thumb=True)  # never written
