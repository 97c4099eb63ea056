"""Fixtures of tests/evaluation. The assessment rounds' fixture `ev` lives in
rounds_support.py (with its helpers); other evaluation tests may add theirs here."""

from tests.evaluation.rounds_support import ev  # noqa: F401
