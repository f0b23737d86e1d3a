"""The kiosk's configuration: one typed schema that holds every default.

A TOML file overrides what it names; with no file the kiosk runs on these defaults.
Any wrong value stops the start with one line naming the file, the key and what is
allowed. Durations end in `_s`, lengths in `_mm`.
"""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints

from kiosk.files import RefusedFileError, read_regular_text

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSETS_DIR = REPO_ROOT / "assets"
# The example config is under 2 kB; anything this big is not a config file.
CONFIG_MAX_BYTES = 256 * 1024


class ConfigError(Exception):
    """One line for a technician: where, what, and what is allowed."""


def _range(lo: float | None = None, hi: float | None = None, *, doc: str = "") -> dict:
    return {"lo": lo, "hi": hi, "doc": doc}


@dataclass(frozen=True)
class KioskSection:
    name: str = field(default="Borne Pas à pas", metadata={"doc": "name shown to conseillers and on receipts"})
    place: str = field(default="France Services", metadata={"doc": "where the kiosk stands, printed on receipts"})
    # The language a visit starts in, and comes back to at reset: one of kiosk.languages.CODES
    # (tests/core/test_i18n.py keeps the two lists the same).
    language: Literal["fr", "ar", "en", "pt", "es", "tr"] = field(
        default="fr", metadata={"doc": "language a visit starts in: fr, ar, en, pt, es or tr"})
    content_dir: Path = ASSETS_DIR / "content"
    data_dir: Path = field(default=Path("~/.local/share/pas-a-pas"),
                           metadata={"doc": "spool, outbox, statistics; created if missing"})
    fullscreen: bool = False


@dataclass(frozen=True)
class DisplaySection:
    # Touch targets and text are sized in millimetres on the real screen, so the kiosk
    # must know how big its screen is; Kivy's reported DPI is often wrong on kiosks.
    diagonal_in: float = field(default=15.6, metadata=_range(7, 65))
    window_width_px: int = field(default=1280, metadata=_range(640, 7680))
    window_height_px: int = field(default=800, metadata=_range(480, 4320))
    # Issue 14 / EN 301 549 5.1.4: the largest text size makes a capital H at least 0.7° of
    # view from here (600 mm: 7.33 mm); tests/core/test_theme.py checks it.
    viewing_distance_mm: int = field(default=600, metadata=_range(
        300, 1000, doc="distance from the visitor's eyes to the screen, for the text size check"))


@dataclass(frozen=True)
class SessionSection:
    idle_timeout_s: int = field(default=90, metadata=_range(30, 1800))
    # WCAG 2.2.1 and CONTENT_GUIDE: warn at least 20 s before a reset.
    idle_warning_s: int = field(default=30, metadata=_range(20, 300))
    goodbye_s: int = field(default=6, metadata=_range(2, 60,
                                                      doc="how long « Vos informations ont été effacées » stays"))
    # WCAG 2.2.1 (timing adjustable): « J'ai besoin de plus de temps » on the idle warning.
    more_time_s: int = field(default=600, metadata=_range(60, 3600,
                                                          doc="time added by « J'ai besoin de plus de temps »"))


@dataclass(frozen=True)
class PrinterSection:
    connection: Literal["none", "file", "dummy", "usb", "serial", "network"] = "file"
    spool_dir: Path = field(default=Path("spool"),
                            metadata={"doc": "where the file connection writes each receipt's bytes; "
                                             "a relative path is under [kiosk] data_dir"})
    profile: str = field(default="TM-T20II", metadata={"doc": "a python-escpos printer profile name"})
    paper_width_mm: Literal[80, 58] = 80
    code_page: Literal["CP1252", "CP858"] = "CP1252"
    qr_native: bool = False
    usb_vendor_id: int = field(default=0x04B8, metadata=_range(0, 0xFFFF))
    usb_product_id: int = field(default=0x0E15, metadata=_range(0, 0xFFFF))
    serial_device: str = "/dev/ttyUSB0"
    serial_baudrate: int = field(default=19200, metadata=_range(1200, 921600))
    network_host: str = "192.168.1.100"
    network_port: int = field(default=9100, metadata=_range(1, 65535))
    job_timeout_s: float = field(default=20.0, metadata=_range(1, 300))
    io_timeout_s: float = field(default=2.0, metadata=_range(0.1, 30))
    # Printers wired without a return line cannot answer DLE EOT: without this switch they
    # would read as "no answer" (unknown) and never print.
    status_reads: bool = field(default=True, metadata={"doc": "ask usb/serial/network printers for paper and "
                                                               "online status before each job; "
                                                               "false if it never answers"})
    status_poll_s: float = field(default=15.0, metadata=_range(1, 600, doc="how often an idle printer's status is read "
                                                                          "(so a refill or a power-on is seen)"))


