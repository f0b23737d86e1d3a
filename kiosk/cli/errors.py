"""The `kiosk` command's one error policy.

A subcommand raises; kiosk.cli.main turns what it knows into one plain line on stderr:
exit 2 for what the technician must fix before the command can run (a bad config, a bad
content pack, a wrong option, a file that cannot be read or written), exit 1 for a check
that ran and failed. Anything else is a bug, and keeps its traceback.
"""

from __future__ import annotations

from kiosk.config import ConfigError
from kiosk.content.problems import ContentError

EXIT_CHECK_FAILED = 1
EXIT_CANNOT_RUN = 2


class UsageError(Exception):
    """Bad usage or input the command cannot work with: one line, exit 2."""


class CheckFailed(Exception):
    """A check ran and found a fault: one line, exit 1."""


def explain(error: BaseException) -> tuple[int, str] | None:
    """(exit code, one line) for an error a technician can act on; None for a bug."""
    if isinstance(error, CheckFailed):
        return EXIT_CHECK_FAILED, str(error)
    if isinstance(error, (ConfigError, UsageError)):
        return EXIT_CANNOT_RUN, str(error)
    if isinstance(error, ContentError):
        problems = error.problems
        first = f", first: {problems[0]}" if problems else ""
        return EXIT_CANNOT_RUN, (f"the content pack has {len(problems)} problem(s){first} "
                                 "(`kiosk content validate` lists them all)")
    if isinstance(error, OSError) and error.filename:
        reason = error.strerror or type(error).__name__
        return EXIT_CANNOT_RUN, f"{error.filename}: {reason}"
    return None
