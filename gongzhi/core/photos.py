"""Photos (kernel): checking uploads, stripping their metadata, writing them — for every app
that takes photos (tickets, partner units' evidence, microprojects' work and receipts).

An upload is trusted for nothing: its type is sniffed by decoding it with Pillow (JPEG, PNG and
WebP only; the file name and content type are ignored), its pixel count is checked before the
pixels are decoded (decompression bombs), and it is re-encoded as a fresh JPEG, so nothing of
the original file — EXIF, GPS position, camera serial, embedded thumbnails — is kept. The GPS
position is read first and handed back to the caller, who uses it only when the submitter
ticked "share my location".

`prepare()` checks every file and raises one ValidationError before anything is written, so a
bad photo stops the whole step. `write()` then writes the files and the rows of the app's photo
model inside the caller's transaction; `files_removed_on_error()` deletes the written files
again if that transaction fails. Limits: settings.TICKET_PHOTO_MAX_BYTES, _MAX_COUNT and
_MAX_PIXELS (named after the first app that took photos; they apply to all).

`AttachedPhoto` is the abstract model every app's photo model inherits: the columns `write()`
fills (`file`, `thumb`, `width`, `height`, `size`, `uploaded_by`, `created_at`), stored under
`<app label>/<year>/<month>/` (`upload_path`), and `serve()` for the app's scoped view. An app
adds its own foreign key(s) and Meta, and overrides a column only where its table differs.
"""

from __future__ import annotations

import io
import uuid
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any, TypeVar, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import models
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from gongzhi.core import clock
from gongzhi.core.models import User

M = TypeVar("M", bound=models.Model)

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
LONG_SIDE = 2048  # stored photos are scaled down to this many pixels on the long side
THUMB_SIDE = 320
JPEG_QUALITY = 85
GPS_IFD = 0x8825


@dataclass
class Prepared:
    content: bytes
    thumb: bytes
    width: int
    height: int
    gps: tuple[Decimal, Decimal] | None = None

    @property
    def size(self) -> int:
        return len(self.content)


def _name(upload: object) -> str:
    # Only for messages; escaped by the template like any other text.
    return str(getattr(upload, "name", "") or _("photo"))[:80]


def _dms(value: Any, ref: object) -> float | None:
    try:
        degrees, minutes, seconds = (float(v) for v in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = degrees + minutes / 60 + seconds / 3600
    return -result if str(ref).upper() in ("S", "W") else result


def gps_of(image: Image.Image) -> tuple[Decimal, Decimal] | None:
    """(lat, lng) from the EXIF GPS block, or None."""
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
    except Exception:  # noqa: BLE001 — broken EXIF is ignored, never fatal
        return None
    if not gps or 2 not in gps or 4 not in gps:
        return None
    lat, lng = _dms(gps[2], gps.get(1, "N")), _dms(gps[4], gps.get(3, "E"))
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    if lat == 0 and lng == 0:
        return None
    return Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}")


def _encode(image: Image.Image, side: int) -> tuple[bytes, int, int]:
    copy = image.copy()
    copy.thumbnail((side, side))
    out = io.BytesIO()
    # A new image without `exif=`/`icc_profile=`: the original metadata is not carried over.
    copy.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue(), copy.width, copy.height


