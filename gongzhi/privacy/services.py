"""Every write of the privacy app: one transaction, an access check and an audit record each.

- `export_my_data`: the right of access and copy (PIPL art. 45), as JSON or xlsx;
- `file_request`, `start_request`, `complete_request`, `refuse_request`: correction and deletion
  requests (arts. 46–47) and refusals with a reason (art. 50);
- `anonymise_resident`: what "done" means for a deletion request;
- `give_consent`, `withdraw_consent`: consent records (arts. 14–16, 28–29, 31).

Audit records carry counts and field names, never the personal data itself.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, exports, inputs
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Action
from gongzhi.people.models import Resident, ResidentTag
from gongzhi.places.models import Place
from gongzhi.privacy import notice, registry, selectors
from gongzhi.privacy.models import (
    Consent,
    ConsentChannel,
    PrivacyRequest,
    Purpose,
    RequestKind,
    RequestStatus,
)

TEXT_MAX = 1000
COMMUNITY_DEPTH = 2
JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def _own_grant(actor: User) -> access.Grant:
    """The actor's grant of `privacy.self`; 403 for a signed-in role without it."""
    grants = access.grants(actor, Action.PRIVACY_SELF)
    if not grants:
        raise PermissionDenied(_("Your role does not use this page."))
    return grants[0]


def _community_path(path: str) -> str:
    parts = path.strip("/").split("/")
    return "/".join(parts[: COMMUNITY_DEPTH + 1]) + "/"


# --- Access and copy (art. 45) ---------------------------------------------------------


def collect(person: registry.Person) -> list[dict[str, Any]]:
    """Every registered section for the person: [{code, label, rows}]."""
    return [
        {"code": s.code, "label": str(s.label), "rows": s.rows(person)} for s in registry.sections()
    ]


def _as_json(sections: list[dict[str, Any]]) -> bytes:
    body = {
        "generated_at": clock.now(),
        "sections": sections,
    }
    return json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")


def _as_xlsx(sections: list[dict[str, Any]]) -> bytes:
    """One sheet, one line per field (section, row number, field, value), through the
    formula-safe writer of the registry exports."""

    def lines() -> Iterator[list[Any]]:
        for section in sections:
            for n, row in enumerate(section["rows"], start=1):
                for field, value in row.items():
                    if isinstance(value, dt.datetime):
                        value = timezone.localtime(value)
                    yield [section["label"], n, field, value]

    headers = [_("Category of data"), _("Row"), _("Field"), _("Content")]
    return exports.write_xlsx(lines(), headers, title=_("My personal information"))


@transaction.atomic
def export_my_data(fmt: str = "json", *, actor: User) -> tuple[bytes, str, str]:
    """Everything held about the actor, as (content, content type, file name). The file name
    carries no personal data. Audited with the number of rows per section."""
    if fmt not in ("json", "xlsx"):
        raise ValidationError({"format": _("Choose JSON or Excel.")})
    grant = _own_grant(actor)
    person = selectors.person_of(actor)
    sections = collect(person)
    if fmt == "xlsx":
        data = _as_xlsx(sections)
        content_type = exports.XLSX_CONTENT_TYPE
    else:
        data = _as_json(sections)
        content_type = JSON_CONTENT_TYPE
    audit.record(
        actor=actor,
        post=grant.post,
        action="privacy.download",
        target=person.resident,
        target_repr=_("My personal information"),
        place_path=person.resident.place_path if person.resident else grant.path or "",
        changes={"format": fmt, "rows": {s["code"]: len(s["rows"]) for s in sections}},
    )
    name = f"personal-information-{clock.today():%Y%m%d}.{fmt}"
    return data, content_type, name


# --- Correction and deletion requests (arts. 46, 47, 50) --------------------------------


def due_date(filed: dt.date) -> dt.date:
    return filed + dt.timedelta(days=settings.PRIVACY_REQUEST_DAYS)


@transaction.atomic
def file_request(kind: str, what: str, why: str, *, actor: User) -> PrivacyRequest:
    """A resident asks for a correction or deletion of their own data."""
    grant = _own_grant(actor)
    if kind not in RequestKind.values:
        raise ValidationError({"kind": _("Choose correction or deletion.")})
    what = inputs.text(what, "what", TEXT_MAX)
    why = inputs.text(why, "why", TEXT_MAX)
    resident = selectors.person_of(actor).resident
    path = resident.place_path if resident is not None else (grant.path or "")
    community = Place.objects.filter(path=_community_path(path)).first() if path else None
    if community is None:
        raise ValidationError(
            _("Your account belongs to no community; ask your community office in person.")
        )
    request = PrivacyRequest.objects.create(
        kind=kind,
        what=what,
        why=why,
        user=actor,
        resident=resident,
        name=resident.name if resident is not None else actor.name,
        community=community,
        place_path=path,
        due_on=due_date(clock.today()),
    )
    audit.record(
        actor=actor,
        post=grant.post,
        action="privacy.request",
        target=request,
        place_path=path,
        changes={"kind": kind, "due_on": request.due_on.isoformat()},
    )
    return request


