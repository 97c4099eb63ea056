"""What every benchmark script shares: pointing Django at a bench database, and timing."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(database_url: str | None, sqlite_name: str) -> None:
    """Point settings at the bench database (default: var/bench/<sqlite_name>) before Django
    reads them, then set Django up."""
    var = ROOT / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    os.environ["GONGZHI_VAR_DIR"] = str(var)
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{var / sqlite_name}"
    # Bench databases are throwaway: their key files may be made here (production refuses).
    os.environ.setdefault("GONGZHI_GENERATE_KEYS", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()


def median_ms(fn, runs: int) -> float:
    """Median wall time of `fn` over `runs` calls, after one warm-up call, in milliseconds."""
    fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)