def _flatten(image: Image.Image) -> Image.Image:
    """RGB for JPEG: transparent areas become white."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _read_bytes(upload: IO[bytes]) -> bytes:
    upload.seek(0)
    return upload.read()


def prepare_one(upload: IO[bytes]) -> Prepared:
    name = _name(upload)
    size = getattr(upload, "size", None)
    limit = settings.TICKET_PHOTO_MAX_BYTES
    if size is not None and size > limit:
        raise ValidationError(
            _("%(name)s is too large (at most %(mb)s MB). Please send a smaller photo.")
            % {"name": name, "mb": limit // (1024 * 1024)}
        )
    data = _read_bytes(upload)
    if len(data) > limit:
        raise ValidationError(
            _("%(name)s is too large (at most %(mb)s MB). Please send a smaller photo.")
            % {"name": name, "mb": limit // (1024 * 1024)}
        )
    not_a_photo = ValidationError(
        _("%(name)s is not a photo we can read. Please send a JPEG, PNG or WebP image.")
        % {"name": name}
    )
    bomb = ValidationError(
        _("%(name)s has too many pixels. Please send a smaller photo.") % {"name": name}
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))  # reads the header only
            if image.format not in ACCEPTED_FORMATS:
                raise not_a_photo
            if image.width * image.height > settings.TICKET_PHOTO_MAX_PIXELS:
                raise bomb
            image.load()
            gps = gps_of(image)
            image = ImageOps.exif_transpose(image)  # keep the orientation, drop the tag
            image = _flatten(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise bomb from None
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise not_a_photo from None
    content, width, height = _encode(image, LONG_SIDE)
    thumb, _w, _h = _encode(image, THUMB_SIDE)
    return Prepared(content=content, thumb=thumb, width=width, height=height, gps=gps)


def prepare(uploads: Iterable[IO[bytes] | None] | None) -> list[Prepared]:
    """Check and re-encode every upload; one ValidationError {"photos": [...]} for all
    problems, before anything is written."""
    files = [u for u in (uploads or []) if u]
    if len(files) > settings.TICKET_PHOTO_MAX_COUNT:
        raise ValidationError(
            {
                "photos": _("At most %(n)s photos, please choose fewer.")
                % {"n": settings.TICKET_PHOTO_MAX_COUNT}
            }
        )
    prepared: list[Prepared] = []
    errors: list[str] = []
    for upload in files:
        try:
            prepared.append(prepare_one(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"photos": errors})
    return prepared


def first_location(prepared: list[Prepared]) -> tuple[Decimal, Decimal] | None:
    return next((p.gps for p in prepared if p.gps), None)


def write(
    model: type[M],
    prepared: list[Prepared],
    *,
    user: User | None,
    written: list[str],
    **fields: Any,
) -> list[M]:
    """Rows of a photo model (`file`, `thumb`, `width`, `height`, `size`, `uploaded_by`, plus
    `fields`) for prepared photos, with their files; file names are appended to `written`."""
    rows: list[M] = []
    for item in prepared:
        key = uuid.uuid4().hex
        photo: Any = model(
            width=item.width, height=item.height, size=item.size, uploaded_by=user, **fields
        )
        photo.file.save(f"{key}.jpg", ContentFile(item.content), save=False)
        written.append(photo.file.name)
        photo.thumb.save(f"{key}-t.jpg", ContentFile(item.thumb), save=False)
        written.append(photo.thumb.name)
        rows.append(photo)
    cast(Any, model).objects.bulk_create(rows)
    return rows


@contextmanager
def files_removed_on_error(storage: Storage | None = None) -> Iterator[list[str]]:
    """Files are not transactional: wrap the transaction that writes photos in this, and the
    files written (the names `write` appends to the list yielded) are deleted again from
    `storage` (the photo models' default storage) when it fails."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        storage = storage or default_storage
        for name in written:
            with suppress(OSError):
                storage.delete(name)
        raise


def response(file: Any) -> FileResponse:
    """A stored photo (re-encoded JPEG by `write`) as a response to its page, cached by the
    viewer's browser only; a file gone from storage (or never written) is a 404, not a 500."""
    try:
        handle = file.open("rb")
    except (OSError, ValueError):  # FileNotFoundError is an OSError; no file at all: ValueError
        raise Http404 from None
    served = FileResponse(handle, content_type="image/jpeg")
    served["Cache-Control"] = "private, max-age=3600"
    served["X-Content-Type-Options"] = "nosniff"
    return served


def upload_path(instance: models.Model, filename: str) -> str:
    """Where an attached photo's files go: under its app's label and the month of upload. The
    name never comes from the upload (`write` gives a random one)."""
    return f"{instance._meta.app_label}/{clock.today():%Y/%m}/{filename}"


class AttachedPhoto(models.Model):
    """The columns of a photo attached to something (a ticket, a claim, an agreement…), as
    `write()` fills them. Concrete models add their foreign key(s), Meta and, where their table
    was made differently, their own definition of a column (`created_at = None` drops it)."""

    file = models.FileField(gettext_lazy("file"), upload_to=upload_path, max_length=200)
    thumb = models.FileField(gettext_lazy("thumbnail"), upload_to=upload_path, max_length=200)
    width = models.PositiveIntegerField(gettext_lazy("width"))
    height = models.PositiveIntegerField(gettext_lazy("height"))
    size = models.PositiveIntegerField(gettext_lazy("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(gettext_lazy("created at"), default=clock.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self.file.name or "")

    def serve(self, *, thumb: bool = False) -> FileResponse:
        """The photo (or its thumbnail) for a view that has already checked the viewer may
        see what it is attached to."""
        return response(self.thumb if thumb else self.file)
