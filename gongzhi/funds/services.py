"""Every write to community funds, purchased services and funding lines: one transaction, the
permission check (`access.require`: 404 outside the actor's scope, 403 inside it without
`funds.manage`), one audit record; a refusal raises a ValidationError with a Chinese message
and writes nothing.

Money moves only through the kernel ledger (`core.ledger.transfer`, currency `fen`), so a
fund's or a line's balance is always the sum of its entries, entries are append-only, and a
repeated request (same `request_key`: a double click, a retried phone) is booked once. A grant
or a spending never takes a balance below zero: the ledger locks the account rows (lower id
first) and reads the balance under the lock, so two simultaneous grants cannot both pass.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, inputs, ledger
from gongzhi.core.access import Grant
from gongzhi.core.models import LedgerCurrency, LedgerEntry, LedgerOwnerKind, User
from gongzhi.core.roles import Action
from gongzhi.deliberation import services as deliberation
from gongzhi.deliberation.models import Notice
from gongzhi.funds import rules
from gongzhi.funds.models import (
    EntryKind,
    Fund,
    FundEntry,
    FundingLine,
    LineEntry,
    LineEntryKind,
    LineKind,
    PurchasedService,
)
from gongzhi.microprojects.models import Project, Round
from gongzhi.organisations.models import (
    Organisation,
    OrgStatus,
    VentureApplication,
    VentureStatus,
)
from gongzhi.places.models import Place, PlaceKind

MONEY = LedgerCurrency.MONEY
MAX_YUAN = Decimal("10000000")  # the ledger's platform default per entry (docs/funds.md)


def _manage(actor: User, path: str) -> Grant:
    return access.require(actor, Action.FUNDS_MANAGE, path, read_action=Action.FUNDS_VIEW)


def fen(value: Any, field: str) -> int:
    """An amount typed in yuan (at most two decimals, above zero) as fen, or a refusal."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, AttributeError):
        raise ValidationError({field: _("Enter an amount in yuan.")}) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Enter an amount in yuan with at most two decimals.")})
    if amount <= 0:
        raise ValidationError({field: _("The amount must be above zero.")})
    if amount > MAX_YUAN:
        raise ValidationError({field: _("This amount is too large.")})
    return int(amount * 100)


def _day(value: Any, field: str) -> dt.date:
    if not isinstance(value, dt.date):
        raise ValidationError({field: _("Give a date.")})
    if value > clock.today():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if value.year < 2000:
        raise ValidationError({field: _("Give a date after 2000.")})
    return value


