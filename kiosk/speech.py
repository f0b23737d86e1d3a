"""Reading aloud with espeak-ng's French voice, offline, without ever waiting for it.

One utterance at a time: a new one stops the one before, as a visitor who touches
« Écouter » again expects. The text goes to espeak-ng on its standard input, never on
its command line: /proc/<pid>/cmdline is readable by every user of the machine, and a
spoken field (a name, an address) is personal data. What is said is never logged.

Text is normalised for the ear first (kiosk/speech_text.py: phone numbers in pairs,
dates, amounts, web addresses); volume (-a) and rate (-s) are the visit's, set by the
controller through set_voice().
"""

from __future__ import annotations

import logging
import shutil
import subprocess

from kiosk.speech_text import normalise

log = logging.getLogger(__name__)

DEFAULT_ARGV = ("espeak-ng", "-v", "fr")
DEFAULT_VOLUME = 100  # espeak-ng -a: 0 to 200
DEFAULT_RATE = 140    # espeak-ng -s: words per minute
# A pipe holds 64 KiB before a write blocks: the UI thread writes at most this much.
MAX_TEXT_BYTES = 32 * 1024


class Speaker:
    def __init__(self, argv: tuple[str, ...] | list[str] = DEFAULT_ARGV, language: str = "fr"):
        # Tests point it at a WAV file with -w.
        self.argv = list(argv)
        self.language = language
        self.volume, self.rate = DEFAULT_VOLUME, DEFAULT_RATE
        self.process: subprocess.Popen | None = None

    def set_voice(self, volume: int, rate: int) -> None:
        """For the next utterance (the one playing keeps its voice)."""
        self.volume, self.rate = volume, rate

    def command(self) -> list[str]:
        """What is started: options only; the text comes on standard input."""
        return [*self.argv, "-a", str(self.volume), "-s", str(self.rate), "--stdin"]

    def speak(self, text: str) -> None:
        self.stop()
        spoken = normalise(text, self.language).encode("utf-8")[:MAX_TEXT_BYTES]
        if not spoken.strip() or shutil.which(self.argv[0]) is None:
            return
        try:
            self.process = subprocess.Popen(self.command(), stdin=subprocess.PIPE,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            assert self.process.stdin is not None
            # Below the pipe's capacity: this returns without waiting for espeak-ng.
            self.process.stdin.write(spoken)
            self.process.stdin.close()
        except OSError as e:  # could not start, or died before reading (BrokenPipeError)
            log.warning("%s could not speak: %s", self.argv[0], type(e).__name__)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
        self.process = None

    def is_silent(self) -> bool:
        return self.process is None or self.process.poll() is not None

    def close(self) -> None:
        self.stop()
