"""`{{ fen|yuan }}`: an amount kept in fen shown in yuan with two decimals."""

from __future__ import annotations

from django import template

from gongzhi.organisations import rules

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    return "—" if fen is None else rules.fen_to_yuan(fen)
