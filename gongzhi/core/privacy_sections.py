"""The kernel's sections of "my personal information" (PIPL art. 45): the account, the posts
held on the platform and the points / time-bank statement of the ledger. Registered from
`CoreConfig.ready()`; the positions are listed in docs/privacy.md "Sections"."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.models import LedgerAccount, LedgerEntry, LedgerOwnerKind, Post
from gongzhi.core.personal_data import Person, Row, plain, register


def account(person: Person) -> list[Row]:
    user = person.user
    if user is None:
        return []
    return [
        {
            _("Full name"): user.name,
            _("Username"): user.username or "",
            _("Phone"): plain(user.phone_encrypted),
            _("Account created"): user.date_joined,
            _("Last login"): user.last_login,
        }
    ]


def posts(person: Person) -> list[Row]:
    if person.user is None:
        return []
    qs = Post.objects.filter(user=person.user).select_related("place").order_by("id")
    return [
        {
            _("Role"): p.get_role_display(),
            _("Place"): p.place.name if p.place is not None else "",
            _("Active"): p.is_active,
            _("Created at"): p.created_at,
        }
        for p in qs
    ]


def ledger(person: Person) -> list[Row]:
    if person.resident is None:
        return []
    accounts = {
        a.pk: a
        for a in LedgerAccount.objects.filter(
            owner_kind=LedgerOwnerKind.RESIDENT, owner_id=person.resident.pk
        )
    }
    if not accounts:
        return []
    entries = LedgerEntry.objects.filter(
        Q(credit_id__in=accounts) | Q(debit_id__in=accounts)
    ).order_by("created_at", "pk")
    rows = []
    for e in entries:
        mine = accounts.get(e.credit_id) or accounts[e.debit_id]
        sign = 1 if e.credit_id in accounts else -1
        rows.append(
            {
                _("Date"): e.created_at,
                _("Account"): mine.get_currency_display(),
                _("Amount"): sign * e.amount,
                _("Reason"): e.reason_text or e.reason_code,
            }
        )
    return rows


register("account", gettext_lazy("My account"), account, order=10)
register("posts", gettext_lazy("My roles on the platform"), posts, order=20)
register("ledger", gettext_lazy("Points and time-bank statement"), ledger, order=70)