@dataclass(frozen=True)
class ConseillerSection:
    # Hashes made with `kiosk pin hash`; empty = that PIN is disabled.
    pin_hash: str = field(default="", metadata={
        "empty_ok": True, "doc": "conseiller PIN hash from `kiosk pin hash`; empty = conseiller mode disabled"})
    technician_pin_hash: str = field(default="", metadata={
        "empty_ok": True, "doc": "technician PIN hash (may also leave to the desktop); empty = disabled"})
    lockout_attempts: int = field(default=5, metadata=_range(3, 20, doc="wrong PINs in a row before the mode locks"))
    lockout_s: int = field(default=300, metadata=_range(30, 3600, doc="how long the mode stays locked"))


@dataclass(frozen=True)
class StatsSection:
    db_file: Path = field(default=Path("stats.sqlite3"),
                          metadata={"doc": "anonymous daily counters; a relative path is under [kiosk] data_dir"})
    flush_interval_s: float = field(default=5.0,
                                    metadata=_range(0.5, 300, doc="how often counters are written to disk"))


@dataclass(frozen=True)
class InputSection:
    # Exactly one Kivy input provider: two providers reading one touch screen double every touch.
    provider: Literal["mouse", "hidinput", "mtdev"] = field(
        default="mouse", metadata={"doc": "mouse: pointer from the display server (development); "
                                          "hidinput or mtdev: read touch_device directly (kiosk)"})
    touch_device: str = field(default="/dev/input/event0",
                              metadata={"doc": "touch screen for hidinput/mtdev; prefer a /dev/input/by-id/ path"})
    rotation: Literal[0, 90, 180, 270] = 0
    invert_x: bool = False
    invert_y: bool = False


@dataclass(frozen=True)
class SpeechSection:
    # Speech mode (EN 301 549 5.1): a first touch says what a control is, a double tap acts.
    double_tap_s: float = field(default=0.5, metadata=_range(
        0.2, 0.8, doc="longest time between the two touches of a double tap"))
    # EN 301 549 5.9 / issue 14: a hand that shakes or bounces touches twice.
    touch_repeat_s: float = field(default=0.0, metadata=_range(
        0.0, 0.5, doc="touches at the same place closer than this count once; 0 = off"))
    long_press_s: float = field(default=1.0, metadata=_range(
        0.5, 3.0, doc="how long « Appeler un conseiller » is held to turn speech mode on or off"))


@dataclass(frozen=True)
class HelpCallSection:
    # A channel is on when its key is set; with none set a call is only logged and the
    # visitor is told to ask at the desk (the kiosk may have no network at all).
    webhook_url: str = field(default="", metadata={
        "empty_ok": True, "doc": "incoming webhook (Mattermost, Rocket.Chat, Slack-compatible) that receives each "
                                 "call; empty = off; never followed to another address (a redirect is an error)"})
    webhook_headers: dict[str, str] = field(default_factory=dict, repr=False, metadata={
        "doc": "extra HTTP headers, e.g. { Authorization = \"Bearer …\" }; sent to webhook_url's host only"})
    webhook_timeout_s: float = field(default=5.0, metadata=_range(0.5, 60, doc="deadline of one whole attempt"))
    lamp_device: str = field(default="", metadata={
        "empty_ok": True, "doc": "serial lamp/buzzer with a call button, e.g. /dev/serial/by-id/…; empty = off"})
    lamp_baudrate: int = field(default=9600, metadata=_range(1200, 921600))
    ticket: bool = field(default=False, metadata={"doc": "print a ticket with the queue number on the receipt printer"})
    outbox_dir: Path = field(default=Path("outbox"), metadata={
        "doc": "calls not yet ended; a relative path is under [kiosk] data_dir"})
    retry_min_s: float = field(default=2.0, metadata=_range(0.5, 60, doc="first wait before sending again"))
    retry_max_s: float = field(default=120.0, metadata=_range(5, 3600, doc="longest wait between two tries"))
    max_wait_s: int = field(default=600, metadata=_range(
        60, 3600, doc="how long a waiting call holds off the idle reset"))
    expire_s: int = field(default=1800, metadata=_range(300, 86400, doc="a call nobody answered is dropped after this"))
    ack_port: int = field(default=0, metadata=_range(0, 65535, doc="port of the acknowledgment link server; 0 = off"))
    ack_base_url: str = field(default="", metadata={
        "empty_ok": True, "doc": "how conseillers reach that server, e.g. http://192.168.1.20:8765"})
    ack_bind: str = field(default="", metadata={
        "empty_ok": True, "doc": "address that server listens on; empty = the host of ack_base_url "
                                 "(127.0.0.1 when that is empty)"})


