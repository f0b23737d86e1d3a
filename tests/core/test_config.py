"""One typed schema: defaults with no file, one clear line for every wrong value."""

import pytest

from kiosk import config
from kiosk.config import ConfigError


def write(tmp_path, text):
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_gives_the_embedded_defaults():
    cfg = config.load(None)
    assert cfg.printer.connection == "file"
    assert cfg.session.idle_warning_s >= 20
    assert cfg.source == "(embedded defaults)"


def test_a_file_overrides_only_what_it_names(tmp_path):
    cfg = config.load(write(tmp_path, '[kiosk]\nname = "Médiathèque"\n[session]\nidle_timeout_s = 120\n'))
    assert cfg.kiosk.name == "Médiathèque"
    assert cfg.session.idle_timeout_s == 120
    assert cfg.session.idle_warning_s == config.SessionSection().idle_warning_s


@pytest.mark.parametrize("text, expected", [
    ("[session]\nidle_warning_s = 5\n", ":2: [session] idle_warning_s = 5: must be a whole number from 20 to 300"),
    ("[printer]\npaper_width_mm = 70\n", ":2: [printer] paper_width_mm = 70: must be one of 80, 58"),
    ("[printer]\nconnection = \"bluetooth\"\n", "[printer] connection = 'bluetooth': must be one of 'none', 'file'"),
    ("[kiosk]\nfullscreen = \"yes\"\n", "[kiosk] fullscreen = 'yes': must be true or false"),
    ("[session]\nidle_timeout_s = 90.5\n", "[session] idle_timeout_s = 90.5: must be a whole number"),
    ("[session]\nidle_timout_s = 90\n", "[session]: unknown key « idle_timout_s »; allowed: idle_timeout_s"),
    ("[sesion]\n", "unknown section [sesion]; allowed: [kiosk]"),
    ("[session\n", "not valid TOML"),
])
def test_a_wrong_value_gives_one_line_with_file_key_and_what_is_allowed(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        config.load(path)
    message = str(err.value)
    assert message.startswith(str(path))
    assert expected in message
    assert "\n" not in message


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        config.load(tmp_path / "nope.toml")


def test_cli_stops_with_one_line_and_exit_2(tmp_path, capsys):
    from kiosk.cli import main
    path = write(tmp_path, "[session]\nidle_warning_s = 5\n")
    assert main(["config", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "idle_warning_s" in err and "Traceback" not in err


def test_defaults_listing_is_valid_toml_that_loads_back(tmp_path):
    path = write(tmp_path, config.describe())
    assert config.load(path).printer == config.PrinterSection()
