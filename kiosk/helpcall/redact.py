"""Secrets out of every log line: URLs' paths and queries, and the webhook's secrets.

Chat webhooks carry their secret in the URL (POST /hooks/SECRET…) and in headers
(X-Api-Key, Authorization). A record factory, installed once for the whole process,
rewrites each record as it is made, whatever logger made it (ours, urllib3's, Kivy's)
and before any handler or formatter sees it:

- in any URL, what follows the host (path, query, fragment) becomes « /… », and a
  user:password@ before the host becomes « …@ »;
- every secret registered by protect() (the webhook URL's path and query, each
  configured header value and its last word, as in "Bearer <token>") becomes « … »,
  also in tracebacks, which are formatted here for that reason.

Values shorter than MIN_SECRET_CHARS are not searched for: they would blank out
ordinary words and numbers in every line, and cannot be a secret worth the name.
"""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import urlsplit

MIN_SECRET_CHARS = 6
HIDDEN = "…"

_URL = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*://)([^/\s?#\"'<>@]+@)?([^/\s?#\"'<>]+)([/?#][^\s\"'<>]*)?")
_lock = threading.Lock()
_secrets: set[str] = set()
_ordered: tuple[str, ...] = ()     # longest first, so that a secret inside another goes with it
_installed = False


def redact(text: str) -> str:
    def url(match: re.Match) -> str:
        scheme, userinfo, host, rest = match.groups()
        hidden_rest = f"/{HIDDEN}" if rest and rest != "/" else (rest or "")
        return f"{scheme}{HIDDEN + '@' if userinfo else ''}{host}{hidden_rest}"

    text = _URL.sub(url, text)
    for secret in _ordered:
        if secret in text:
            text = text.replace(secret, HIDDEN)
    return text


def protect(url: str, headers: dict[str, str]) -> None:
    """Register a webhook's secrets, and make sure every log record is redacted."""
    found = set()
    parts = urlsplit(url)
    for piece in (parts.path, parts.path.strip("/"), parts.query, parts.fragment, parts.password or ""):
        if len(piece) >= MIN_SECRET_CHARS:
            found.add(piece)
    for value in headers.values():
        for piece in (value, value.split()[-1] if value.split() else ""):
            if len(piece) >= MIN_SECRET_CHARS:
                found.add(piece)
    global _ordered
    with _lock:
        _secrets.update(found)
        _ordered = tuple(sorted(_secrets, key=len, reverse=True))
    install_log_redaction()


def install_log_redaction() -> None:
    """Wrap the log record factory once; safe to call from anywhere, any number of times."""
    global _installed
    with _lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def make_record(*args, **kwargs) -> logging.LogRecord:
            return _redacted(previous(*args, **kwargs))
        logging.setLogRecordFactory(make_record)
        _installed = True


_traceback_formatter = logging.Formatter()


def _redacted(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string is the logging module's to report
        return record
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(_traceback_formatter.formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record
