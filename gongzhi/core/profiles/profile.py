"""A parsed profile (`Profile`), its status on a day and the state of its dated targets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from gongzhi.core.profiles.issues import Issue
from gongzhi.core.profiles.keys import SCHEMA, Key


@dataclass(frozen=True)
class Row:
    """One schema key as set (or not) by a profile, for display."""

    key: Key
    value: float | None
    is_set: bool
    citation: str
    due: dt.date | None = None
    applies_from: dt.date | None = None


@dataclass(frozen=True)
class ProfileStatus:
    """Whether a profile's document is in force on a day.

    code: "in_force", "expired", "not_yet" or "undated"; label: lazy text for people;
    since: the day that explains the code (valid_until when expired, valid_from otherwise)."""

    code: str
    label: Any
    since: dt.date | None = None

    @property
    def in_force(self) -> bool:
        return self.code in ("in_force", "undated")


@dataclass(frozen=True)
class TargetState:
    """A dated target against a community's figure: "met", "short", "overdue" or "not_set"."""

    code: str
    label: Any
    due: dt.date | None = None


@dataclass(frozen=True)
class Profile:
    name: str
    path: Path | None = None
    source: str = ""
    title: str = ""
    notes: str = ""
    values: dict[str, float] = field(default_factory=dict)
    citations: dict[str, str] = field(default_factory=dict)
    errors: tuple[Issue, ...] = ()
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None  # the last day in force
    successor: str = ""
    due_dates: dict[str, dt.date] = field(default_factory=dict)
    from_dates: dict[str, dt.date] = field(default_factory=dict)
    # Names of the expired profiles whose `successor` chain led here (effective_profile).
    succeeds: tuple[str, ...] = ()
    # Structured sections registered by apps (gongzhi.core.profiles.sections), as read.
    sections: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def file_name(self) -> str:
        return self.path.name if self.path else ""

    def status(self, on: dt.date | None = None) -> ProfileStatus:
        """Whether the document is in force on `on` (default: today by gongzhi.core.clock)."""
        from gongzhi.core import clock

        day = on or clock.today()
        start, end = self.valid_from, self.valid_until
        if start and day < start:
            return ProfileStatus(
                "not_yet", format_lazy(_("Not yet in force: from {date}"), date=start), start
            )
        if end and day > end:
            return ProfileStatus("expired", format_lazy(_("Expired on {date}"), date=end), end)
        if end:
            return ProfileStatus(
                "in_force", format_lazy(_("In force until {date}"), date=end), start
            )
        if start:
            return ProfileStatus(
                "in_force", format_lazy(_("In force since {date}"), date=start), start
            )
        return ProfileStatus("undated", _("In force (no validity dates)"))

    @property
    def replacement(self) -> Profile | None:
        """The profile that applies instead of this expired one (its `successor` chain), if any."""
        if not self.successor:
            return None
        from gongzhi.core.profiles.inheritance import follow_successors

        following = follow_successors(self)
        return following if following.name != self.name else None

    def due(self, key: str) -> dt.date | None:
        """The date by which the target `key` must be met, or None when it is not dated."""
        if key not in SCHEMA:
            raise KeyError(key)
        return self.due_dates.get(key) if self.ok else None

    def applies_from(self, key: str) -> dt.date | None:
        """The date the document makes `key` apply from, when it names one for the key."""
        if key not in SCHEMA:
            raise KeyError(key)
        return self.from_dates.get(key) if self.ok else None

    def section(self, name: str) -> Any | None:
        """The structured section `name` as the file gives it (validated by the app that
        registered it), or None when the profile has none or is broken."""
        return self.sections.get(name) if self.ok else None

    def is_set(self, key: str) -> bool:
        return self.ok and key in self.values

    def get(self, key: str) -> float | None:
        """The value of `key`, the platform default when the profile leaves it out, or None.
        A broken profile gives None for every key: its numbers are not trusted."""
        if key not in SCHEMA:
            raise KeyError(key)
        if not self.ok:
            return None
        if key in self.values:
            return self.values[key]
        return SCHEMA[key].default

    def rows(self) -> list[Row]:
        return [
            Row(
                key=key,
                value=self.get(key.name),
                is_set=self.is_set(key.name),
                citation=self.citations.get(key.name, ""),
                due=self.due(key.name),
                applies_from=self.applies_from(key.name),
            )
            for key in SCHEMA.values()
        ]


def target_state(
    profile: Profile | None, key: str, met: bool, on: dt.date | None = None
) -> TargetState:
    """A target of `profile` against a figure that `met` it or not, on `on` (default today).

    not_set when the profile does not give the key a value; met when met; overdue when not met
    and the key's due date has passed; else short."""
    from gongzhi.core import clock

    if profile is None or profile.get(key) is None:
        return TargetState("not_set", _("Not set by this document"))
    due = profile.due(key)
    if met:
        return TargetState("met", _("Met"), due)
    if due and (on or clock.today()) > due:
        return TargetState("overdue", format_lazy(_("Overdue since {date}"), date=due), due)
    if due:
        return TargetState("short", format_lazy(_("Short (due by {date})"), date=due), due)
    return TargetState("short", _("Short"), due)