# A phone number as printed: digits, spaces, dots, an optional leading +, e.g. "01 23 45 67 89".
_PHONE = re.compile(r"\+?[0-9](?:[0-9 .]{0,22}[0-9])?")
HELP_LINE_KEYS = ("label", "number", "hours")


@dataclass(frozen=True)
class HelpLine:
    """A phone line printed on receipts and shown on the summary, as the config says it.

    The kiosk cannot vouch for a number: only lines a France Services office configures
    (its own first) are shown; with none, no phone line is shown at all."""

    label: str    # who answers, e.g. « France Services de Lure »
    number: str   # as dialled and printed, e.g. "03 84 00 00 00"
    hours: str = ""  # when, e.g. « du lundi au vendredi, de 9 h à 17 h »; empty = not said


@dataclass(frozen=True)
class UpdatesSection:
    # Signed content packs over TUF (kiosk/updates/, docs/UPDATES.md); off unless a réseau runs a repository.
    enabled: bool = field(default=False, metadata={"doc": "fetch signed content packs from url"})
    url: str = field(default="", metadata={
        "empty_ok": True, "doc": "base of the static repository (https://…/pas-a-pas), "
                                 "metadata/ and targets/ under it"})
    trusted_root: Path = field(default=Path("/etc/pas-a-pas/content-root.json"), metadata={
        "doc": "the repository's root.json shipped with the install: the only keys trusted at first"})
    check_every_s: int = field(default=3600, metadata=_range(60, 86400, doc="time between two checks"))
    timeout_s: float = field(default=120.0, metadata=_range(5, 1800, doc="deadline of one whole check and download"))


@dataclass(frozen=True)
class MetricsSection:
    # Prometheus text format for node_exporter's textfile collector (kiosk/metrics.py).
    enabled: bool = field(default=False, metadata={"doc": "write kiosk health metrics for node_exporter"})
    textfile_dir: Path = field(default=Path("/var/lib/prometheus/node-exporter"), metadata={
        "doc": "node_exporter --collector.textfile.directory; pas_a_pas.prom is written there"})
    every_s: float = field(default=30.0, metadata=_range(5, 600, doc="how often the file is rewritten"))


@dataclass(frozen=True)
class BrowsingSection:
    # Guided browsing (issue 13): the official site beside the guide, under sway.
    enabled: bool = field(default=False, metadata={
        "doc": "open a step's site in Chromium beside the guide (needs sway, chromium and the managed policy "
               "from `kiosk browser policy`); false = the QR code path"})
    chromium: str = field(default="/usr/bin/chromium", metadata={"doc": "the Chromium program"})
    profile_root: Path = field(default=Path("/run/pas-a-pas/browser"), metadata={
        "doc": "a tmpfs folder (systemd RuntimeDirectory); each visit gets a fresh 0700 folder in it, "
               "deleted and checked at reset"})
    policy_file: Path = field(default=Path("/etc/chromium/policies/managed/pas-a-pas.json"), metadata={
        "doc": "where `kiosk browser policy` writes Chromium's managed policy; doctor checks it is current"})
    allow_extra: str = field(default="", metadata={
        "empty_ok": True, "doc": "extra URL filters the browser may open, space-separated "
                                 "(tests: http://127.0.0.1); empty on a real kiosk"})
    open_timeout_s: float = field(default=10.0, metadata=_range(
        2, 60, doc="a page not handed to the running browser in this time: it is taken as hung, killed, restarted"))


