"""The [helpcall] section: channels off by default, headers as a TOML table of texts."""

import pytest

from kiosk import config
from kiosk.config import ConfigError


def write(tmp_path, text):
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_config_has_no_network_channel():
    section = config.Config().helpcall
    assert section.webhook_url == "" and section.lamp_device == "" and section.ticket is False
    assert section.ack_port == 0 and section.ack_bind == ""  # listen where ack_base_url points


def test_headers_are_read_from_a_toml_table(tmp_path):
    path = write(tmp_path, '[helpcall]\nwebhook_url = "http://127.0.0.1:9/hook"\n'
                           '[helpcall.webhook_headers]\nAuthorization = "Bearer s3cret"\nX-Kiosk = "2"\n')
    cfg = config.load(path)
    assert cfg.helpcall.webhook_headers == {"Authorization": "Bearer s3cret", "X-Kiosk": "2"}
    # A token in a header must not leak through a logged config.
    assert "s3cret" not in repr(cfg)


@pytest.mark.parametrize("text", [
    '[helpcall]\nwebhook_headers = "Authorization: x"\n',
    '[helpcall]\nwebhook_headers = { Authorization = 5 }\n',
    '[helpcall]\nwebhook_headers = { "" = "x" }\n',
    '[helpcall]\nwebhook_headers = { A = { B = "c" } }\n',
])
def test_headers_that_are_not_a_table_of_texts_give_one_line(tmp_path, text):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        config.load(path)
    assert f"{path}:2: [helpcall] webhook_headers" in str(err.value)
    assert "a table of texts" in str(err.value)


def test_describe_prints_valid_toml_for_every_key():
    import tomllib
    data = tomllib.loads(config.describe())
    assert data["helpcall"]["webhook_headers"] == {}
    assert config.from_mapping(data).helpcall == config.HelpCallSection()
