"""Template helpers every page shares (issue 19): money as ¥300,000.00, the buttons and links a
user may follow, and the Chinese titles of codes (audit actions, profile keys, documents).

    {% load gz_ui %}
    {{ amount|yuan }}          a Decimal/int/float in yuan → ¥300,000.00
    {{ amount_fen|fen }}       an integer in fen → ¥300,000.00
    {% if user|may:"profile.view" %}…{% endif %}
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gongzhi.core import access

register = template.Library()

CENT = Decimal("0.01")


def format_yuan(value: object) -> str:
    """¥ and thousands separators, two decimals; a negative sum keeps its sign in front."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


@register.filter
def yuan(value: object) -> str:
    return format_yuan(value)


@register.filter
def fen(value: object) -> str:
    if value is None or value == "":
        return ""
    try:
        return format_yuan(Decimal(int(str(value))) / 100)
    except (TypeError, ValueError):
        return str(value)


@register.filter
def may(user: Any, action: str) -> bool:
    """Whether the user holds `action` somewhere: show a link only to those it will serve."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return access.has_any(user, action)


def _profiles() -> list:
    from gongzhi.core import profiles

    return [p for p in profiles.all_profiles() if p.path is not None]


@register.filter
def profile_title(name: str) -> str:
    """A policy profile's document title for its name (`loudi` → 娄发〔2015〕12号 …)."""
    for p in _profiles():
        if p.name == name:
            return p.title or name
    return name


def _document_titles() -> dict[str, str]:
    """Source file and its number (`001_5ec5….txt`, `001`) → the document's title."""
    titles: dict[str, str] = {}
    for p in _profiles():
        if p.source and p.title:
            titles[p.source] = p.title
            titles.setdefault(p.source.split("_", 1)[0], p.title)
    return titles


@register.filter
def document_title(source: str) -> str:
    """The title of a source document named by its file (`001_5ec5a89c….txt`)."""
    return _document_titles().get(source or "", source)


_CITATION = re.compile(r"^(?P<doc>\d{3})\s*§\s*(?P<para>[^:：]+?)\s*[:：]\s*")


@register.filter
def citation(text: str) -> str:
    """`001 §3: 按200户…` → `第3条：按200户…` (the document is the profile's own; its title
    stands at the top of the page)."""
    if not text:
        return ""
    match = _CITATION.match(text)
    if not match:
        return text
    rest = text[match.end() :]
    return _("Paragraph %(para)s: %(quote)s") % {"para": match["para"], "quote": rest}


@register.filter
def choice_label(label: object) -> object:
    """For a template that writes a select's options itself: Django's "---------" as 请选择."""
    if label == "---------":
        return pgettext("empty choice", "Please choose")
    return label