@dataclass(frozen=True)
class Config:
    kiosk: KioskSection = KioskSection()
    display: DisplaySection = DisplaySection()
    session: SessionSection = SessionSection()
    printer: PrinterSection = PrinterSection()
    conseiller: ConseillerSection = ConseillerSection()
    stats: StatsSection = StatsSection()
    input: InputSection = InputSection()
    speech: SpeechSection = SpeechSection()
    helpcall: HelpCallSection = HelpCallSection()
    updates: UpdatesSection = UpdatesSection()
    metrics: MetricsSection = MetricsSection()
    help_lines: tuple[HelpLine, ...] = ()
    browsing: BrowsingSection = BrowsingSection()
    source: str = "(embedded defaults)"

    @property
    def data_dir(self) -> Path:
        return self.kiosk.data_dir.expanduser()

    def data_path(self, path: Path) -> Path:
        """A configured path, taken as relative to data_dir unless absolute."""
        path = path.expanduser()
        return path if path.is_absolute() else self.data_dir / path


_SECTIONS = {name: tp for name, tp in get_type_hints(Config).items() if name not in ("source", "help_lines")}


def _allowed(tp: Any, meta: dict) -> str:
    if get_origin(tp) is Literal:
        return "one of " + ", ".join(repr(a) if isinstance(a, str) else str(a) for a in get_args(tp))
    if get_origin(tp) is dict:
        return "a table of texts, e.g. { Name = \"value\" }"
    kind = {bool: "true or false", int: "a whole number", float: "a number", str: "a text in quotes",
            Path: "a path in quotes"}[tp]
    lo, hi = meta.get("lo"), meta.get("hi")
    if lo is not None and hi is not None:
        kind += f" from {lo:g} to {hi:g}"
    return kind


def _coerce(tp: Any, meta: dict, value: Any) -> Any:
    """Return the typed value, or raise ValueError when it is not allowed."""
    if get_origin(tp) is Literal:
        if any(value == a and type(value) is type(a) for a in get_args(tp)):
            return value
        raise ValueError
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise ValueError
    if tp in (int, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError
        if tp is int and not isinstance(value, int):
            raise ValueError
        # TOML allows nan and inf; NaN compares false with every bound, so check it first.
        if not math.isfinite(value):
            raise ValueError
        lo, hi = meta.get("lo"), meta.get("hi")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise ValueError
        return tp(value)
    if tp in (str, Path):
        # An empty text is allowed only where the schema says it means "disabled".
        if not isinstance(value, str) or not (value.strip() or (value == "" and meta.get("empty_ok"))):
            raise ValueError
        return Path(value) if tp is Path else value
    if get_origin(tp) is dict and get_args(tp) == (str, str):
        # A TOML table of texts (HTTP headers): keys and values must both be non-empty texts.
        if not isinstance(value, dict) or not all(isinstance(k, str) and k.strip() and isinstance(v, str)
                                                  for k, v in value.items()):
            raise ValueError
        return dict(value)
    raise TypeError(tp)


def _line_of(text: str, section: str, key: str | None) -> int:
    """Best-effort line number of a key in its [section] of a TOML text."""
    in_section = False
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            if in_section and key is not None:
                break
            in_section = stripped.strip("[] ") == section
            if in_section and key is None:
                return n
        elif in_section and key and re.match(rf"{re.escape(key)}\s*=", stripped):
            return n
    return 0


def from_mapping(data: dict, source: str = "(mapping)", text: str = "") -> Config:
    def where(section: str, key: str | None = None) -> str:
        line = _line_of(text, section, key) if text else 0
        loc = f"{source}:{line}" if line else source
        return f"{loc}: [{section}]" + (f" {key}" if key else "")

    sections = {}
    help_lines: tuple[HelpLine, ...] = ()
    for name, value in data.items():
        if name == "help_line":
            help_lines = _help_lines(value, source, text)
            continue
        if name not in _SECTIONS:
            raise ConfigError(f"{source}: unknown section [{name}]; allowed: "
                              + ", ".join(f"[{s}]" for s in _SECTIONS) + ", [[help_line]]")
        if not isinstance(value, dict):
            raise ConfigError(f"{where(name)}: must be a section of keys")
        cls = _SECTIONS[name]
        hints = get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls)}
        kwargs = {}
        for key, raw in value.items():
            if key not in fields:
                raise ConfigError(f"{where(name)}: unknown key « {key} »; allowed: {', '.join(fields)}")
            meta = dict(fields[key].metadata)
            try:
                kwargs[key] = _coerce(hints[key], meta, raw)
            except ValueError:
                raise ConfigError(f"{where(name, key)} = {raw!r}: must be {_allowed(hints[key], meta)}") from None
        sections[name] = cls(**kwargs)
    return Config(**sections, help_lines=help_lines, source=source)


