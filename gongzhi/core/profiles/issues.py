"""What can be wrong with a profile file (`Issue`, rendered in the current language when shown)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core.profiles.keys import SCHEMA

_MESSAGES = {
    "unreadable": _("%(file)s: the file cannot be read (%(detail)s)."),
    "too_large": _("%(file)s: the file is larger than %(limit)s KB."),
    "syntax": _("%(file)s, line %(line)s: syntax error: %(detail)s"),
    "not_mapping": _("%(file)s: the file must hold keys and values at its top level."),
    "unknown_key": _("%(file)s: unknown key “%(key)s”."),
    "not_section": _("%(file)s: “%(key)s” must be a section of keys, not a single value."),
    "duplicate_key": _("%(file)s: the key “%(key)s” is set more than once."),
    "wrong_type": _("%(file)s: “%(key)s” must be %(expected)s, not “%(value)s”."),
    "out_of_range": _(
        "%(file)s: “%(key)s” is %(value)s, outside the allowed range %(minimum)s–%(maximum)s "
        "%(unit)s."
    ),
    "missing": _("%(file)s: the required key “%(key)s” is missing."),
    "source_path": _(
        "%(file)s: “source” must be the file name of the source document, not a path."
    ),
    "bad_name": _(
        "%(file)s: “%(name)s” is not a valid profile name (lower-case letters, digits, “-” and "
        "“_”, at most 64 characters)."
    ),
    "ambiguous": _("%(file)s: profile “%(name)s” is also defined by %(other)s in the same folder."),
    "not_found": _("There is no policy profile file named “%(name)s”."),
    "bad_date": _("%(file)s: “%(key)s” must be a date written YYYY-MM-DD, not “%(value)s”."),
    "date_order": _("%(file)s: “valid_from” (%(start)s) is after “valid_until” (%(end)s)."),
    "due_not_mapping": _("%(file)s: “%(key)s” must map keys of this profile to dates."),
    "due_unset": _(
        "%(file)s: “%(field)s” gives a date for “%(key)s”, which this profile does not set."
    ),
    "bad_section": _("%(file)s: section “%(key)s”: %(detail)s"),
    "bad_successor": _(
        "%(file)s: “successor” must name another profile (lower-case letters, digits, “-” "
        "and “_”), not “%(value)s”."
    ),
}

_EXPECTED = {
    "integer": _("a whole number"),
    "number": _("a number"),
    "text": _("text"),
}


@dataclass(frozen=True)
class Issue:
    """One thing wrong with a profile file. Rendered in the current language when shown."""

    file: str
    code: str
    key: str = ""
    line: int | None = None
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def message(self) -> str:
        values: dict[str, Any] = {"file": self.file, "key": self.key, "line": self.line}
        values.update(self.params)
        if "expected" in values:
            values["expected"] = str(_EXPECTED.get(values["expected"], values["expected"]))
        if self.key in SCHEMA:
            values.setdefault("unit", str(SCHEMA[self.key].unit))
        return str(_MESSAGES[self.code]) % values

    def __str__(self) -> str:
        return self.message


def _issue(file: str, code: str, key: str = "", line: int | None = None, **params: Any) -> Issue:
    return Issue(file=file, code=code, key=key, line=line, params=tuple(sorted(params.items())))


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"