def _year(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2100:
        raise ValidationError({"year": _("Give a year between 2000 and 2100.")})
    return value


def _key(request_key: str | None) -> str:
    """The caller's name for the request (a form's hidden token), or a fresh one."""
    key = (request_key or "").strip()[:40]
    return key or uuid.uuid4().hex


def _issuer(place_path: str, place_id: int) -> Any:
    """Where money comes from (donors, the budget): the place's issuer account in fen."""
    return ledger.account_for(MONEY, LedgerOwnerKind.ISSUER, place_id, place_path=place_path)


def _sink(place_path: str, place_id: int) -> Any:
    """Where money granted or spent goes: the place's sink account in fen."""
    return ledger.account_for(MONEY, LedgerOwnerKind.SINK, place_id, place_path=place_path)


def _transfer(**kwargs: Any) -> LedgerEntry:
    try:
        return ledger.transfer(**kwargs)
    except ledger.InsufficientBalance as error:
        raise ValidationError(
            {
                "amount_yuan": _(
                    "The balance is not enough: %(available)s yuan available, %(amount)s yuan "
                    "needed."
                )
                % {
                    "available": rules.fen_to_yuan(error.params["available"].value),  # type: ignore[attr-defined]  # ledger.Amount
                    "amount": rules.fen_to_yuan(error.params["amount"].value),  # type: ignore[attr-defined]  # ledger.Amount
                }
            }
        ) from None
    except ledger.IdempotencyConflict:
        raise ValidationError(
            _("This form was already sent with other figures; reload the page and try again.")
        ) from None
    except ledger.LedgerError as error:
        raise ValidationError({"amount_yuan": error.message}) from None


# --------------------------------------------------------------------------- item 5: funds


def create_fund(place: Place, *, actor: User, name: str, purpose: str = "") -> Fund:
    """A fund of a community or the district, with its ledger account."""
    name = inputs.text(name, "name", 100)
    purpose = inputs.text(purpose, "purpose", 300, required=False)
    if place.kind not in (PlaceKind.COMMUNITY, PlaceKind.DISTRICT):
        raise ValidationError(
            {"place": _("A community fund belongs to a community or the district.")}
        )
    with transaction.atomic():
        grant = _manage(actor, place.path)
        if Fund.objects.filter(place=place, name=name).exists():
            raise ValidationError({"name": _("This place already has a fund of this name.")})
        fund = Fund(
            name=name, place=place, purpose=purpose, place_path=place.path, created_by=actor
        )
        try:
            with transaction.atomic():
                fund.save()
        except IntegrityError:
            raise ValidationError(
                {"name": _("This place already has a fund of this name.")}
            ) from None
        fund.account = ledger.account_for(
            MONEY, LedgerOwnerKind.FUND, fund.pk, place_path=place.path
        )
        fund.save(update_fields=["account"])
        audit.record(
            actor=actor,
            action="funds.fund_create",
            target=fund,
            place_path=place.path,
            post=grant.post,
            changes={"name": name, "place": place.name},
        )
    return fund


def _entry_for(ledger_entry: LedgerEntry) -> FundEntry | None:
    return FundEntry.objects.filter(ledger_entry=ledger_entry).first()


def donate(
    fund: Fund,
    *,
    actor: User,
    amount_yuan: Any,
    on: dt.date,
    donor_name: str = "",
    anonymous: bool = False,
    reference: str = "",
    request_key: str | None = None,
) -> FundEntry:
    """A donation into the fund. The donor's name is kept for staff; with `anonymous` the
    public page shows 爱心人士. An anonymous donation may come without a name."""
    amount = fen(amount_yuan, "amount_yuan")
    on = _day(on, "on")
    donor_name = inputs.text(donor_name, "donor_name", 100, required=not anonymous)
    reference = inputs.text(reference, "reference", 64, required=False)
    key = f"fund:{fund.pk}:donation:{_key(request_key)}"
    with transaction.atomic():
        grant = _manage(actor, fund.place_path)
        moved = _transfer(
            debit=_issuer(fund.place_path, fund.place_id),
            credit=fund.account_id,
            amount=amount,
            reason="donation",
            reason_text=str(_("Donation")),
            source=fund,
            idempotency_key=key,
            actor=actor,
        )
        done = _entry_for(moved)
        if done is not None:
            return done
        entry = FundEntry.objects.create(
            fund=fund,
            kind=EntryKind.DONATION,
            amount_fen=amount,
            on=on,
            donor_name=donor_name,
            anonymous=bool(anonymous),
            reference=reference,
            ledger_entry=moved,
            place_path=fund.place_path,
            recorded_by=actor,
        )
        audit.record(
            actor=actor,
            action="funds.donation",
            target=entry,
            target_repr=f"{fund.name} · {rules.fen_to_yuan(amount)}",
            place_path=fund.place_path,
            post=grant.post,
            changes={"amount_fen": amount, "on": on, "anonymous": bool(anonymous)},
        )
    return entry


def grant(
    fund: Fund,
    *,
    actor: User,
    amount_yuan: Any,
    on: dt.date,
    micro_project: Project | None = None,
    venture_project: VentureApplication | None = None,
    purpose: str = "",
    reference: str = "",
    request_key: str | None = None,
) -> FundEntry:
    """A grant out of the fund to a micro-project, an awarded venture-philanthropy project, or
    (where there is no project) a typed purpose; never above the fund's balance."""
    amount = fen(amount_yuan, "amount_yuan")
    on = _day(on, "on")
    purpose = inputs.text(purpose, "purpose", 200, required=False)
    reference = inputs.text(reference, "reference", 64, required=False)
    targets = sum(1 for t in (micro_project, venture_project) if t is not None)
    if targets > 1 or (targets == 1 and purpose):
        raise ValidationError(
            {
                "purpose": _(
                    "A grant goes to one project, or to a typed purpose where there is none."
                )
            }
        )
    if targets == 0 and not purpose:
        raise ValidationError(
            {"purpose": _("Choose the project the grant goes to, or type its purpose.")}
        )
    if micro_project is not None and not micro_project.place_path.startswith(fund.place_path):
        raise ValidationError({"micro_project": _("The project is not in the fund's area.")})
    if venture_project is not None:
        if not venture_project.place_path.startswith(fund.place_path):
            raise ValidationError({"venture_project": _("The project is not in the fund's area.")})
        if venture_project.status not in (VentureStatus.AWARDED, VentureStatus.REPORTED):
            raise ValidationError(
                {
                    "venture_project": _(
                        "Only an awarded venture-philanthropy project is granted to."
                    )
                }
            )
    key = f"fund:{fund.pk}:grant:{_key(request_key)}"
    with transaction.atomic():
        access_grant = _manage(actor, fund.place_path)
        moved = _transfer(
            debit=fund.account_id,
            credit=_sink(fund.place_path, fund.place_id),
            amount=amount,
            reason="grant",
            reason_text=str(_("Grant from the fund")),
            source=fund,
            idempotency_key=key,
            actor=actor,
        )
        done = _entry_for(moved)
        if done is not None:
            return done
        entry = FundEntry.objects.create(
            fund=fund,
            kind=EntryKind.GRANT,
            amount_fen=amount,
            on=on,
            micro_project=micro_project,
            venture_project=venture_project,
            purpose=purpose,
            reference=reference,
            ledger_entry=moved,
            place_path=fund.place_path,
            recorded_by=actor,
        )
        audit.record(
            actor=actor,
            action="funds.grant",
            target=entry,
            target_repr=f"{fund.name} · {rules.fen_to_yuan(amount)}",
            place_path=fund.place_path,
            post=access_grant.post,
            changes={"amount_fen": amount, "on": on, "to": entry.grantee},
        )
    return entry


# --------------------------------------------------------------------------- item 6


def record_purchase(
    community: Place,
    *,
    actor: User,
    year: int,
    service: str,
    amount_yuan: Any,
    organisation: Organisation | None = None,
    supplier_name: str = "",
) -> PurchasedService:
    """A service the community bought: from a social organisation on the register, or from a
    firm typed by name (never both)."""
    year = _year(year)
    service = inputs.text(service, "service", 200)
    amount = fen(amount_yuan, "amount_yuan")
    supplier_name = inputs.text(supplier_name, "supplier_name", 100, required=False)
    if community.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"community": _("Purchased services are a community's.")})
    if (organisation is None) == (not supplier_name):
        raise ValidationError(
            {
                "supplier_name": _(
                    "Choose the social organisation, or type the firm's name — one of the two."
                )
            }
        )
    if organisation is not None and organisation.status == OrgStatus.DISSOLVED:
        raise ValidationError({"organisation": _("This organisation is dissolved.")})
    with transaction.atomic():
        grant = _manage(actor, community.path)
        purchase = PurchasedService.objects.create(
            community=community,
            year=year,
            service=service,
            organisation=organisation,
            supplier_name=supplier_name,
            amount_fen=amount,
            place_path=community.path,
            recorded_by=actor,
        )
        audit.record(
            actor=actor,
            action="funds.purchase",
            target=purchase,
            place_path=community.path,
            post=grant.post,
            changes={
                "year": year,
                "supplier": purchase.supplier,
                "social_organisation": organisation is not None,
                "amount_fen": amount,
            },
        )
    return purchase


