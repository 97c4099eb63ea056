"""The two party-share rules and the credit-code check, at their boundaries."""

from __future__ import annotations

import pytest

from gongzhi.estates import rules
from tests.estates.conftest import GOOD_CODE, GOOD_CODE_2


@pytest.mark.parametrize("code", [GOOD_CODE, GOOD_CODE_2])
def test_a_valid_credit_code_passes(code):
    assert rules.credit_code_problem(code) == ""


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("91350100M000100Y44", "校验"),  # one character off: the check character is wrong
        ("91350100M000100Y4", "18"),  # too short
        ("91350100M00010OY43", "O"),  # a letter GB 32100 does not use
        ("91350100M000100I43", "I"),
    ],
)
def test_a_wrong_credit_code_is_refused_in_chinese(code, words, settings):
    from django.utils import translation

    with translation.override("zh-hans"):
        problem = rules.credit_code_problem(code)
    assert problem and words in problem


def _share(total, party, required, chair=None, chair_required=False):
    return rules.Share(
        total=total,
        party=party,
        required=required,
        citation="000 §五: 候选人中党员比例一般不低于60%",
        key=rules.CANDIDATE_KEY,
        chair_required=chair_required,
        chair_is_party=chair,
    )


def test_exactly_sixty_percent_passes_and_one_short_fails():
    assert _share(5, 3, 60).ok  # 60 %
    assert not _share(5, 2, 60).ok  # 40 %
    assert _share(10, 6, 60).ok
    assert not _share(10, 5, 60).ok


def test_exactly_half_passes_and_the_chair_must_be_a_party_member():
    assert _share(6, 3, 50, chair=True, chair_required=True).ok
    assert not _share(6, 2, 50, chair=True, chair_required=True).ok
    assert not _share(6, 3, 50, chair=False, chair_required=True).ok
    assert not _share(6, 3, 50, chair=None, chair_required=True).ok


def test_an_unset_key_does_not_apply():
    share = _share(5, 0, None)
    assert share.ok and not share.applies


def test_problems_name_the_share_and_the_paragraph():
    text = " ".join(str(p) for p in _share(5, 2, 60).problems())
    assert "2" in text and "5" in text and "40.0" in text and "000 §五" in text and "60" in text
