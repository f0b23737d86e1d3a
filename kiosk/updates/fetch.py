"""The network side of a content update check: python-tuf's urllib3 fetcher with a deadline.

Apart from kiosk/updates/client.py so that the kiosk's start does not import python-tuf,
urllib3 and cryptography (0.12 s): the first check imports this module.
"""

from __future__ import annotations

import time
from typing import Iterator

import urllib3
from tuf.api import exceptions as tuf_errors
from tuf.ngclient.urllib3_fetcher import Urllib3Fetcher

SOCKET_TIMEOUT_S = 15.0                 # connect, and longest gap between two bytes
CHUNK_BYTES = 8192                      # the deadline is looked at after each chunk


class DeadlineFetcher(Urllib3Fetcher):
    """urllib3 fetcher with one deadline for the whole check, counting the bytes it receives.

    The deadline is looked at after every chunk of CHUNK_BYTES, so a server that sends slowly
    is dropped at most one chunk (or one socket timeout) after it.

    Any failure mid-stream (the server closing early, a reset) becomes a DownloadError, so a
    dropped connection is "offline", never a half file."""

    def __init__(self, deadline_s: float, socket_timeout_s: float = SOCKET_TIMEOUT_S, clock=time.monotonic):
        super().__init__(socket_timeout=socket_timeout_s, chunk_size=CHUNK_BYTES, app_user_agent="pas-a-pas")
        self.deadline_s, self.clock = deadline_s, clock
        self.bytes_fetched = 0
        self._ends_at = clock() + deadline_s

    def _fetch(self, url: str) -> Iterator[bytes]:
        if self.clock() > self._ends_at:
            raise tuf_errors.SlowRetrievalError(f"deadline of {self.deadline_s:g} s passed")
        return self._guarded(super()._fetch(url))

    def _guarded(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        try:
            for chunk in chunks:
                self.bytes_fetched += len(chunk)
                if self.clock() > self._ends_at:
                    raise tuf_errors.SlowRetrievalError(f"deadline of {self.deadline_s:g} s passed")
                yield chunk
        except urllib3.exceptions.HTTPError as e:
            raise tuf_errors.DownloadError(f"connection lost mid-download ({type(e).__name__})") from e


def short_reason(error: BaseException) -> str:
    """The innermost cause in a few words: "Connection refused", "deadline of 120 s passed"."""
    if isinstance(error, tuf_errors.DownloadHTTPError):
        return f"HTTP {error.status_code}"
    seen = error
    while seen.__cause__ is not None or seen.__context__ is not None:
        seen = seen.__cause__ or seen.__context__
    reason = getattr(seen, "reason", None)  # urllib3 errors wrap the socket error
    if isinstance(reason, OSError):
        seen = reason
    if isinstance(seen, OSError) and seen.strerror:
        return seen.strerror
    text = str(seen) or str(error)
    return text if text and len(text) <= 80 else type(seen).__name__
