"""« Look and listen »: what speech mode hands espeak-ng on five screens, run by hand:
PYTHONPATH=. .venv/bin/python bench/speech_listen.py [language ...]

A visitor turns speech mode on at the attract screen and goes through the ANTS procedure
(question, checklist, field, then the summary). Each screen's utterance is printed as the
engine receives it: after kiosk/speech_text.py (SSML when French content is in another
language), in the voice of the language (kiosk/speech.py
VOICES). Nothing is played. The field gets a made-up number, to show it is never read.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from kiosk.config import ASSETS_DIR, Config, KioskSection, PrinterSection
from kiosk.content.loader import load_pack
from kiosk.controller import KioskController
from kiosk.services import Services
from kiosk.speech import VOICES
from kiosk.speech_text import engine_input

PROCEDURE = "ants-pre-demande-carte-identite"
TYPED = "QX7P3ZK9"  # made up: must never appear below


class Recorder:
    """The SpeechOut port, keeping what the engine would receive."""

    def __init__(self) -> None:
        self.language, self.received = "fr", []

    def speak(self, text: str) -> None:
        self.received.append((VOICES[self.language], engine_input(text, self.language)[0]))

    def set_voice(self, volume: int, rate: int, language: str = "fr") -> None:
        self.language = language

    def stop(self) -> None: ...

    def is_silent(self) -> bool:
        return True

    def close(self) -> None: ...


def walk(c: KioskController, language: str) -> list[tuple[str, str]]:
    """(screen, what the engine received) for home, question, checklist, field, summary."""
    out = []
    c.set_speech_mode(True)  # from the attract screen, as a double tap does
    if language != "fr":
        c.set_language(language)
    c.repeat()
    out.append(("home", c.speaker.received[-1]))
    c.open_procedure(PROCEDURE)
    seen: set[str] = set()
    for _ in range(30):
        step = c.machine.step
        if step is None:
            break
        if step.kind in ("question", "checklist", "field") and step.kind not in seen:
            seen.add(step.kind)
            if step.kind == "field":
                c.set_field(TYPED)
            c.repeat()
            out.append((step.kind, c.speaker.received[-1]))
        if step.kind == "question":
            c.choose(0)
        elif step.kind == "end":
            break
        else:
            c.next()
    c.repeat()
    out.append(("summary", c.speaker.received[-1]))
    return out


def main(languages: list[str]) -> None:
    pack = load_pack(ASSETS_DIR / "content")
    for language in languages:
        with tempfile.TemporaryDirectory() as tmp:
            cfg = Config(kiosk=KioskSection(data_dir=Path(tmp)), printer=PrinterSection(connection="dummy"))
            c = KioskController(cfg, pack, Services(), speaker=Recorder())
            c.start()
            for screen, (voice, text) in walk(c, language):
                assert TYPED not in text
                print(f"--- {language} {screen} (espeak-ng -v {voice}, {len(text)} characters)\n{text}\n")
            c.close()


if __name__ == "__main__":
    main(sys.argv[1:] or ["fr"])
