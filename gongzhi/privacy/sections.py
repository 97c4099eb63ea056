"""The sections of "my personal information", registered when the app loads.

Each function reads only the given person's data. The registry's own sections (account,
resident record, household history) read through people's selectors; the domain apps'
sections (tickets, volunteering, points, redemptions, owners' ballots, topics, opinions, polls)
read through those apps' selectors where one exists, else that app's models filtered to the
person. They move into each app's AppConfig.ready() when issue 11 (layering) lands
(docs/privacy.md).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import crypto
from gongzhi.privacy.registry import Person, Row, register


def _plain(token: str) -> str:
    return crypto.decrypt(token) if token else ""


def account(person: Person) -> list[Row]:
    user = person.user
    if user is None:
        return []
    return [
        {
            _("Full name"): user.name,
            _("Username"): user.username or "",
            _("Phone"): _plain(user.phone_encrypted),
            _("Account created"): user.date_joined,
            _("Last login"): user.last_login,
        }
    ]


def posts(person: Person) -> list[Row]:
    from gongzhi.core.models import Post

    if person.user is None:
        return []
    qs = Post.objects.filter(user=person.user).select_related("place").order_by("id")
    return [
        {
            _("Role"): p.get_role_display(),
            _("Place"): p.place.name if p.place_id else "",
            _("Active"): p.is_active,
            _("Created at"): p.created_at,
        }
        for p in qs
    ]


def resident_record(person: Person) -> list[Row]:
    from gongzhi.people.selectors import age_tags

    r = person.resident
    if r is None:
        return []
    tags = [t.get_tag_display() for t in r.tags.all()]
    return [
        {
            _("Full name"): r.name,
            _("Gender"): r.get_gender_display(),
            _("Birth date"): r.birth_date,
            _("Document type"): r.get_id_type_display(),
            _("Document number"): _plain(r.id_encrypted),
            _("Phone"): _plain(r.phone_encrypted),
            _("Address"): r.household.short_address if r.household_id else "",
            _("Relation to the head"): r.get_relation_display(),
            _("Residence status"): r.get_residence_status_display(),
            _("Tags"): "、".join([*age_tags(r), *tags]),
            _("Skills and specialties"): r.specialty,
            _("Lives here"): r.is_active,
            _("Created at"): r.created_at,
            _("Updated at"): r.updated_at,
        }
    ]


def household(person: Person) -> list[Row]:
    from gongzhi.people.selectors import membership_history

    if person.resident is None:
        return []
    return [
        {
            _("Address"): m.household.short_address,
            _("Relation to the head"): m.get_relation_display(),
            _("Moved in"): m.moved_in,
            _("Moved out on"): m.moved_out,
        }
        for m in membership_history(person.resident)
    ]


def tickets(person: Person) -> list[Row]:
    from gongzhi.tickets.selectors import my_tickets

    if person.user is None:
        return []
    return [
        {
            _("Ticket number"): t.number,
            _("Kind"): t.get_kind_display(),
            _("Category"): t.category.name,
            _("Text"): t.text,
            _("Status"): t.get_status_display(),
            _("Latitude"): t.lat,
            _("Longitude"): t.lng,
            _("Created at"): t.created_at,
            _("Resolution note"): t.resolution_note,
            _("Rating"): t.rating,
        }
        for t in my_tickets(person.user)
    ]


def volunteering(person: Person) -> list[Row]:
    from gongzhi.volunteering.models import Volunteer
    from gongzhi.volunteering.selectors import my_exchanges, my_signups

    if person.resident is None:
        return []
    rows: list[Row] = []
    volunteer = Volunteer.objects.filter(resident=person.resident).first()
    if volunteer is not None:
        rows.append(
            {
                _("Record type"): _("Volunteer registration"),
                _("Details"): "；".join(
                    x for x in (volunteer.skills, volunteer.availability, volunteer.areas) if x
                ),
                _("Status"): volunteer.get_status_display(),
                _("Date"): volunteer.registered_at,
            }
        )
    for e in my_exchanges(person.resident):
        rows.append(
            {
                _("Record type"): _("Time-bank exchange"),
                _("Details"): _("%(title)s, %(m)s minutes") % {"title": e.title, "m": e.minutes},
                _("Status"): e.get_status_display(),
                _("Date"): e.created_at,
            }
        )
    for s in my_signups(person.resident):
        rows.append(
            {
                _("Record type"): s.activity.title,
                _("Details"): _("%(m)s minutes, %(p)s points")
                % {"m": s.minutes or 0, "p": s.points},
                _("Status"): s.get_status_display(),
                _("Date"): s.signed_up_at,
            }
        )
    return rows


def ledger(person: Person) -> list[Row]:
    from gongzhi.core.models import LedgerAccount, LedgerEntry, LedgerOwnerKind

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


def redemptions(person: Person) -> list[Row]:
    from gongzhi.merchants.selectors import my_redemptions

    return [
        {
            _("Item"): r.item.name,
            _("Merchant"): r.merchant.name,
            _("Quantity"): r.quantity,
            _("Points"): r.amount,
            _("Status"): r.get_status_display(),
            _("Date"): r.created_at,
        }
        for r in my_redemptions(person.resident)
    ]


def owners_ballots(person: Person) -> list[Row]:
    from gongzhi.owners.models import Ballot

    if person.resident is None:
        return []
    return [
        {
            _("Owners' vote"): b.vote.title,
            _("Choice"): b.get_choice_display(),
            _("Channel"): b.get_channel_display(),
            _("Cast at"): b.cast_at,
        }
        for b in Ballot.objects.filter(resident=person.resident).select_related("vote")
    ]


def topics(person: Person) -> list[Row]:
    from gongzhi.deliberation.models import Opinion, Topic, TopicSupport

    if person.user is None:
        return []
    rows: list[Row] = []
    for t in Topic.objects.filter(raised_by=person.user).order_by("id"):
        rows.append(
            {
                _("Record type"): _("Topic raised"),
                _("Topic"): t.title,
                _("Text"): t.text,
                _("Date"): t.created_at,
            }
        )
    for s in TopicSupport.objects.filter(user=person.user).select_related("topic").order_by("id"):
        rows.append(
            {
                _("Record type"): _("Support"),
                _("Topic"): s.topic.title,
                _("Text"): "",
                _("Date"): s.created_at,
            }
        )
    for o in Opinion.objects.filter(author=person.user).select_related("topic").order_by("id"):
        rows.append(
            {
                _("Record type"): _("Opinion"),
                _("Topic"): o.topic.title,
                _("Text"): o.text,
                _("Date"): o.created_at,
            }
        )
    return rows


def polls(person: Person) -> list[Row]:
    from gongzhi.deliberation.models import Ballot

    if person.user is None:
        return []
    qs = Ballot.objects.filter(user=person.user).select_related("poll").prefetch_related("options")
    return [
        {
            _("Poll"): b.poll.question,
            _("Choice"): "、".join(o.text for o in b.options.all()),
            _("Date"): b.created_at,
        }
        for b in qs
    ]


def consents(person: Person) -> list[Row]:
    from gongzhi.privacy.selectors import consents_of

    return [
        {
            _("Purpose"): c.get_purpose_display(),
            _("Notice version"): c.notice_version,
            _("Channel"): c.get_channel_display(),
            _("Given at"): c.given_at,
            _("Withdrawn at"): c.withdrawn_at,
        }
        for c in consents_of(person.user)
    ]


def requests(person: Person) -> list[Row]:
    from gongzhi.privacy.selectors import requests_of

    return [
        {
            _("Request"): r.get_kind_display(),
            _("Which information"): r.what,
            _("Reason given"): r.why,
            _("Status"): r.get_status_display(),
            _("Filed at"): r.created_at,
            _("Answer due"): r.due_on,
            _("Reason for refusing"): r.refusal_reason,
        }
        for r in requests_of(person.user)
    ]


register("account", gettext_lazy("My account"), account)
register("posts", gettext_lazy("My roles on the platform"), posts)
register("resident", gettext_lazy("My resident record"), resident_record)
register("household", gettext_lazy("My household history"), household)
register("tickets", gettext_lazy("Tickets I submitted"), tickets)
register("volunteering", gettext_lazy("Volunteering"), volunteering)
register("ledger", gettext_lazy("Points and time-bank statement"), ledger)
register("redemptions", gettext_lazy("Redemptions"), redemptions)
register("owners_ballots", gettext_lazy("Owners' ballots"), owners_ballots)
register("topics", gettext_lazy("Topics, support and opinions"), topics)
register("polls", gettext_lazy("Poll ballots"), polls)
register("consents", gettext_lazy("Consents"), consents)
register("requests", gettext_lazy("My requests"), requests)
