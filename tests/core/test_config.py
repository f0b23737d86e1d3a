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


# ----- numbers that compare false with every bound -------------------------------------------
@pytest.mark.parametrize("raw", ["nan", "+nan", "-nan", "inf", "+inf", "-inf"])
def test_nan_and_infinities_are_refused_with_one_line(tmp_path, raw):
    path = write(tmp_path, f"[display]\ndiagonal_in = {raw}\n")
    with pytest.raises(ConfigError) as err:
        config.load(path)
    message = str(err.value)
    assert message.startswith(f"{path}:2: [display] diagonal_in = ")
    assert message.endswith("must be a number from 7 to 65")
    assert "\n" not in message


def _number_fields():
    import dataclasses
    from typing import get_type_hints
    for section, cls in config._SECTIONS.items():
        hints = get_type_hints(cls)
        for f in dataclasses.fields(cls):
            if hints[f.name] in (int, float):
                yield section, f.name


@pytest.mark.parametrize("section, key", sorted(_number_fields()))
def test_no_number_in_the_schema_takes_nan(tmp_path, section, key):
    with pytest.raises(ConfigError, match=f"\\[{section}\\] {key} = nan: must be "):
        config.load(write(tmp_path, f"[{section}]\n{key} = nan\n"))


def test_an_unbounded_number_refuses_nan_too():
    with pytest.raises(ValueError):
        config._coerce(float, {}, float("nan"))
    assert config._coerce(float, {}, 2.5) == 2.5


def test_kiosk_config_refuses_nan_with_exit_2(tmp_path, capsys):
    from kiosk.cli import main
    assert main(["config", "--config", str(write(tmp_path, "[display]\ndiagonal_in = nan\n"))]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "diagonal_in = nan: must be a number from 7 to 65" in err


# ----- files that are not config files ---------------------------------------------------------
def run_kiosk_config(path, timeout_s=5):
    """`python -m kiosk config --config path` in a child with 1 GiB of address space, so a
    config read that never ends fails the test in seconds instead of eating the machine."""
    import os
    import resource
    import subprocess
    import sys

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    env = {**os.environ, "PYTHONPATH": str(config.REPO_ROOT)}
    return subprocess.run([sys.executable, "-m", "kiosk", "config", "--config", str(path)], capture_output=True,
                          text=True, timeout=timeout_s, preexec_fn=limit_memory, env=env)


def test_a_fifo_as_config_is_refused_at_once(tmp_path):
    import os
    fifo = tmp_path / "kiosk.toml"
    os.mkfifo(fifo)
    done = run_kiosk_config(fifo)
    assert done.returncode == 2
    assert done.stderr == f"kiosk: {fifo}: cannot read config file (is a FIFO (named pipe), not a regular file)\n"


def test_dev_zero_as_config_is_refused_at_once(tmp_path):
    link = tmp_path / "kiosk.toml"
    link.symlink_to("/dev/zero")
    for path in ("/dev/zero", link):
        done = run_kiosk_config(path)
        assert done.returncode == 2
        assert done.stderr == f"kiosk: {path}: cannot read config file (is a character device, not a regular file)\n"


def test_a_huge_config_is_refused(tmp_path):
    path = write(tmp_path, "# " + "x" * config.CONFIG_MAX_BYTES + "\n")
    with pytest.raises(ConfigError) as err:
        config.load(path)
    assert str(err.value) == (f"{path}: cannot read config file (is {config.CONFIG_MAX_BYTES + 3} bytes; "
                              f"at most {config.CONFIG_MAX_BYTES} are allowed)")


def test_a_folder_as_config_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="cannot read config file \\(is a folder, not a regular file\\)"):
        config.load(tmp_path)


def test_help_lines_are_none_by_default_and_read_in_order(tmp_path):
    assert config.load(None).help_lines == ()
    cfg = config.load(write(tmp_path, '[[help_line]]\nlabel = "France Services de Lure"\nnumber = "03 84 30 12 34"\n'
                                      'hours = "du lundi au vendredi"\n'
                                      '[[help_line]]\nlabel = "Ligne nationale"\nnumber = "01 23 45 67 89"\n'))
    assert [(h.label, h.number, h.hours) for h in cfg.help_lines] == [
        ("France Services de Lure", "03 84 30 12 34", "du lundi au vendredi"),
        ("Ligne nationale", "01 23 45 67 89", "")]


@pytest.mark.parametrize("text, expected", [
    ('[[help_line]]\nlabel = "Lure"\n', ":1: [[help_line]] number 1: number is required"),
    ('[kiosk]\nname = "x"\n[[help_line]]\nlabel = "Lure"\nnumber = "appelez-nous"\n',
     ":3: [[help_line]] number 1: number = 'appelez-nous': must be digits and spaces"),
    ('[[help_line]]\nlabel = "Lure"\nnumber = "03 84 30 12 34"\nemail = "a@b.fr"\n',
     "[[help_line]] number 1: unknown key « email »"),
    ('help_line = "03 84 30 12 34"\n', "help_line must be written [[help_line]]"),
])
def test_a_wrong_help_line_gives_one_line_saying_where_and_what(tmp_path, text, expected):
    with pytest.raises(ConfigError) as err:
        config.load(write(tmp_path, text))
    assert expected in str(err.value) and "\n" not in str(err.value)
