"""The wipe registry: every holder of visitor data registers here, and reset wipes them all.

A holder gives two functions: one that erases what it holds, and one that checks it is
empty. Wiping is only trusted once the check passes; each holder's result is logged by
name (never with the data). If any check fails, the kiosk must not start a new session
until a second wipe passes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Holder:
    name: str
    wipe: Callable[[], None]
    is_empty: Callable[[], bool]


@dataclass(frozen=True)
class WipeReport:
    results: dict[str, bool]

    @property
    def clean(self) -> bool:
        return all(self.results.values())

    def failed(self) -> list[str]:
        return [name for name, ok in self.results.items() if not ok]


class WipeRegistry:
    def __init__(self) -> None:
        self._holders: dict[str, Holder] = {}
        self.last_report: WipeReport | None = None

    def register(self, name: str, wipe: Callable[[], None], is_empty: Callable[[], bool]) -> None:
        self._holders[name] = Holder(name, wipe, is_empty)

    def unregister(self, name: str) -> None:
        self._holders.pop(name, None)

    def names(self) -> list[str]:
        return list(self._holders)

    def _wipe_once(self) -> WipeReport:
        results = {}
        for holder in list(self._holders.values()):
            try:
                holder.wipe()
            except Exception as e:  # one broken holder must not stop the others
                log.error("wipe %s raised %s", holder.name, type(e).__name__)
            try:
                results[holder.name] = bool(holder.is_empty())
            except Exception as e:
                log.error("wipe check %s raised %s", holder.name, type(e).__name__)
                results[holder.name] = False
        return WipeReport(results)

    def wipe_all(self) -> WipeReport:
        """Wipe every holder and verify; retry once what failed. The report says what is left."""
        report = self._wipe_once()
        if not report.clean:
            log.warning("wipe incomplete (%s), wiping again", ", ".join(report.failed()))
            report = self._wipe_once()
        for name, ok in report.results.items():
            log.info("wipe %s: %s", name, "empty" if ok else "NOT EMPTY")
        if not report.clean:
            log.error("wipe failed for %s: no new session until a wipe passes", ", ".join(report.failed()))
        self.last_report = report
        return report
