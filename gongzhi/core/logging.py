"""Logs without personal data, kept at least six months.

`PersonalDataFilter` sits on every handler (settings.LOGGING): it rewrites each record's
message — arguments merged in, the traceback and stack included — masking phone-like and
ID-like digit runs the way the pages mask them (138****8000, 420111********1234) and
dropping query strings from request lines and URLs ("/path?phone=…" → "/path?[query]").

`RetainedTimedRotatingFileHandler` is the standard daily TimedRotatingFileHandler, except
that several processes (gunicorn workers) may share one file: when another process has
already rotated the file for the day, it does not delete that process's rotated file (the
standard handler does), it only reopens the new one.

The retention (Cybersecurity Law art. 21: network logs kept at least six months) is
settings.LOG_RETENTION_DAYS daily files (default 190).
"""

from __future__ import annotations

import logging
import os
import re
import time
from logging.handlers import TimedRotatingFileHandler

# Mainland mobile numbers, optionally +86 and with spaces or dashes between the groups.
_PHONE = re.compile(r"(?<![\dA-Za-z])(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
# Resident ID numbers: 18 characters (last may be X) or the old 15 digits.
_ID18 = re.compile(r"(?<![\dA-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![\dA-Za-z])")
_ID15 = re.compile(r"(?<![\dA-Za-z])(\d{6})\d{5}(\d{4})(?![\dA-Za-z])")
# A query string after a path or URL, up to whitespace or a quote.
_QUERY = re.compile(r"((?:https?://[^\s\"'?]*|/[^\s\"'?]*))\?[^\s\"']+")


def _id18(match: re.Match) -> str:
    return match.group(1) + "********" + match.group(2)[-4:]


def mask_text(text: str) -> str:
    """The text with query strings dropped and phone/ID digit runs masked."""
    if not text:
        return text
    text = _QUERY.sub(r"\1?[query]", text)
    text = _ID18.sub(_id18, text)
    text = _ID15.sub(lambda m: m.group(1) + "*****" + m.group(2), text)
    return _PHONE.sub(lambda m: m.group(1) + "****" + m.group(3), text)


class PersonalDataFilter(logging.Filter):
    """Masks personal data in every record passing the handler it is attached to."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not stop logging
            message = str(record.msg)
        record.msg = mask_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        # Django's request logging passes the request object; its repr carries the query.
        if hasattr(record, "request"):
            record.request = mask_text(repr(record.request))
        return True


class RetainedTimedRotatingFileHandler(TimedRotatingFileHandler):
    """Daily rotation shared safely by several processes (see the module docstring)."""

    def _rotated_name(self) -> str:
        t = self.rolloverAt - self.interval
        stamp = time.gmtime(t) if self.utc else time.localtime(t)
        return self.rotation_filename(self.baseFilename + "." + time.strftime(self.suffix, stamp))

    def doRollover(self) -> None:  # noqa: N802 - the logging API's name
        if not os.path.exists(self._rotated_name()):
            super().doRollover()
            return
        # Another process rotated today's file already: keep its copy, write to the new file.
        if self.stream:
            self.stream.close()
            self.stream = None
        if not self.delay:
            self.stream = self._open()
        now = int(time.time())
        next_at = self.computeRollover(now)
        while next_at <= now:
            next_at += self.interval
        self.rolloverAt = next_at
