"""Every write of volunteering: registration, teams, activities, sign-ups, check-in/out, hours
confirmation (which credits points and hours through the ledger) and the time bank.

Each function is one transaction: it checks the actor's right with `access.require()` (404
outside the actor's scope, 403 inside without the right), validates (ValidationError with a
message that says what to do; nothing written) and records the business action once in the
audit trail. Ledger refusals (LedgerError) are turned into ValidationError.

Concurrency: sign-ups lock the activity row (`select_for_update`; SQLite serialises writers
with BEGIN IMMEDIATE) and keep `signed_up` ≤ `capacity` (also a CHECK constraint); the
time bank locks the exchange row, and the ledger locks the accounts.

The functions live in one module per part, all re-exported here (`services.sign_up(...)`):
- `volunteers.py`: registration and teams;
- `activities.py`: activities, who manages one, sign-ups and check-in/out;
- `hours.py`: computed and corrected minutes, confirming hours, no-shows;
- `timebank.py`: the time bank (exchanges, family transfers);
- `corrections.py`: reversing an award;
- `_common.py`: the helpers they share.
A test that replaces a function (monkeypatch) replaces it in the module that calls it.
"""

from __future__ import annotations

from gongzhi.volunteering._common import (
    TEXT_MAX,
    my_resident,
)
from gongzhi.volunteering.activities import (
    ACTIVITY_FIELDS,
    CAPACITY_MAX,
    ORGANISER_FIELDS,
    cancel_activity,
    cancel_signup,
    check,
    checkin_opens_before,
    checkout_grace,
    edit,
    manage_grant,
    may_manage,
    may_oversee,
    publish,
    record_check,
    sign_up,
)
from gongzhi.volunteering.corrections import (
    REVERSAL_REASONS,
    Reversal,
    is_award,
    reverse_award,
)
from gongzhi.volunteering.hours import (
    _credit,
    computed_minutes,
    confirm_hours,
    correct_minutes,
    mark_no_shows,
)
from gongzhi.volunteering.timebank import (
    cancel_exchange,
    confirm_exchange,
    family_members,
    family_transfer,
    post_exchange,
    take_exchange,
)
from gongzhi.volunteering.volunteers import (
    decide,
    register,
    save_team,
)

__all__ = [
    "TEXT_MAX",
    "my_resident",
    "register",
    "decide",
    "save_team",
    "CAPACITY_MAX",
    "checkin_opens_before",
    "checkout_grace",
    "ACTIVITY_FIELDS",
    "ORGANISER_FIELDS",
    "manage_grant",
    "may_manage",
    "may_oversee",
    "publish",
    "edit",
    "cancel_activity",
    "sign_up",
    "cancel_signup",
    "check",
    "record_check",
    "computed_minutes",
    "correct_minutes",
    "_credit",
    "confirm_hours",
    "mark_no_shows",
    "post_exchange",
    "take_exchange",
    "confirm_exchange",
    "cancel_exchange",
    "family_members",
    "family_transfer",
    "REVERSAL_REASONS",
    "Reversal",
    "is_award",
    "reverse_award",
]