def remove_purchase(purchase: PurchasedService, *, actor: User, reason: str) -> None:
    """A purchase typed by mistake is removed with a reason (the audit record keeps it)."""
    reason = inputs.text(reason, "reason", 300)
    with transaction.atomic():
        grant = _manage(actor, purchase.place_path)
        audit.record(
            actor=actor,
            action="funds.purchase_remove",
            target=purchase,
            place_path=purchase.place_path,
            post=grant.post,
            changes={
                "year": purchase.year,
                "supplier": purchase.supplier,
                "amount_fen": purchase.amount_fen,
            },
            reason=reason,
        )
        purchase.delete()


# --------------------------------------------------------------------------- item 7


def open_lines(community: Place, year: int, *, actor: User) -> list[FundingLine]:
    """The year's funding lines of a community from its policy document (those not yet open;
    a line already open keeps the amount it was opened with)."""
    year = _year(year)
    if community.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"community": _("Funding lines are a community's.")})
    found = rules.line_rules(community)
    if not found:
        raise ValidationError(
            {
                "community": _("The policy document of %(place)s sets no funding line.")
                % {"place": community.name}
            }
        )
    opened: list[FundingLine] = []
    with transaction.atomic():
        grant = _manage(actor, community.path)
        existing = set(
            FundingLine.objects.filter(community=community, year=year).values_list(
                "kind", flat=True
            )
        )
        for rule in found:
            if rule.kind in existing:
                continue
            line = FundingLine.objects.create(
                community=community,
                year=year,
                kind=rule.kind,
                key=rule.key,
                paragraph=rule.paragraph,
                rule_fen=rule.fen,
                basis=rule.basis[:200],
                place_path=community.path,
            )
            line.account = ledger.account_for(
                MONEY, LedgerOwnerKind.FUNDING_LINE, line.pk, place_path=community.path
            )
            line.save(update_fields=["account"])
            opened.append(line)
        if not opened:
            raise ValidationError({"year": _("The lines of this year are open already.")})
        audit.record(
            actor=actor,
            action="funds.lines_open",
            target=community,
            place_path=community.path,
            post=grant.post,
            changes={"year": year, "lines": {line.kind: line.rule_fen for line in opened}},
        )
    return opened


