"""Demo tickets: sizes, rates and weights of the simulation."""

from __future__ import annotations

import datetime as dt

from gongzhi.tickets import workflow
from gongzhi.tickets.models import Channel, Priority, Status

DAYS = 730  # two years back from today
PER_HOUSEHOLD_YEAR = 2.0  # small scale
DISTRICT_TICKETS = 5_000_000
ACCOUNT_EVERY = {"small": 4, "district": 8}  # one resident account per n households
PARTY_LOGINS = 2  # party-member logins per community (besides `partymember`)
BATCH = 20_000  # tickets per write
# District only: tickets older than this get their outcome in one go (closed, rated or not,
# or merged) and only their last event, instead of a step-by-step life.
FAST_AFTER = dt.timedelta(days=60)
EXISTS_AFTER_DAYS = 30  # tickets older than this: the demo has run
SEED = 4  # issue 4

S = Status
TERMINAL = workflow.TERMINAL
CHANNEL_WEIGHTS = (
    (Channel.ONLINE, 55),
    (Channel.PHONE, 15),
    (Channel.WALK_IN, 10),
    (Channel.PATROL, 20),
)
RATINGS = (5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 3, 3, 2, 1)  # mostly 4–5
PRIORITY_ORDER = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]
