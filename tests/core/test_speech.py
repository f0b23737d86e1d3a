"""The real espeak-ng: the text never appears on its command line, and it really speaks."""

from __future__ import annotations

import shutil
import subprocess
import time
import wave
from pathlib import Path

import pytest

from kiosk.speech import DEFAULT_VOLUME, Speaker
from kiosk.speech import VOICES as VOICES_UNDER_TEST

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                reason="espeak-ng is installed by scripts/setup.sh")

SECRET = "Dupont-Lenoir"
LONG = " ".join([f"Madame {SECRET} habite au 12 rue des Lilas à Lens."] * 200)


def _cmdline(pid: int) -> bytes:
    """The arguments as any user of the machine reads them (empty for an instant after exec)."""
    deadline = time.monotonic() + 2
    seen = b""
    while not seen and time.monotonic() < deadline:
        seen = Path(f"/proc/{pid}/cmdline").read_bytes()
        time.sleep(0.005)
    return seen


def test_the_text_is_never_on_the_command_line(tmp_path):
    speaker = Speaker(["espeak-ng", "-w", str(tmp_path / "out.wav")])
    speaker.speak(LONG)
    process = speaker.process
    assert process is not None
    seen = _cmdline(process.pid)
    # Read while it was still speaking: a finished (zombie) process has an empty cmdline.
    assert b"espeak-ng" in seen and process.poll() is None
    assert SECRET.encode() not in seen and b"Lilas" not in seen
    assert b"--stdin" in seen
    speaker.close()


def test_one_real_run_to_a_wav_file_is_speech_of_the_right_length(tmp_path):
    wav = tmp_path / "phone.wav"
    speaker = Speaker(["espeak-ng", "-w", str(wav)])
    speaker.speak("Appelez le 01 70 77 23 72.")
    process = speaker.process
    assert process is not None and process.wait(timeout=20) == 0
    with wave.open(str(wav)) as w:
        seconds = w.getnframes() / w.getframerate()
        frames = w.readframes(w.getnframes())
    # Said in pairs (« zéro un, soixante-dix, … »): a few seconds, not one word per digit
    # nor « soixante-dix millions… ».
    assert 2.5 < seconds < 9, seconds
    samples = memoryview(frames).cast("h")
    loud = sum(1 for s in samples if abs(s) > 1000)
    assert loud > len(samples) * 0.1, "mostly silence"


def test_volume_and_rate_reach_espeak_ng(tmp_path):
    def length(rate: int) -> float:
        wav = tmp_path / f"r{rate}.wav"
        speaker = Speaker(["espeak-ng", "-w", str(wav)])
        speaker.set_voice(DEFAULT_VOLUME, rate)
        speaker.speak("Bonjour, voici votre démarche en ligne.")
        assert speaker.process is not None and speaker.process.wait(timeout=20) == 0
        with wave.open(str(wav)) as w:
            return w.getnframes() / w.getframerate()
    assert length(80) > length(250) * 1.8


def test_a_new_utterance_stops_the_one_before(tmp_path):
    speaker = Speaker(["espeak-ng", "-w", str(tmp_path / "a.wav")])
    speaker.speak(LONG)
    first = speaker.process
    speaker.speak("Bonjour.")
    assert first is not None and first.wait(timeout=5) != 0  # terminated
    speaker.stop()
    deadline = time.monotonic() + 5
    while not speaker.is_silent() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert speaker.is_silent()


def test_every_kiosk_language_has_an_installed_espeak_ng_voice():
    from kiosk import languages
    from kiosk.speech import VOICES
    listed = subprocess.run(["espeak-ng", "--voices"], capture_output=True, text=True, check=True).stdout
    installed = {line.split()[1] for line in listed.splitlines()[1:]}
    assert set(VOICES) == set(languages.CODES)
    assert all(VOICES[code] in installed for code in languages.CODES), (VOICES, installed)


@pytest.mark.parametrize("language, text", [
    ("ar", "اتصل بالرقم 01 70 77 23 72."), ("en", "Call 01 70 77 23 72."),
    ("tr", "01 70 77 23 72 numarayı arayın."),
])
def test_the_voice_of_the_language_speaks_it(tmp_path, language, text):
    wav = tmp_path / f"{language}.wav"
    speaker = Speaker(["espeak-ng", "-w", str(wav)])
    speaker.set_voice(DEFAULT_VOLUME, 140, language)
    command = speaker.command()
    assert command[command.index("-v") + 1] == VOICES_UNDER_TEST[language]
    speaker.speak(text)
    assert speaker.process is not None and speaker.process.wait(timeout=20) == 0
    with wave.open(str(wav)) as w:
        seconds = w.getnframes() / w.getframerate()
    assert 1.5 < seconds < 12, seconds  # Arabic number words are long: 9.1 s


def test_french_content_in_english_speech_is_one_real_utterance_in_two_voices(tmp_path):
    from kiosk.speech_text import french
    wav = tmp_path / "mixed.wav"
    speaker = Speaker(["espeak-ng", "-w", str(wav)])
    speaker.set_voice(DEFAULT_VOLUME, 140, "en")
    speaker.speak(f"Step 2 of 9. {french('Faire la pré-demande de carte d’identité')}. 6 items to tick.")
    assert "-m" in speaker.command(ssml=True)
    assert speaker.process is not None and speaker.process.wait(timeout=20) == 0
    with wave.open(str(wav)) as w:
        seconds = w.getnframes() / w.getframerate()
    # The tags are not read aloud (« less than speak greater than » would double it).
    assert 3 < seconds < 9, seconds
