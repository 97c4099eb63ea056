"""Probe a URL in a loop and count failures: `python scripts/probe.py URL SECONDS [RATE]`.

Used to measure an upgrade (docs/deployment.md "Upgrades"): run it while scripts/upgrade.sh
reloads gunicorn; it prints how many requests were made and how many failed (no answer, or not
2xx/3xx), and exits 1 if any did. SECONDS 0: until stopped (SIGTERM or Ctrl-C), then it prints.
"""

from __future__ import annotations

import signal
import sys
import time
import urllib.error
import urllib.request


def main() -> int:
    url, seconds = sys.argv[1], float(sys.argv[2])
    rate = float(sys.argv[3]) if len(sys.argv) > 3 else 20.0
    total = failed = 0
    end = time.monotonic() + seconds if seconds > 0 else float("inf")

    def stop(*_: object) -> None:
        nonlocal end
        end = 0.0

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while time.monotonic() < end:
        started = time.monotonic()
        total += 1
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (operator's URL)
                if answer.status >= 400:
                    failed += 1
        except (urllib.error.URLError, OSError):
            failed += 1
        time.sleep(max(0.0, 1 / rate - (time.monotonic() - started)))
    print(f"probe {url}: {total} requests, {failed} failed")  # noqa: T201
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
