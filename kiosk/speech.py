"""Reading aloud with espeak-ng's French voice, offline, without ever waiting for it.

One utterance at a time: a new one stops the one before, as a visitor who touches
« Écouter » again expects. The process is started with the text after `--` so that a
text starting with « - » is never read as an option; what is said is never logged.
"""

from __future__ import annotations

import logging
import shutil
import subprocess

log = logging.getLogger(__name__)

DEFAULT_ARGV = ("espeak-ng", "-v", "fr", "-s", "140")


class Speaker:
    def __init__(self, argv: tuple[str, ...] | list[str] = DEFAULT_ARGV):
        # Tests point it at a WAV file with -w.
        self.argv = list(argv)
        self.process: subprocess.Popen | None = None

    def speak(self, text: str) -> None:
        self.stop()
        if not text or shutil.which(self.argv[0]) is None:
            return
        try:
            self.process = subprocess.Popen([*self.argv, "--", text],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError as e:
            log.warning("%s could not start: %s", self.argv[0], type(e).__name__)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
        self.process = None

    def is_silent(self) -> bool:
        return self.process is None

    def close(self) -> None:
        self.stop()
