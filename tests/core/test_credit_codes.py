"""GB 32100 credit codes (gongzhi/core/credit_codes.py): real codes pass, one wrong character
is caught by the check character, length and the character set are refused with a reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from gongzhi.core import credit_codes

# Published codes (the check character computed by the standard's worked method).
GOOD = ("91350100M000100Y43", "91110108551385082Q")


@pytest.mark.parametrize("code", GOOD)
def test_valid_codes_pass(code):
    assert credit_codes.problem(code) == ""
    assert credit_codes.check_char(code[:17]) == code[17]


def test_check_character_computed_by_hand():
    # The weights are 3^i mod 31; recomputed here independently of the module's table.
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    first = "91110108551385082"
    total = sum(chars.index(c) * pow(3, i, 31) for i, c in enumerate(first))
    assert chars[(31 - total % 31) % 31] == "Q"


def test_a_wrong_check_character_is_refused():
    code = GOOD[0][:17] + ("0" if GOOD[0][17] != "0" else "1")
    assert "校验码" in credit_codes.problem(code)


def test_a_single_typo_is_caught():
    code = "91350100M000100Y43"
    typo = code[:5] + ("2" if code[5] != "2" else "3") + code[6:]
    assert credit_codes.problem(typo) != ""


@pytest.mark.parametrize(
    ("code", "words"),
    [("9135010", "18位"), ("91350100M000100I43", "I"), ("", "18位")],
)
def test_length_and_characters(code, words):
    assert words in credit_codes.problem(code)


def test_clean_normalises_and_refuses():
    assert credit_codes.clean(" 91350100m000100y43 ") == "91350100M000100Y43"
    with pytest.raises(ValidationError) as caught:
        credit_codes.clean("91350100M000100Y44", field="code")
    assert "code" in caught.value.message_dict
