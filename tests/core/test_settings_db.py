"""Database settings read from the environment."""

import os
import subprocess
import sys

from django.conf import settings


def _settings_value(env: dict, expr: str) -> str:
    code = f"import gongzhi.settings as s; print({expr})"
    result = subprocess.run(  # noqa: S603 (our own interpreter, a fixed expression)
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_postgresql_connections_are_kept_between_requests():
    url = {"DATABASE_URL": "postgres://u@127.0.0.1:5432/x"}
    assert _settings_value(url, "s.DATABASES['default']['CONN_MAX_AGE']") == "60"
    assert _settings_value(url, "s.DATABASES['default']['CONN_HEALTH_CHECKS']") == "True"
    tuned = {**url, "DB_CONN_MAX_AGE": "0"}
    assert _settings_value(tuned, "s.DATABASES['default']['CONN_MAX_AGE']") == "0"