def _help_line_number(text: str, index: int) -> int:
    """Line of the index-th [[help_line]] header in a TOML text, 0 if not found."""
    seen = -1
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip().replace(" ", "") == "[[help_line]]":
            seen += 1
            if seen == index:
                return n
    return 0


def _help_lines(value: Any, source: str, text: str) -> tuple[HelpLine, ...]:
    """[[help_line]] tables: label and number required (texts), hours optional."""
    if not isinstance(value, list):
        raise ConfigError(f"{source}: help_line must be written [[help_line]] (one table per phone line)")
    lines = []
    for i, table in enumerate(value):
        n = _help_line_number(text, i) if text else 0
        where = f"{source}:{n}" if n else source
        where += f": [[help_line]] number {i + 1}"
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: must be a table with label, number and hours")
        unknown = [k for k in table if k not in HELP_LINE_KEYS]
        if unknown:
            raise ConfigError(f"{where}: unknown key « {unknown[0]} »; allowed: {', '.join(HELP_LINE_KEYS)}")
        for key in ("label", "number"):
            if not isinstance(table.get(key), str) or not table[key].strip():
                raise ConfigError(f"{where}: {key} is required and must be a text in quotes")
        hours = table.get("hours", "")
        if not isinstance(hours, str):
            raise ConfigError(f"{where}: hours = {hours!r}: must be a text in quotes")
        number = table["number"].strip()
        if not _PHONE.fullmatch(number):
            raise ConfigError(f"{where}: number = {number!r}: must be digits and spaces, "
                              "e.g. \"03 84 00 00 00\"")
        lines.append(HelpLine(label=table["label"].strip(), number=number, hours=hours.strip()))
    return tuple(lines)


def load(path: str | Path | None) -> Config:
    """Load the TOML file at path, or the embedded defaults when path is None."""
    if path is None:
        return Config()
    path = Path(path)
    try:
        # Regular files only, bounded: a FIFO would block the start, /dev/zero never end.
        text = read_regular_text(path, CONFIG_MAX_BYTES)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read config file ({e.strerror or e})") from None
    except (RefusedFileError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read config file ({e})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    return from_mapping(data, str(path), text)


def _shown_default(default: Any) -> Any:
    """A default as it is written in TOML."""
    if isinstance(default, dict):
        return "{}"
    if isinstance(default, (str, Path)):
        return f'"{default}"'
    if isinstance(default, bool):
        return str(default).lower()
    return default


def describe() -> str:
    """Every key with its default and what is allowed, for `kiosk config --defaults`."""
    lines = []
    for name, cls in _SECTIONS.items():
        lines.append(f"[{name}]")
        hints = get_type_hints(cls)
        for f in dataclasses.fields(cls):
            default = f.default_factory() if f.default is dataclasses.MISSING else f.default
            shown = _shown_default(default)
            doc = f.metadata.get("doc", "")
            lines.append(f"# {_allowed(hints[f.name], dict(f.metadata))}{'; ' + doc if doc else ''}")
            lines.append(f"{f.name} = {shown}")
        lines.append("")
    lines += ["# Phone lines on receipts and the summary, the local France Services first; repeat",
              "# the table for each line. None by default: no phone line is printed.",
              "# [[help_line]]",
              "# label = \"France Services de …\"",
              "# number = \"03 84 00 00 00\"",
              "# hours = \"du lundi au vendredi, de 9 h à 17 h\"",
              ""]
    return "\n".join(lines)
