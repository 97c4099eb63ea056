"""Writes to the people registry. Each is one transaction, permission-checked and audited.

ID numbers and phone numbers never leave this module in plain text except as the return
value of `reveal()` (audited) and inside an unmasked export (right + reason, audited). The
audit records carry the masked forms only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, crypto, exports
from gongzhi.core.access import Grant
from gongzhi.core.auth import PHONE_RE
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.people import idcard, pinyin
from gongzhi.people.idcard import Gender, IdType
from gongzhi.people.models import (
    Membership,
    Relation,
    ResidenceStatus,
    Resident,
    ResidentTag,
    Tag,
)
from gongzhi.places.models import Household

REASON_MIN_LENGTH = 4
EXPORT_LIMIT = 20_000

# Fields recorded in the audit trail (masked forms only).
AUDITED_FIELDS = [
    "name",
    "gender",
    "birth_date",
    "id_type",
    "id_masked",
    "phone_masked",
    "household_id",
    "relation",
    "residence_status",
    "specialty",
    "consent_personal_info",
    "consent_contact",
    "consent_publicity",
    "is_active",
]
PLAIN_FIELDS = [
    "name",
    "relation",
    "residence_status",
    "specialty",
    "consent_personal_info",
    "consent_contact",
    "consent_publicity",
]
UPDATABLE_FIELDS = frozenset(
    [*PLAIN_FIELDS, "id_type", "id_number", "phone", "gender", "birth_date", "tags"]
)


# --- Validation shared with the import ------------------------------------------------


def normalize_phone(raw: str | None) -> str:
    """Without spaces, dashes, brackets or a +86 / 86 prefix (not yet validated)."""
    text = re.sub(r"[\s\-()]", "", raw or "")
    if text.startswith("+86"):
        return text[3:]
    if text.startswith("86") and len(text) == 13:
        return text[2:]
    return text


def clean_phone(raw: str | None) -> str:
    """A mainland mobile number without spaces, dashes or +86; "" when empty."""
    text = normalize_phone(raw)
    if text and not PHONE_RE.fullmatch(text):
        raise ValidationError(
            {"phone": _("A mobile number has 11 digits and starts with 13 to 19.")}
        )
    return text


def check_identity(
    id_type: str, id_number: str, gender: str | None = None, birth_date: dt.date | None = None
) -> tuple[str, str, dt.date | None]:
    """Validate a document; return (normalised number, gender, birth date).

    For an 18-digit number gender and birth date come from the number; a given gender or
    birth date that contradicts it is an error naming the field.
    """
    if id_type not in IdType.values:
        raise ValidationError({"id_type": _("Unknown document type.")})
    try:
        facts = idcard.parse(id_type, id_number)
    except idcard.IdError as error:
        raise ValidationError({"id_number": error.message}) from error
    errors: dict[str, Any] = {}
    if facts.gender is not None:
        if gender and gender != Gender.UNKNOWN and gender != facts.gender:
            errors["gender"] = _(
                "The gender does not match the ID number: the number belongs to a %(gender)s."
            ) % {"gender": Gender(facts.gender).label.lower()}
        gender = facts.gender
    if facts.birth_date is not None:
        if birth_date and birth_date != facts.birth_date:
            errors["birth_date"] = _(
                "The birth date does not match the birth date inside the ID number."
            )
        birth_date = facts.birth_date
    if errors:
        raise ValidationError(errors)
    if birth_date and birth_date > clock.today():
        raise ValidationError({"birth_date": _("The birth date is in the future.")})
    return facts.number, gender or Gender.UNKNOWN, birth_date


def clean_tags(tags: Iterable[str] | None) -> list[str]:
    values = sorted(set(tags or []))
    unknown = [t for t in values if t not in Tag.values]
    if unknown:
        raise ValidationError({"tags": _("Unknown tag: %(tag)s") % {"tag": ", ".join(unknown)}})
    return values


def mask_name(name: str) -> str:
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else "*"


def _check_unique_id(actor: User, id_index: str, exclude_pk: int | None = None) -> None:
    """One person per document: name the existing record (masked when outside scope)."""
    others = Resident.objects.filter(id_index=id_index)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    existing = others.first()
    if existing is None:
        return
    from gongzhi.people.selectors import visible_residents

    if visible_residents(actor).filter(pk=existing.pk).exists():
        message = _("This document number is already registered for %(name)s (record %(id)s).") % {
            "name": existing.name,
            "id": existing.pk,
        }
    else:
        message = _(
            "This document number is already registered for %(name)s outside your area; "
            "ask the community that keeps the record to move the person."
        ) % {"name": mask_name(existing.name)}
    raise ValidationError({"id_number": message})


def _save_unique(resident: Resident, **kwargs: Any) -> None:
    """Save; a concurrent duplicate (unique blind index) becomes a field error."""
    try:
        with transaction.atomic():
            resident.save(**kwargs)
    except IntegrityError as error:
        raise ValidationError(
            {"id_number": _("This document number is already registered.")}
        ) from error


def _set_protected(resident: Resident, kind: str, plain: str) -> None:
    if kind == "id":
        resident.id_encrypted, resident.id_index, resident.id_masked = crypto.protect("id", plain)
    elif plain:
        resident.phone_encrypted, resident.phone_index, resident.phone_masked = crypto.protect(
            "phone", plain
        )
    else:
        resident.phone_encrypted = resident.phone_index = resident.phone_masked = ""


def _tags_of(resident: Resident) -> list[str]:
    return sorted(ResidentTag.objects.filter(resident=resident).values_list("tag", flat=True))


def _write_tags(resident: Resident, tags: list[str]) -> None:
    ResidentTag.objects.filter(resident=resident).exclude(tag__in=tags).delete()
    have = set(ResidentTag.objects.filter(resident=resident).values_list("tag", flat=True))
    ResidentTag.objects.bulk_create(
        [ResidentTag(resident=resident, tag=t) for t in tags if t not in have]
    )


def require_edit(actor: User, resident: Resident) -> Grant:
    return access.require(
        actor,
        Action.RESIDENT_EDIT,
        resident.place_path,
        read_action=Action.RESIDENT_VIEW,
        household_id=resident.household_id,
    )


def _require_household(actor: User, household: Household) -> Grant:
    return access.require(
        actor,
        Action.RESIDENT_EDIT,
        household.place_path,
        read_action=Action.RESIDENT_VIEW,
        household_id=household.pk,
    )


# --- Writes ---------------------------------------------------------------------------


@transaction.atomic
def create_resident(
    *,
    actor: User,
    household: Household,
    name: str,
    id_type: str = IdType.RESIDENT_ID,
    id_number: str,
    phone: str = "",
    relation: str = Relation.HEAD,
    residence_status: str = ResidenceStatus.REGISTERED,
    moved_in: dt.date | None = None,
    tags: Iterable[str] = (),
    specialty: str = "",
    gender: str | None = None,
    birth_date: dt.date | None = None,
    consent_personal_info: bool = False,
    consent_contact: bool = False,
    consent_publicity: bool = False,
) -> Resident:
    grant = _require_household(actor, household)
    name = (name or "").strip()
    errors: dict[str, list] = {}
    if not name:
        errors.setdefault("name", []).append(_("The name is required."))
    number, gender_, birth = "", gender or Gender.UNKNOWN, birth_date
    try:
        number, gender_, birth = check_identity(id_type, id_number, gender, birth_date)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    try:
        phone = clean_phone(phone)
    except ValidationError as error:
        errors.setdefault("phone", []).extend(error.message_dict["phone"])
    try:
        tag_values = clean_tags(tags)
    except ValidationError as error:
        errors.setdefault("tags", []).extend(error.message_dict["tags"])
    if errors:
        raise ValidationError(errors)
    id_index = crypto.blind_index("id", number)
    _check_unique_id(actor, id_index)
    now = clock.now()
    resident = Resident(
        name=name,
        name_initials=pinyin.initials(name),
        gender=gender_,
        birth_date=birth,
        id_type=id_type,
        household=household,
        relation=relation,
        place_path=household.place_path,
        residence_status=residence_status,
        specialty=(specialty or "").strip(),
        consent_personal_info=consent_personal_info,
        consent_contact=consent_contact,
        consent_publicity=consent_publicity,
        is_active=True,
        created_at=now,
        updated_at=now,
    )
    _set_protected(resident, "id", number)
    _set_protected(resident, "phone", phone)
    resident.full_clean(exclude=["id_index", "name_initials"])
    _save_unique(resident)
    _write_tags(resident, tag_values)
    Membership.objects.create(
        resident=resident, household=household, relation=relation, moved_in=moved_in
    )
    changes = audit.diff(resident, {}, AUDITED_FIELDS)
    if tag_values:
        changes["tags"] = [[], tag_values]
    audit.record(
        actor=actor,
        post=grant.post,
        action="resident.create",
        target=resident,
        place_path=resident.place_path,
        changes=changes,
    )
    return resident


@transaction.atomic
def update_resident(resident: Resident, *, actor: User, **fields: Any) -> Resident:
    """Change the given fields. `id_number` / `phone` are plain inputs (never stored plain);
    an empty `phone` clears it. The household changes only through `move_resident`."""
    unknown = set(fields) - UPDATABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    grant = require_edit(actor, resident)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    before = audit.snapshot(resident, AUDITED_FIELDS)
    tags_before = _tags_of(resident)
    errors: dict[str, list] = {}

    def collect(error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)

    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            errors.setdefault("name", []).append(_("The name is required."))
    identity_touched = any(k in fields for k in ("id_type", "id_number", "gender", "birth_date"))
    new_number = None
    if identity_touched:
        id_type = fields.get("id_type") or resident.id_type
        number = fields.get("id_number") or ""
        if not number:
            number = crypto.decrypt(resident.id_encrypted) if resident.id_encrypted else ""
        try:
            new_number, gender, birth = check_identity(
                id_type,
                number,
                fields.get("gender") or None,
                fields.get("birth_date"),
            )
        except ValidationError as error:
            collect(error)
        else:
            # Without facts in the number (passports…), keep what was recorded before.
            if gender == Gender.UNKNOWN and "gender" not in fields:
                gender = resident.gender
            if birth is None and "birth_date" not in fields:
                birth = resident.birth_date
            resident.id_type, resident.gender, resident.birth_date = id_type, gender, birth
    phone = None
    if "phone" in fields:
        try:
            phone = clean_phone(fields["phone"])
        except ValidationError as error:
            collect(error)
    tag_values = None
    if "tags" in fields:
        try:
            tag_values = clean_tags(fields["tags"])
        except ValidationError as error:
            collect(error)
    if errors:
        raise ValidationError(errors)
    for name in PLAIN_FIELDS:
        if name in fields:
            setattr(resident, name, fields[name])
    resident.name_initials = pinyin.initials(resident.name)
    if new_number is not None:
        index = crypto.blind_index("id", new_number)
        if index != resident.id_index:
            _check_unique_id(actor, index, exclude_pk=resident.pk)
            _set_protected(resident, "id", new_number)
    if phone is not None and crypto.blind_index("phone", phone) != resident.phone_index:
        _set_protected(resident, "phone", phone)
    resident.full_clean(exclude=["id_index", "name_initials", "household"])
    changes = audit.diff(resident, before, AUDITED_FIELDS)
    if tag_values is not None and tag_values != tags_before:
        changes["tags"] = [tags_before, tag_values]
        _write_tags(resident, tag_values)
    if not changes:
        return resident
    resident.updated_at = clock.now()
    _save_unique(resident)
    audit.record(
        actor=actor,
        post=grant.post,
        action="resident.update",
        target=resident,
        place_path=resident.place_path,
        changes=changes,
    )
    return resident


@transaction.atomic
def set_tags(resident: Resident, tags: Iterable[str], *, actor: User) -> Resident:
    return update_resident(resident, actor=actor, tags=list(tags))


def _close_membership(resident: Resident, date: dt.date) -> None:
    current = (
        Membership.objects.select_for_update().filter(resident=resident, moved_out__isnull=True)
    ).first()
    if current is None:
        return
    if current.moved_in and date < current.moved_in:
        raise ValidationError(
            {"moved_in": _("The move date cannot be before the date the person moved in.")}
        )
    current.moved_out = date
    current.save(update_fields=["moved_out"])


@transaction.atomic
def move_resident(
    resident: Resident,
    new_household: Household,
    relation: str,
    moved_in: dt.date | None = None,
    *,
    actor: User,
) -> Resident:
    """Close the current membership (moved out on the move date) and open a new one.
    Needs the edit right at both ends."""
    grant = require_edit(actor, resident)
    _require_household(actor, new_household)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    moved_in = moved_in or clock.today()
    if resident.household_id == new_household.pk and resident.is_active:
        raise ValidationError({"household": _("The person already lives in this household.")})
    if relation not in Relation.values:
        raise ValidationError({"relation": _("Choose a relation to the head.")})
    before = audit.snapshot(resident, AUDITED_FIELDS + ["place_path"])
    _close_membership(resident, moved_in)
    Membership.objects.create(
        resident=resident, household=new_household, relation=relation, moved_in=moved_in
    )
    resident.household = new_household
    resident.place_path = new_household.place_path
    resident.relation = relation
    resident.is_active = True
    resident.updated_at = clock.now()
    resident.save()
    audit.record(
        actor=actor,
        post=grant.post,
        action="resident.move",
        target=resident,
        place_path=resident.place_path,
        changes=audit.diff(
            resident, before, ["household_id", "relation", "place_path", "is_active"]
        ),
    )
    return resident


@transaction.atomic
def move_out(resident: Resident, date: dt.date | None = None, *, actor: User) -> Resident:
    """The person left the area: the membership is closed and the record inactive. The
    household and place path stay (history, and the old community can still find the
    record under "moved out"); current lists show active residents only."""
    grant = require_edit(actor, resident)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if not resident.is_active:
        raise ValidationError({"moved_out": _("The person has already moved out.")})
    date = date or clock.today()
    _close_membership(resident, date)
    resident.is_active = False
    resident.updated_at = clock.now()
    resident.save(update_fields=["is_active", "updated_at"])
    audit.record(
        actor=actor,
        post=grant.post,
        action="resident.move_out",
        target=resident,
        place_path=resident.place_path,
        changes={"is_active": [True, False], "moved_out": date.isoformat()},
    )
    return resident


# --- The login of a resident ------------------------------------------------------------


@transaction.atomic
def link_login(*, actor: User) -> Resident | None:
    """Link a login to the registry record of the person behind it: when no record is linked
    to it yet, the living, unlinked resident with the login's phone
    (`selectors.phone_match`). The actor is that login (it links only its own record, so no
    right is needed beyond being logged in); audited as `resident.link_login`, the phone
    never in the record. Returns the record linked now, or None (nothing to link). Called at
    login (gongzhi/people/receivers.py)."""
    from gongzhi.people import selectors

    if not actor.is_authenticated or Resident.objects.filter(user=actor).exists():
        return None
    match = selectors.phone_match(actor)
    if match is None:
        return None
    try:
        with transaction.atomic():
            linked = Resident.objects.filter(pk=match.pk, user=None).update(user=actor)
    except IntegrityError:  # a concurrent login linked another record to this login
        return None
    if not linked:  # a concurrent login took this record
        return None
    match.user = actor
    audit.record(
        actor=actor,
        action="resident.link_login",
        target=match,
        place_path=match.place_path,
        changes={"user_id": [None, actor.pk]},
    )
    return match


# --- Reveal and export ---------------------------------------------------------------

REVEAL_ACTIONS = {"phone": Action.REVEAL_PHONE, "id": Action.REVEAL_ID}


def clean_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if len(text) < REASON_MIN_LENGTH:
        raise ValidationError(
            {
                "reason": _("State the reason in at least %(n)s characters.")
                % {"n": REASON_MIN_LENGTH}
            }
        )
    return text


@transaction.atomic
def reveal(resident: Resident, field: str, reason: str, *, actor: User) -> str:
    """The full phone or ID number, once; audited with the field and reason (never the value)."""
    action = REVEAL_ACTIONS.get(field)
    if action is None:
        raise ValidationError({"field": _("Only the phone or the ID number can be revealed.")})
    grant = access.require(
        actor,
        action,
        resident.place_path,
        read_action=Action.RESIDENT_VIEW,
        household_id=resident.household_id,
    )
    reason = clean_reason(reason)
    token = resident.phone_encrypted if field == "phone" else resident.id_encrypted
    audit.record(
        actor=actor,
        post=grant.post,
        action="pii.reveal",
        target=resident,
        place_path=resident.place_path,
        changes={"field": field},
        reason=reason,
    )
    return crypto.decrypt(token) if token else ""


def export_headers(full: bool) -> list[str]:
    return [
        _("Name"),
        _("Gender"),
        _("Birth date"),
        _("Document type"),
        _("Document number"),
        _("Phone"),
        _("Address"),
        _("Relation to the head"),
        _("Residence status"),
        _("Tags"),
        _("Skills and specialties"),
    ]


def _export_row(resident: Resident, full: bool) -> list[Any]:
    if full:
        id_value = crypto.decrypt(resident.id_encrypted) if resident.id_encrypted else ""
        phone = crypto.decrypt(resident.phone_encrypted) if resident.phone_encrypted else ""
    else:
        id_value, phone = resident.id_masked, resident.phone_masked
    tags = [t.get_tag_display() for t in resident.tags.all()]
    from gongzhi.people.selectors import age_tags

    return [
        resident.name,
        resident.get_gender_display(),
        resident.birth_date,
        resident.get_id_type_display(),
        id_value,
        phone,
        resident.household.short_address if resident.household is not None else "",
        resident.get_relation_display(),
        resident.get_residence_status_display(),
        "、".join([*age_tags(resident), *tags]),
        resident.specialty,
    ]


@transaction.atomic
def export_residents(
    params: Mapping[str, Any],
    *,
    actor: User,
    full: bool = False,
    reason: str = "",
    fmt: str = "xlsx",
) -> tuple[bytes, int]:
    """The residents matching `params` (the search of the list page) that the actor may
    export, as xlsx (or CSV). Masked unless `full` (right + reason). Audited."""
    from gongzhi.people import selectors

    action = Action.RESIDENT_EXPORT_FULL if full else Action.RESIDENT_EXPORT
    grants = access.grants(actor, action)
    if not grants:
        if access.has_any(actor, Action.RESIDENT_VIEW):
            raise PermissionDenied
        raise Http404
    if full:
        reason = clean_reason(reason)
    base = access.scoped(
        Resident.objects.all(), actor, action, path_field="place_path", own_field="household_id"
    )
    qs = selectors.search(actor, params, base=base)
    count = qs.count()
    if count > EXPORT_LIMIT:
        raise ValidationError(
            _("More than %(n)s residents match: narrow the filters before exporting.")
            % {"n": EXPORT_LIMIT}
        )
    qs = qs.select_related("household__building").prefetch_related("tags")
    rows = [_export_row(r, full) for r in qs.iterator(chunk_size=2000)]
    headers = export_headers(full)
    data = exports.write_csv(rows, headers) if fmt == "csv" else exports.write_xlsx(rows, headers)
    grant = grants[0]
    audit.record(
        actor=actor,
        post=grant.post,
        action="resident.export",
        place_path=grant.path or "",
        target_repr=_("Resident list"),
        changes={"filter": selectors.describe_params(params), "count": count, "full": full},
        reason=reason if full else "",
    )
    return data, count
