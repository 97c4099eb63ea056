"""Policy profiles (stub; completed by the profiles work)."""

from __future__ import annotations


def available() -> list[str]:
    return []


def effective_profile(place):
    return None