def _line_entry(
    line: FundingLine,
    kind: str,
    *,
    actor: User,
    amount_yuan: Any,
    on: dt.date,
    description: str,
    reference: str,
    request_key: str | None,
) -> LineEntry:
    amount = fen(amount_yuan, "amount_yuan")
    on = _day(on, "on")
    description = inputs.text(description, "description", 200)
    reference = inputs.text(reference, "reference", 64)
    key = f"line:{line.pk}:{kind}:{_key(request_key)}"
    with transaction.atomic():
        grant = _manage(actor, line.place_path)
        outside = (_issuer if kind == LineEntryKind.RECEIPT else _sink)(
            line.place_path, line.community_id
        )
        debit, credit = (
            (outside, line.account_id)
            if kind == LineEntryKind.RECEIPT
            else (line.account_id, outside)
        )
        moved = _transfer(
            debit=debit,
            credit=credit,
            amount=amount,
            reason=kind,
            reason_text=description,
            source=line,
            idempotency_key=key,
            actor=actor,
        )
        done = LineEntry.objects.filter(ledger_entry=moved).first()
        if done is not None:
            return done
        entry = LineEntry.objects.create(
            line=line,
            kind=kind,
            amount_fen=amount,
            on=on,
            description=description,
            reference=reference,
            ledger_entry=moved,
            place_path=line.place_path,
            recorded_by=actor,
        )
        audit.record(
            actor=actor,
            action=f"funds.{kind}",
            target=entry,
            target_repr=f"{line} · {rules.fen_to_yuan(amount)}",
            place_path=line.place_path,
            post=grant.post,
            changes={"amount_fen": amount, "on": on, "reference": reference},
        )
    return entry


