"""The vanguard index's items (先锋指数, issue 23 item 6): the writes.

A member declares a bonus or deduction item for themselves (what happened, the date, optional
photos as evidence) on their own page (`partylife.attend`); the member's branch — its
secretary, the community secretary above it — accepts it or refuses it with the reason
(`partylife.manage` under the object rule). The branch may also record an item itself,
accepted at once; a veto item (a disciplinary sanction, …) is only ever recorded by the
branch, with the reason. Only accepted items count (gongzhi/partylife/index.py).

Each write: one transaction, the object rule (404 outside the actor's reach, 403 inside it
without the right), one audit record; a refusal is a ValidationError in plain Chinese and
writes nothing. A review locks the item's row: two reviews racing end with one decision."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit, clock, inputs, photos
from gongzhi.core.models import User
from gongzhi.party.models import PartyMember
from gongzhi.partylife import rules
from gongzhi.partylife.index import CATALOGUE, branch_of
from gongzhi.partylife.models import IndexEvidence, IndexItem, IndexItemKind, IndexItemState

# Platform limits (no document sets them).
MAX_TEXT = 500
MAX_EVIDENCE = 3


def _code(kind: str, code: str, kinds: Iterable[str]) -> tuple[str, str]:
    if kind not in kinds:
        raise ValidationError({"kind": _("Choose a kind of item.")})
    if code not in CATALOGUE[kind]:
        raise ValidationError({"code": _("Choose an item of the list.")})
    return kind, code


def _day(value: object) -> dt.date:
    today = clock.today()
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError({"occurred_on": _("Enter a valid date.")})
    if value > today:
        raise ValidationError({"occurred_on": _("The date cannot be in the future.")})
    if value.year < today.year - 1:
        raise ValidationError(
            {"occurred_on": _("Items are declared for this year or the last one.")}
        )
    return value


def declare_item(
    *,
    actor: User,
    kind: str,
    code: str,
    occurred_on: dt.date,
    text: str,
    uploads: Iterable[IO[bytes] | None] | None = None,
) -> IndexItem:
    """The member declares a bonus or deduction item of their own; the branch reviews it."""
    kind, code = _code(kind, code, (IndexItemKind.BONUS, IndexItemKind.DEDUCTION))
    day = _day(occurred_on)
    text = inputs.text(text, "text", MAX_TEXT)
    uploads = [u for u in uploads or [] if u]
    if len(uploads) > MAX_EVIDENCE:
        raise ValidationError({"evidence": _("At most %(n)s photos.") % {"n": MAX_EVIDENCE}})
    prepared = photos.prepare(uploads)
    me = rules.member(actor)
    if me is None:
        raise PermissionDenied(_("Your login is not linked to a party member record."))
    with photos.files_removed_on_error() as written, transaction.atomic():
        member, grant = rules.require_attend(actor, me.org)
        branch = branch_of(member)
        item = IndexItem.objects.create(
            member=member,
            org=branch,
            kind=kind,
            code=code,
            occurred_on=day,
            text=text,
            declared_by=actor,
            self_declared=True,
            place_path=member.place_path,
        )
        photos.write(IndexEvidence, prepared, user=actor, written=written, item=item)
        audit.record(
            actor=actor,
            action="partylife.index_declare",
            target=item,
            place_path=item.place_path,
            post=grant.post,
            changes={
                "kind": kind,
                "code": code,
                "occurred_on": day,
                "text": text,
                "photos": len(prepared),
            },
        )
    return item


def review_item(item: IndexItem, *, actor: User, accept: bool, reason: str = "") -> IndexItem:
    """The branch accepts a declared item or refuses it with the reason, once."""
    reason = inputs.text(reason, "reason", MAX_TEXT, required=not accept)
    with transaction.atomic():
        grant = rules.require_manage(actor, item.org)
        locked = IndexItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
        if locked.state != IndexItemState.PENDING:
            raise ValidationError(_("This item has already been reviewed."))
        me = rules.member(actor)
        if me is not None and me.pk == locked.member_id:
            raise ValidationError(_("You cannot review an item of your own."))
        locked.state = IndexItemState.ACCEPTED if accept else IndexItemState.REFUSED
        locked.refusal_reason = "" if accept else reason
        locked.reviewed_by, locked.reviewed_at = actor, clock.now()
        locked.save(update_fields=["state", "refusal_reason", "reviewed_by", "reviewed_at"])
        audit.record(
            actor=actor,
            action="partylife.index_accept" if accept else "partylife.index_refuse",
            target=locked,
            place_path=locked.place_path,
            post=grant.post,
            changes={"state": [IndexItemState.PENDING, locked.state], "reason": reason},
        )
    return locked


def record_item(
    member: PartyMember,
    *,
    actor: User,
    kind: str,
    code: str,
    occurred_on: dt.date,
    text: str,
) -> IndexItem:
    """The branch records an item of one of its members itself — a bonus, a deduction or a
    veto (with the reason) — accepted at once."""
    kind, code = _code(kind, code, IndexItemKind.values)
    day = _day(occurred_on)
    text = inputs.text(text, "text", MAX_TEXT)
    with transaction.atomic():
        branch = branch_of(member)
        grant = rules.require_manage(actor, branch)
        if not member.is_active or member.org_id not in rules.below([branch.pk]):
            raise ValidationError({"member": _("Choose a member of this branch.")})
        me = rules.member(actor)
        if me is not None and me.pk == member.pk:
            raise ValidationError(_("You cannot record an item of your own."))
        now = clock.now()
        item = IndexItem.objects.create(
            member=member,
            org=branch,
            kind=kind,
            code=code,
            occurred_on=day,
            text=text,
            state=IndexItemState.ACCEPTED,
            declared_by=actor,
            self_declared=False,
            reviewed_by=actor,
            reviewed_at=now,
            place_path=member.place_path,
        )
        audit.record(
            actor=actor,
            action="partylife.index_record",
            target=item,
            place_path=item.place_path,
            post=grant.post,
            changes={
                "member": member.pk,
                "kind": kind,
                "code": code,
                "occurred_on": day,
                "text": text,
            },
        )
    return item
