"""Reading aloud with espeak-ng, offline, in the visitor's language, without ever waiting for it.

One utterance at a time: a new one stops the one before, as a visitor who touches
« Écouter » again expects. The text goes to espeak-ng on its standard input, never on
its command line: /proc/<pid>/cmdline is readable by every user of the machine, and a
spoken field (a name, an address) is personal data. What is said is never logged.

Text is normalised for the ear first (kiosk/speech_text.py: phone numbers in pairs,
dates, amounts, web addresses, by language); volume (-a), rate (-s) and the voice (-v, the
visitor's language) are the visit's, set by the controller through set_voice().
"""

from __future__ import annotations

import logging
import shutil
import subprocess

from kiosk.speech_text import engine_input

log = logging.getLogger(__name__)

DEFAULT_ARGV = ("espeak-ng",)
# espeak-ng's voice for each kiosk language (kiosk/languages.py), as `espeak-ng --voices`
# lists them in its Language column (checked by tests/core/test_speech.py).
VOICES: dict[str, str] = {"fr": "fr-fr", "ar": "ar", "en": "en-gb", "pt": "pt", "es": "es", "tr": "tr"}
DEFAULT_VOLUME = 100  # espeak-ng -a: 0 to 200
DEFAULT_RATE = 140    # espeak-ng -s: words per minute
# A pipe holds 64 KiB before a write blocks: the UI thread writes at most this much.
MAX_TEXT_BYTES = 32 * 1024


def cut(text: str, ssml: bool) -> bytes:
    """At most MAX_TEXT_BYTES of UTF-8; SSML cut before a tag and closed again, or espeak-ng
    would read the broken tag aloud."""
    spoken = text.encode("utf-8")
    if len(spoken) <= MAX_TEXT_BYTES:
        return spoken
    head = spoken[:MAX_TEXT_BYTES - 32].decode("utf-8", "ignore")
    if not ssml:
        return head.encode("utf-8")
    head = head.rsplit("<", 1)[0]
    still_open = head.count("<voice") - head.count("</voice>")
    return (head + "</voice>" * still_open + "</speak>").encode("utf-8")


class Speaker:
    def __init__(self, argv: tuple[str, ...] | list[str] = DEFAULT_ARGV, language: str = "fr"):
        # Tests point it at a WAV file with -w. The voice (-v) is added from the language.
        self.argv = list(argv)
        self.language = language
        self.volume, self.rate = DEFAULT_VOLUME, DEFAULT_RATE
        self.process: subprocess.Popen | None = None

    def set_voice(self, volume: int, rate: int, language: str = "fr") -> None:
        """For the next utterance (the one playing keeps its voice)."""
        self.volume, self.rate = volume, rate
        if language not in VOICES:
            log.error("no espeak-ng voice for %r: French is used", language)
        self.language = language if language in VOICES else "fr"

    def command(self, ssml: bool = False) -> list[str]:
        """What is started: options only; the text comes on standard input."""
        return [*self.argv, "-v", VOICES[self.language], "-a", str(self.volume), "-s", str(self.rate),
                *(["-m"] if ssml else []), "--stdin"]

    def speak(self, text: str) -> None:
        self.stop()
        text, ssml = engine_input(text, self.language)
        spoken = cut(text, ssml)
        if not spoken.strip() or shutil.which(self.argv[0]) is None:
            return
        try:
            self.process = subprocess.Popen(self.command(ssml), stdin=subprocess.PIPE,
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