def receive(
    line: FundingLine,
    *,
    actor: User,
    amount_yuan: Any,
    on: dt.date,
    description: str,
    reference: str,
    request_key: str | None = None,
) -> LineEntry:
    """Money received on a line (an allocation, with its voucher number)."""
    return _line_entry(
        line,
        LineEntryKind.RECEIPT,
        actor=actor,
        amount_yuan=amount_yuan,
        on=on,
        description=description,
        reference=reference,
        request_key=request_key,
    )


def spend(
    line: FundingLine,
    *,
    actor: User,
    amount_yuan: Any,
    on: dt.date,
    description: str,
    reference: str,
    request_key: str | None = None,
) -> LineEntry:
    """Spending booked on a line, never above the line's balance (also under concurrency)."""
    return _line_entry(
        line,
        LineEntryKind.SPENDING,
        actor=actor,
        amount_yuan=amount_yuan,
        on=on,
        description=description,
        reference=reference,
        request_key=request_key,
    )


def book_round_budget(rnd: Round, actor: User) -> bool:
    """The micro-project round's budget booked against the community's benefit-project line of
    the round's year (installed as `microprojects.services.set_round_budget_hook` by
    `FundsConfig.ready`; called inside the round's transaction on opening and when the rules
    change the budget). Books what the line does not yet carry for the round: a spending when
    the budget grew (refused when the line's balance is short — under the ledger's row lock, so
    two openings or an opening and a spending at once cannot overspend), a release when it was
    lowered. Returns False when the community has no benefit-project line that year (nothing
    booked: the round page says so). Booking needs `funds.manage` on the community."""
    line = FundingLine.objects.filter(
        community_id=rnd.community_id, year=rnd.year, kind=LineKind.BENEFIT
    ).first()
    if line is None:
        return False
    if not access.can(actor, Action.FUNDS_MANAGE, line.place_path):
        raise PermissionDenied(
            _(
                "This round's budget is booked on the community's benefit-project funding line: "
                "only who may book on funding lines (the community secretary, the street) opens "
                "the round or changes its budget."
            )
        )
    grant = _manage(actor, line.place_path)
    sums = LineEntry.objects.filter(line=line, micro_round=rnd).aggregate(
        taken=Sum("amount_fen", filter=Q(kind=LineEntryKind.SPENDING)),
        back=Sum("amount_fen", filter=Q(kind=LineEntryKind.RELEASE)),
    )
    booked = int(sums["taken"] or 0) - int(sums["back"] or 0)
    target = int(rnd.budget_yuan * 100)
    change = target - booked
    if change == 0:
        return True
    kind = LineEntryKind.SPENDING if change > 0 else LineEntryKind.RELEASE
    sink = _sink(line.place_path, line.community_id)
    assert line.account_id is not None  # set when the line was opened
    account: int = line.account_id
    debit, credit = (account, sink) if change > 0 else (sink, account)
    if change > 0:
        description = _("Micro-project round %(year)s: budget booked") % {"year": rnd.year}
    else:
        description = _("Micro-project round %(year)s: budget lowered, released") % {
            "year": rnd.year
        }
    try:
        moved = ledger.transfer(
            debit=debit,
            credit=credit,
            amount=abs(change),
            reason=f"round_{kind}",
            reason_text=str(description),
            source=line,
            idempotency_key=f"line:{line.pk}:round:{rnd.pk}:{booked}:{target}",
            actor=actor,
        )
    except ledger.InsufficientBalance as error:
        raise ValidationError(
            {
                "budget": _(
                    "The benefit-project funding line of %(year)s has %(available)s yuan left; "
                    "this round's budget needs %(amount)s yuan more. Book the money received on "
                    "the line first (funding lines page) or lower the round's budget."
                )
                % {
                    "year": rnd.year,
                    "available": rules.fen_to_yuan(error.params["available"].value),  # type: ignore[attr-defined]  # ledger.Amount
                    "amount": rules.fen_to_yuan(abs(change)),
                }
            }
        ) from None
    except ledger.LedgerError as error:
        raise ValidationError({"budget": error.message}) from None
    if LineEntry.objects.filter(ledger_entry=moved).exists():
        return True
    entry = LineEntry.objects.create(
        line=line,
        kind=kind,
        amount_fen=abs(change),
        on=clock.today(),
        description=str(description)[:200],
        reference=f"微实事-{rnd.year}-{rnd.pk}",
        micro_round=rnd,
        ledger_entry=moved,
        place_path=line.place_path,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="funds.round_budget",
        target=entry,
        target_repr=f"{line} · {rules.fen_to_yuan(abs(change))}",
        place_path=line.place_path,
        post=grant.post,
        changes={"round": rnd.pk, "booked_fen": [booked, target]},
    )
    return True