def _require_handle(actor: User, request: PrivacyRequest) -> access.Grant:
    return access.require(actor, Action.PRIVACY_HANDLE, request.place_path)


def _locked(request: PrivacyRequest) -> PrivacyRequest:
    return PrivacyRequest.objects.select_for_update().get(pk=request.pk)


def _close(
    actor: User,
    grant: access.Grant,
    request: PrivacyRequest,
    status: str,
    action: str,
    **changes: Any,
) -> PrivacyRequest:
    before = request.status
    request.status = status
    request.handled_by = actor
    if status in (RequestStatus.DONE, RequestStatus.REFUSED):
        request.closed_at = clock.now()
    request.save()
    audit.record(
        actor=actor,
        post=grant.post,
        action=action,
        target=request,
        place_path=request.place_path,
        changes={"status": [before, status], **changes},
    )
    return request


@transaction.atomic
def start_request(request: PrivacyRequest, *, actor: User) -> PrivacyRequest:
    grant = _require_handle(actor, request)
    request = _locked(request)
    if request.status != RequestStatus.RECEIVED:
        raise ValidationError(_("Only a request just received can be started."))
    return _close(actor, grant, request, RequestStatus.IN_PROGRESS, "privacy.request_start")


@transaction.atomic
def refuse_request(request: PrivacyRequest, reason: str, *, actor: User) -> PrivacyRequest:
    """Refuse with the reason the resident will read (art. 50)."""
    grant = _require_handle(actor, request)
    request = _locked(request)
    if not request.is_open:
        raise ValidationError(_("This request is already closed."))
    request.refusal_reason = inputs.text(reason, "reason", TEXT_MAX)
    return _close(actor, grant, request, RequestStatus.REFUSED, "privacy.request_refuse")


@transaction.atomic
def complete_request(request: PrivacyRequest, note: str = "", *, actor: User) -> PrivacyRequest:
    """Done. A correction is made by staff on the resident's page (people services) first;
    a deletion anonymises the person here."""
    grant = _require_handle(actor, request)
    request = _locked(request)
    if not request.is_open:
        raise ValidationError(_("This request is already closed."))
    request.note = inputs.text(note, "note", TEXT_MAX, required=False)
    changes: dict[str, Any] = {}
    if request.kind == RequestKind.DELETION:
        if request.resident is None and request.user is None:
            raise ValidationError(_("Nobody is linked to this request any more."))
        changes["anonymised"] = _anonymise(actor, grant, request.resident, request.user)
        request.refresh_from_db(fields=["name"])
    return _close(actor, grant, request, RequestStatus.DONE, "privacy.request_done", **changes)


# --- Anonymisation ------------------------------------------------------------------------


ANONYMISED_FIELDS = ["name", "birth_date", "id", "phone", "specialty", "tags", "consents", "user"]


def anonymous_name() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Anonymised")


def _anonymise(
    actor: User | None,
    grant: access.Grant | None,
    resident: Resident | None,
    user: User | None,
) -> dict[str, int]:
    """Remove what identifies the person; keep the records the law requires (tickets, ballots,
    ledger entries, the audit trail), which then point at an anonymous record."""
    name = anonymous_name()
    counts = {"resident": 0, "user": 0}
    if resident is not None:
        user = user or resident.user
        ResidentTag.objects.filter(resident=resident).delete()
        Resident.objects.filter(pk=resident.pk).update(
            name=name,
            name_initials="",
            birth_date=None,
            id_encrypted="",
            id_index=None,
            id_masked="",
            phone_encrypted="",
            phone_index="",
            phone_masked="",
            specialty="",
            consent_personal_info=False,
            consent_contact=False,
            consent_publicity=False,
            is_active=False,
            user=None,
            updated_at=clock.now(),
        )
        counts["resident"] = 1
    if user is not None:
        User.objects.filter(pk=user.pk).update(
            name=name, username=None, phone_encrypted="", phone_index=None, is_active=False
        )
        counts["posts_closed"] = Post.objects.filter(user_id=user.pk, is_active=True).update(
            is_active=False
        )
        PrivacyRequest.objects.filter(user_id=user.pk).update(name="")
        counts["user"] = 1
    if resident is not None:
        PrivacyRequest.objects.filter(resident_id=resident.pk).update(name="")
    # Labelled with the new name: the record never repeats the name it removed.
    target: Resident | User
    if resident is not None:
        target = Resident.objects.get(pk=resident.pk)
    elif user is not None:
        target = User.objects.get(pk=user.pk)
    else:
        raise ValueError("nobody to anonymise")
    audit.record(
        actor=actor,
        post=grant.post if grant else None,
        action="privacy.anonymise",
        target=target,
        place_path=resident.place_path if resident is not None else "",
        changes={"fields": ANONYMISED_FIELDS, **counts},
    )
    return counts


