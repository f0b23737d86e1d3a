"""A recording speaker (the SpeechOut protocol): what would be said, and with which voice."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.speech import DEFAULT_RATE, DEFAULT_VOLUME


@dataclass
class RecordingSpeaker:
    said: list[str] = field(default_factory=list)
    speaking: bool = False
    stops: int = 0
    volume: int = DEFAULT_VOLUME
    rate: int = DEFAULT_RATE
    voices: list[tuple[int, int]] = field(default_factory=list)  # (volume, rate) of each utterance
    language: str = "fr"
    languages: list[str] = field(default_factory=list)  # the voice's language of each utterance

    def speak(self, text: str) -> None:
        self.said.append(text)
        self.voices.append((self.volume, self.rate))
        self.languages.append(self.language)
        self.speaking = True

    def set_voice(self, volume: int, rate: int, language: str = "fr") -> None:
        self.volume, self.rate, self.language = volume, rate, language

    def stop(self) -> None:
        if self.speaking:
            self.stops += 1
        self.speaking = False

    def is_silent(self) -> bool:
        return not self.speaking

    def close(self) -> None:
        self.stop()

    @property
    def everything(self) -> str:
        return "\n".join(self.said)
