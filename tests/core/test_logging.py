"""Logs: personal data masked in every record, query strings dropped, daily files kept at
least six months (190 files), rotation shared safely by several processes."""

from __future__ import annotations

import copy
import logging
import logging.config
import os
import time
from logging.handlers import TimedRotatingFileHandler

import pytest
from django.conf import settings as django_settings

from gongzhi.core.logging import (
    PersonalDataFilter,
    RetainedTimedRotatingFileHandler,
    mask_text,
)

PHONE = "13800138000"
ID18 = "42011119800101001X"


@pytest.fixture
def file_logger(tmp_path):
    """The file handler exactly as settings.LOGGING configures it, writing into tmp_path."""
    config = copy.deepcopy(django_settings.LOGGING)
    handler = config["handlers"]["file"]
    handler["filename"] = str(tmp_path / "gongzhi.log")
    config["handlers"] = {"file": handler}
    config["root"] = {"handlers": [], "level": "INFO"}
    config["loggers"] = {"h5test": {"handlers": ["file"], "level": "INFO", "propagate": False}}
    config["disable_existing_loggers"] = False
    logging.config.dictConfig(config)
    logger = logging.getLogger("h5test")
    yield logger, tmp_path / "gongzhi.log"
    for h in logger.handlers:
        h.close()
    logger.handlers = []
    logging.config.dictConfig(django_settings.LOGGING)


def test_phone_and_id_numbers_are_written_masked(file_logger):
    logger, path = file_logger
    logger.info("居民 %s 手机 %s 旧证 %s", ID18, PHONE, "420111800101123")
    logger.warning("联系 +86 139-1234-5678 或 139 1234 5679")
    try:
        raise ValueError(f"no resident with id {ID18}")
    except ValueError:
        logger.exception("lookup failed for %s", PHONE)
    text = path.read_text(encoding="utf-8")
    assert PHONE not in text and ID18 not in text and "420111800101123" not in text
    assert "12345678" not in text.replace("-", "").replace(" ", "")
    assert "138****8000" in text
    assert "420111********001X" in text
    assert "420111*****0123" not in text and "420111*****1123" in text
    assert "ValueError: no resident with id 420111********001X" in text


def test_query_strings_are_dropped(file_logger):
    logger, path = file_logger
    logger.info('"GET /people/?q=%s&page=2 HTTP/1.1" 200 512', PHONE)
    logger.info("redirect to https://gz.example/login?next=/x&phone=13800138000")
    text = path.read_text(encoding="utf-8")
    assert '"GET /people/?[query] HTTP/1.1" 200 512' in text
    assert "https://gz.example/login?[query]" in text
    assert "next=" not in text and "q=" not in text


def test_request_logging_through_django_is_masked(client, db, tmp_path, caplog):
    """A 404 logged by django.request carries the path only, masked."""
    seen = []

    class Capture(logging.Handler):
        def emit(self, record):
            seen.append(self.format(record))

    capture = Capture()
    capture.addFilter(PersonalDataFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(capture)
    try:
        client.get(f"/no-such-page/{PHONE}/?phone={PHONE}")
    finally:
        logger.removeHandler(capture)
    assert seen, "django.request logged nothing"
    assert all(PHONE not in line and "phone=" not in line for line in seen)
    assert any("138****8000" in line for line in seen)


def test_ordinary_numbers_are_left_alone():
    assert mask_text("工单 202612060001 共 12 条, 用户 #42, 金额 100000") == (
        "工单 202612060001 共 12 条, 用户 #42, 金额 100000"
    )
    assert mask_text("") == ""


def test_file_handler_is_configured_with_six_months_retention():
    config = django_settings.LOGGING["handlers"]["file"]
    assert config["class"] == "gongzhi.core.logging.RetainedTimedRotatingFileHandler"
    assert config["when"] == "midnight"
    assert config["backupCount"] >= 190
    assert "personal_data" in config["filters"]
    assert config["filename"].startswith(str(django_settings.LOG_DIR))
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, TimedRotatingFileHandler)]
    assert handlers and all(h.backupCount >= 190 and h.when == "MIDNIGHT" for h in handlers)
    assert all(any(isinstance(f, PersonalDataFilter) for f in h.filters) for h in handlers)
    ours = [h for h in logging.getLogger().handlers if not type(h).__module__.startswith("_pytest")]
    assert len(ours) == 2  # console and file
    assert all(any(isinstance(f, PersonalDataFilter) for f in h.filters) for h in ours)


def test_retention_keeps_190_daily_files(tmp_path):
    base = tmp_path / "gongzhi.log"
    handler = RetainedTimedRotatingFileHandler(str(base), when="midnight", backupCount=190)
    day = 24 * 3600
    now = time.time()
    for i in range(1, 201):
        stamp = time.strftime("%Y-%m-%d", time.localtime(now - i * day))
        (tmp_path / f"gongzhi.log.{stamp}").write_text("old\n")
    handler.emit(logging.makeLogRecord({"msg": "today"}))
    handler.doRollover()
    handler.close()
    kept = [p for p in os.listdir(tmp_path) if p.startswith("gongzhi.log.")]
    assert len(kept) == 190


def _two_workers_rotating(handler_class, tmp_path) -> str:
    base = tmp_path / "gongzhi.log"
    workers = [handler_class(str(base), when="midnight", backupCount=190) for _ in range(2)]
    for i, handler in enumerate(workers):
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.emit(logging.makeLogRecord({"msg": f"yesterday from {i}"}))
    for handler in workers:
        handler.rolloverAt = int(time.time()) - 1  # midnight has passed for both
    for i, handler in enumerate(workers):
        handler.emit(logging.makeLogRecord({"msg": f"today from {i}"}))
        handler.close()
    return "".join(p.read_text() for p in tmp_path.iterdir())


def test_two_processes_rotating_one_file_lose_nothing(tmp_path):
    """Two workers on one file: the second rollover keeps the file the first one rotated."""
    content = _two_workers_rotating(RetainedTimedRotatingFileHandler, tmp_path)
    for line in ("yesterday from 0", "yesterday from 1", "today from 0", "today from 1"):
        assert line in content
    assert len([p for p in tmp_path.iterdir() if p.name.startswith("gongzhi.log.")]) == 1


def test_the_standard_handler_would_lose_a_day(tmp_path):
    """Why the subclass exists: the standard handler deletes the other worker's rotated file."""
    content = _two_workers_rotating(TimedRotatingFileHandler, tmp_path)
    assert "yesterday from 0" not in content


def test_the_task_worker_logs_each_line_once_through_the_filter():
    """run_huey adds its own stream handler to the "huey" logger only when it has none: the
    settings give it ours, and it does not propagate to the root's (which would double it)."""
    import logging
    import logging.config

    from django.conf import settings

    # Other tests here configure logging of their own: apply the settings' configuration as
    # Django does at start-up.
    logging.config.dictConfig(settings.LOGGING)
    huey = logging.getLogger("huey")
    assert huey.handlers and huey.propagate is False
    assert settings.LOGGING["loggers"]["huey"]["handlers"] == settings.LOGGING["root"]["handlers"]
    assert all(
        any(type(f).__name__ == "PersonalDataFilter" for f in h.filters) for h in huey.handlers
    )
