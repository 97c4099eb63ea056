"""Demo tickets: two years of residents' requests and grid events, in every state.

Small scale (the demo street, 10,000 households): about 2 tickets per household and year,
≈40,000 tickets with their full history (≈7 events a ticket). District scale (350,000
households, 2,000 grids): 5,000,000 tickets over two years (≈7 a household and year: a
district counts the 12345 hotline and patrol reports too). Reduced history in the district:
each ticket keeps only its last event (the step that gave it its current status), so
"every ticket's last event is its status" holds there too; tickets older than 60 days get
their outcome in one go (closed after a rating, closed unrated by the sweep, or merged, with
consistent times and flags) instead of the step-by-step life of the recent ones.

Every ticket lives through the workflow of gongzhi/tickets/workflow.py, simulated step by
step from its creation to `clock.now()`: each step is looked up in `workflow.TRANSITIONS`
(an illegal step is a bug here, not data), the deadline sweep's steps (automatic escalation,
supervision, closing unrated tickets) are applied whenever a ticket's `escalate_at` passes
before its next step — as `services.sweep_one` would have — so old tickets are closed,
merged or confirmed, and the last weeks hold tickets in every state, some overdue and
supervised. Texts are realistic Chinese requests per category, with variable parts.

Who is who: tickets come online from resident accounts (one household in four has one at
small scale, one in eight in the district: `resident-<household id>`, linked to the head of
the household), by phone or walk-in (entered by the grid's worker or community staff, on
behalf of a named resident), or from the grid worker's patrol. Handlers are the grid
workers, the community's party members (the `partymember` login 赵国庆 takes most of his
community's pool; two party-member logins `party-<community>-<n>` per community elsewhere),
the property company (the `property` login covers the first estate), the partner unit and
the street. The resident login 13800000001 has tickets of her own, some still open.

Seed data, not a user's action: rows are written in bulk (COPY on PostgreSQL, multi-row
inserts elsewhere), outside the services; one audit record per run that created anything.
Deterministic (seeded generators), idempotent: small scale is one transaction, and when
tickets older than 30 days exist it adds nothing. The district commits a batch of whole days
at a time (the last 60 days first, so an early look already shows the pages' months) and a
later run builds only the days that have no ticket yet: an interrupted build resumes. The
day sequence of a resumed build differs from a fresh one's. Ticket numbers use the day counters of services._number (TicketCounter),
continued and written back, so tickets submitted afterwards never collide.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS

from gongzhi.demo import places as places_demo
from gongzhi.demo.tickets.builder import _Builder
from gongzhi.demo.tickets.constants import (
    ACCOUNT_EVERY,
    BATCH,
    CHANNEL_WEIGHTS,
    DAYS,
    DISTRICT_TICKETS,
    EXISTS_AFTER_DAYS,
    FAST_AFTER,
    PARTY_LOGINS,
    PER_HOUSEHOLD_YEAR,
    PRIORITY_ORDER,
    RATINGS,
    SEED,
    TERMINAL,
)
from gongzhi.demo.tickets.texts import (
    COMMENTS,
    ESCALATE_NOTES,
    RELATIONS,
    REOPEN_NOTES,
    RESOLUTIONS,
    RETURN_NOTES,
    SHOWCASE,
    SHOWCASE_CATEGORIES,
    STREET_NOTES,
    TEXTS,
)

# The parts: constants (sizes, rates), texts (what residents write, the showcase), world
# (buildings, grids), the builder (setup, run, ticket, writing) and a ticket's life (life, plans).


def build(
    scale,
    *,
    using: str = DEFAULT_DB_ALIAS,
    progress: Callable | None = None,
    per_household_year: float | None = None,
) -> str:
    """Build the demo tickets (idempotent); returns one line saying what exists."""
    if isinstance(scale, str):
        scale = places_demo.SCALES[scale]
    return _Builder(scale, using, progress, per_household_year).run()


__all__ = [
    "ACCOUNT_EVERY",
    "BATCH",
    "CHANNEL_WEIGHTS",
    "COMMENTS",
    "DAYS",
    "DISTRICT_TICKETS",
    "ESCALATE_NOTES",
    "EXISTS_AFTER_DAYS",
    "FAST_AFTER",
    "PARTY_LOGINS",
    "PER_HOUSEHOLD_YEAR",
    "PRIORITY_ORDER",
    "RATINGS",
    "RELATIONS",
    "REOPEN_NOTES",
    "RESOLUTIONS",
    "RETURN_NOTES",
    "SEED",
    "SHOWCASE",
    "SHOWCASE_CATEGORIES",
    "STREET_NOTES",
    "TERMINAL",
    "TEXTS",
    "build",
]
