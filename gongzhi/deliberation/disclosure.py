"""Deliberation: disclosure. Notices with amounts, published and withdrawn with a reason."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit, clock
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.deliberation._common import TITLE_MAX, _manage, _reason, _text
from gongzhi.deliberation.models import (
    Notice,
    NoticeCategory,
    NoticeStatus,
)
from gongzhi.places.models import Place, PlaceKind

# --------------------------------------------------------------------------- disclosure


def parse_amounts(raw: str) -> list[dict]:
    """Lines "item | amount" → [{"item", "amount"}]; amounts with two decimals."""
    rows = []
    for n, line in enumerate((raw or "").splitlines(), 1):
        if not line.strip():
            continue
        item, sep, amount = line.rpartition("|")
        try:
            value = Decimal(amount.strip().replace(",", ""))
        except InvalidOperation:
            value = None
        if not sep or not item.strip() or value is None or not value.is_finite():
            raise ValidationError(
                {
                    "amounts": _(
                        "Line %(n)s: write “item | amount”, for example “Cleaning | 1200.00”."
                    )
                    % {"n": n}
                }
            )
        rows.append({"item": item.strip()[:120], "amount": f"{value.quantize(Decimal('0.01'))}"})
    return rows


def publish_notice(
    *, actor: User, community: Place, category: str, title: str, body: str, amounts: str = ""
) -> Notice:
    """A typed notice (the notices page and the API). A financial notice (财务公开) is not typed:
    it is made from the entries booked on the community's funding lines
    (`publish_entries_notice`, called by the funds app), so what is published is what was
    booked; financial notices typed before this rule stay readable as they are."""
    if category == NoticeCategory.FINANCIAL:
        raise ValidationError(
            {
                "category": _(
                    "A financial notice is made from the booked entries, not typed: publish it "
                    "on the funding lines page (/funds/lines/)."
                )
            }
        )
    return _publish(
        actor=actor, community=community, category=category, title=title, body=body, amounts=amounts
    )


def publish_entries_notice(
    *, actor: User, community: Place, title: str, body: str, amounts: str
) -> Notice:
    """The financial notice made by the funds app from the booked entries of the funding lines
    (`funds.services.publish_financial_notice`); the same right to publish applies."""
    return _publish(
        actor=actor,
        community=community,
        category=NoticeCategory.FINANCIAL,
        title=title,
        body=body,
        amounts=amounts,
    )


def _publish(
    *, actor: User, community: Place, category: str, title: str, body: str, amounts: str = ""
) -> Notice:
    if community.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"community": _("Notices are published by a community.")})
    grant = _manage(actor, community.path, Action.DISCLOSURE_PUBLISH)
    if category not in NoticeCategory.values:
        raise ValidationError({"category": _("Choose the category of the notice.")})
    title = _text(title, "title", TITLE_MAX)
    body = _text(body, "body", 10000)
    rows = parse_amounts(amounts)
    with transaction.atomic():
        notice = Notice.objects.create(
            community=community,
            place_path=community.path,
            category=category,
            title=title,
            body=body,
            amounts=rows,
            published_by=actor,
        )
        audit.record(
            actor=actor,
            action="deliberation.notice_publish",
            target=notice,
            place_path=community.path,
            post=grant.post,
            changes={"category": category, "title": title},
        )
    return notice


def withdraw_notice(notice: Notice, reason: str, *, actor: User) -> Notice:
    grant = _manage(actor, notice.place_path, Action.DISCLOSURE_PUBLISH)
    reason = _reason(reason)
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        if notice.status == NoticeStatus.WITHDRAWN:
            raise ValidationError(_("This notice is already withdrawn."))
        notice.status = NoticeStatus.WITHDRAWN
        notice.withdrawn_reason, notice.withdrawn_at = reason, clock.now()
        notice.save(update_fields=["status", "withdrawn_reason", "withdrawn_at"])
        audit.record(
            actor=actor,
            action="deliberation.notice_withdraw",
            target=notice,
            place_path=notice.place_path,
            post=grant.post,
            reason=reason,
            changes={"status": [NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN]},
        )
    return notice