@transaction.atomic
def anonymise_resident(resident: Resident, *, actor: User) -> dict[str, int]:
    """Anonymise one resident (and the login linked to them) on staff's decision."""
    grant = access.require(actor, Action.PRIVACY_HANDLE, resident.place_path)
    return _anonymise(actor, grant, resident, resident.user)


# --- Consent ----------------------------------------------------------------------------


@transaction.atomic
def give_consent(
    purpose: str, channel: str = ConsentChannel.WEB, version: str = notice.CURRENT, *, actor: User
) -> Consent:
    """Record the actor's consent to `purpose` under the current notice. Giving it again
    while one stands changes nothing."""
    if not getattr(actor, "is_authenticated", False):
        raise Http404
    if purpose not in Purpose.values:
        raise ValidationError({"purpose": _("Unknown purpose.")})
    if channel not in ConsentChannel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    standing = Consent.objects.select_for_update().filter(
        user=actor, purpose=purpose, withdrawn_at=None
    )
    current = standing.first()
    if current is not None and current.notice_version == version:
        return current
    if current is not None:  # consent to an older notice: replaced by the new one
        current.withdrawn_at = clock.now()
        current.save(update_fields=["withdrawn_at"])
    resident = selectors.person_of(actor).resident
    consent = Consent.objects.create(
        user=actor, resident=resident, purpose=purpose, notice_version=version, channel=channel
    )
    audit.record(
        actor=actor,
        action="privacy.consent",
        target=consent,
        place_path=resident.place_path if resident else "",
        changes={"purpose": purpose, "version": version, "channel": channel},
    )
    return consent


@transaction.atomic
def withdraw_consent(purpose: str, *, actor: User) -> Consent:
    if not getattr(actor, "is_authenticated", False):
        raise Http404
    consent = (
        Consent.objects.select_for_update().filter(user=actor, purpose=purpose, withdrawn_at=None)
    ).first()
    if consent is None:
        raise ValidationError({"purpose": _("There is no consent to withdraw.")})
    consent.withdrawn_at = clock.now()
    consent.save(update_fields=["withdrawn_at"])
    audit.record(
        actor=actor,
        action="privacy.consent_withdraw",
        target=consent,
        place_path=consent.resident.place_path if consent.resident is not None else "",
        changes={"purpose": purpose, "version": consent.notice_version},
    )
    return consent


def needs_notice(user: User) -> bool:
    """Whether the user has not yet agreed to the current privacy notice."""
    current = selectors.standing_consents(user).get(Purpose.NOTICE)
    return current is None or current.notice_version != notice.CURRENT


# --- The register of processing activities (arts. 55–56) --------------------------------


def register_headers() -> list[str]:
    return [
        _("Processing activity"),
        _("Purpose"),
        _("Categories of personal information"),
        _("Includes sensitive information"),
        _("Legal basis"),
        _("Recipients"),
        _("Retention"),
        _("Security measures"),
    ]


@transaction.atomic
def export_register(*, actor: User) -> bytes:
    """The register as xlsx (formula-safe) for the impact assessment. Audited."""
    rows = list(selectors.processing_activities(actor))
    grant = access.grants(actor, Action.PRIVACY_REGISTER)[0]
    data = exports.write_xlsx(
        (
            [a.name, a.purpose, a.categories, a.sensitive, a.legal_basis, a.recipients,
             a.retention, a.security]
            for a in rows
        ),
        register_headers(),
        title=_("Processing activities"),
    )  # fmt: skip
    audit.record(
        actor=actor,
        post=grant.post,
        action="privacy.register_export",
        target_repr=_("Processing activities"),
        place_path=grant.path or "",
        changes={"count": len(rows)},
    )
    return data
