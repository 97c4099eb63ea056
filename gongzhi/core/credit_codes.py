"""The unified social credit code (统一社会信用代码) of GB 32100-2015, the one implementation.

18 characters from the 31-character set (digits and capital letters without I, O, S, V and Z);
the last is a check character over the first 17, with the weights 3^i mod 31. Every app that
records an organisation's or a company's code checks it here (property companies, social
organisations).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_char(first17: str) -> str:
    """The check character GB 32100 gives the first 17 characters."""
    total = sum(CODE_CHARS.index(c) * w for c, w in zip(first17, CODE_WEIGHTS, strict=True))
    return CODE_CHARS[(31 - total % 31) % 31]


def problem(code: str) -> str:
    """Why `code` is not a valid unified social credit code, or "" when it is."""
    if len(code) != 18:
        return _("A unified social credit code has 18 characters; this one has %(n)s.") % {
            "n": len(code)
        }
    wrong = sorted({c for c in code if c not in CODE_CHARS})
    if wrong:
        return _(
            "A unified social credit code uses digits and capital letters other than I, O, S, "
            "V and Z; %(chars)s is not allowed."
        ) % {"chars": "、".join(wrong)}
    if code[17] != check_char(code[:17]):
        return _(
            "The check character of this unified social credit code is wrong (GB 32100): "
            "check the code for a typing mistake."
        )
    return ""


def clean(value: Any, field: str = "credit_code") -> str:
    """The code as typed, trimmed, spaces removed and in capitals; a refusal on `field` with
    the reason when it is not a valid code."""
    code = str(value or "").strip().upper().replace(" ", "")
    reason = problem(code)
    if reason:
        raise ValidationError({field: reason})
    return code
