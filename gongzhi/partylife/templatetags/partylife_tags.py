"""Template filters of the party's organisational life."""

from __future__ import annotations

from django import template

from gongzhi.partylife.services import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """Dues are kept in fen; people read yuan with two decimals."""
    return "" if fen is None else _yuan(int(fen))
