"""The privacy notice shown to residents (PIPL arts. 17 and 30), kept as versioned text.

A new version is a new entry in NOTICES (never edit a published one: consents name the version
they were given to) and CURRENT pointing at it; residents are then asked again.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

NOTICES: dict[str, list] = {
    "2026-12": [
        _(
            "This platform is operated by your street office and residents' committee to "
            "serve the residents of the community. It processes your personal information "
            "only for the purposes below, and only as much as each purpose needs."
        ),
        _(
            "What we hold: your name, gender, birth date, identity document number and phone "
            "(the last two stored encrypted), your household and address, the requests you "
            "report, your volunteering, points and redemptions, your votes and opinions."
        ),
        _(
            "Why: community services and management under the law (registration of residents, "
            "handling your requests, volunteering and points, deliberation and votes)."
        ),
        _(
            "Who sees it: staff of your community and grid, only for their tasks; nobody "
            "outside the government and the residents' committee, unless a law requires it."
        ),
        _(
            "How long: as long as the purpose needs, then deleted or anonymised by the retention "
            "rules of the platform."
        ),
        _(
            "Sensitive information (health, disability, the precise location of a report, "
            "children under 14) is processed only with your separate consent, or where a law "
            "requires staff to record it."
        ),
        _(
            "Your rights: download everything held about you, ask for corrections or deletion, "
            "and withdraw your consent at any time, from the page 'My personal information'. "
            "Withdrawing does not affect what was done before."
        ),
    ],
}
CURRENT = "2026-12"


def paragraphs(version: str = CURRENT) -> list:
    return NOTICES[version]
