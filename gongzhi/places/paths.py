"""Kept so that migrations written before the move keep importing `gongzhi.places.paths`:
the materialised paths live in the kernel (gongzhi/core/paths.py)."""

from gongzhi.core.paths import CODE_RE, SEPARATOR, PathField, Under, join, upper_bound

__all__ = ["CODE_RE", "SEPARATOR", "PathField", "Under", "join", "upper_bound"]
