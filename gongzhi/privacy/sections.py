"""The privacy app's own sections of "my personal information" (PIPL art. 45): the person's
consents and requests. Registered from `PrivacyConfig.ready()`.

Every other app registers its sections from its own `AppConfig.ready()` into the kernel's
registry (`gongzhi.core.personal_data`, re-exported as `privacy.registry`), in a module named
`privacy_sections.py`: core (account, posts, ledger), people (resident record, household
history), tickets, volunteering, merchants, owners, deliberation. The positions in the file are
listed in docs/privacy.md "Sections".
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.privacy.registry import Person, Row, register
from gongzhi.privacy.selectors import consents_of, requests_of


def consents(person: Person) -> list[Row]:
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


register("consents", gettext_lazy("Consents"), consents, order=120)
register("requests", gettext_lazy("My requests"), requests, order=130)