def publish_financial_notice(community: Place, year: int, *, actor: User) -> Notice:
    """The financial public notice (财务公开) of a community's funding lines for `year`, made
    from the booked entries: one row per receipt and spending (spending negative) and one total
    per line, so what is published is what was booked. Published through the deliberation
    app's notices (its right to publish applies as well)."""
    year = _year(year)
    with transaction.atomic():
        grant = _manage(actor, community.path)
        lines = list(
            FundingLine.objects.filter(community=community, year=year)
            .select_related("account")
            .order_by("kind")
        )
        if not lines:
            raise ValidationError({"year": _("No funding line is open for this year.")})
        entries = (
            LineEntry.objects.filter(line__in=lines).select_related("line").order_by("on", "pk")
        )
        rows: list[str] = []
        totals: dict[int, dict[str, int]] = {
            line.pk: {"receipt": 0, "spending": 0} for line in lines
        }
        for entry in entries:
            # A release gives back what a round's booking took: it lowers what was spent.
            if entry.kind == LineEntryKind.RELEASE:
                totals[entry.line_id]["spending"] -= entry.amount_fen
            else:
                totals[entry.line_id][entry.kind] += entry.amount_fen
            sign = "-" if entry.kind == LineEntryKind.SPENDING else ""
            item = (
                f"{entry.on.isoformat()} {entry.line.get_kind_display()} "
                f"{entry.get_kind_display()} {entry.description}（{entry.reference}）"
            ).replace("|", "/")
            rows.append(f"{item[:110]} | {sign}{rules.fen_to_yuan(entry.amount_fen)}")
        paragraphs = [
            _("Made by the platform from the entries booked on the funding lines of %(year)s.")
            % {"year": year}
        ]
        for line in lines:
            got = totals[line.pk]
            balance = got["receipt"] - got["spending"]
            paragraphs.append(
                _(
                    "%(line)s: the rule gives %(rule)s yuan (%(paragraph)s); received "
                    "%(received)s yuan, spent %(spent)s yuan, balance %(balance)s yuan."
                )
                % {
                    "line": line.get_kind_display(),
                    "rule": rules.fen_to_yuan(line.rule_fen),
                    "paragraph": line.paragraph or line.key,
                    "received": rules.fen_to_yuan(got["receipt"]),
                    "spent": rules.fen_to_yuan(got["spending"]),
                    "balance": rules.fen_to_yuan(balance),
                }
            )
            rows.append(f"{line.get_kind_display()} {_('balance')} | {rules.fen_to_yuan(balance)}")
        notice = deliberation.publish_entries_notice(
            actor=actor,
            community=community,
            title=_("%(community)s: funding lines %(year)s")
            % {
                "community": community.name,
                "year": year,
            },
            body="\n".join(paragraphs),
            amounts="\n".join(rows),
        )
        audit.record(
            actor=actor,
            action="funds.notice",
            target=notice,
            place_path=community.path,
            post=grant.post,
            changes={"year": year, "entries": len(rows) - len(lines)},
        )
    return notice
