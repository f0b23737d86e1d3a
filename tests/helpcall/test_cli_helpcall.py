"""`kiosk call-test`: every channel tried for real, one line each, exit 1 when one fails."""

from __future__ import annotations

from hc_support import DeviceEnd

from kiosk.cli import main


def write_config(tmp_path, text):
    path = tmp_path / "kiosk.toml"
    data = tmp_path / "data"
    path.write_text(f'[kiosk]\ndata_dir = "{data}"\n{text}', encoding="utf-8")
    return path


def test_call_test_sends_a_test_message_and_says_ok(tmp_path, hook, capsys):
    path = write_config(tmp_path, f'[helpcall]\nwebhook_url = "{hook.url}"\n')
    assert main(["call-test", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "OK   webhook: test message accepted" in out and "1 OK, 0 FAIL" in out
    [body] = hook.received
    assert body["pas_a_pas"]["event"] == "test"
    assert body["text"].startswith("Test de la borne")


def test_call_test_fails_with_exit_1_and_names_the_reason(tmp_path, hook, capsys):
    hook.mode = "500"
    path = write_config(tmp_path, f'[helpcall]\nwebhook_url = "{hook.url}"\n')
    assert main(["call-test", "--config", str(path)]) == 1
    out = capsys.readouterr().out
    assert "FAIL webhook: the server answered HTTP 500" in out
    assert hook.url not in out  # the URL may hold the webhook's secret


def test_call_test_lights_the_lamp_then_switches_it_off(tmp_path, socat, capsys):
    device = DeviceEnd(socat.device_side)
    try:
        path = write_config(tmp_path, f'[helpcall]\nlamp_device = "{socat.kiosk_side}"\n')
        assert main(["call-test", "--config", str(path)]) == 0
        assert "OK   lamp:" in capsys.readouterr().out
        assert device.lines() == ["LAMP OFF", "LAMP ON", "LAMP OFF"]
    finally:
        device.close()


def test_call_test_prints_a_real_ticket_on_the_file_printer(tmp_path, capsys):
    path = write_config(tmp_path, '[helpcall]\nticket = true\n[printer]\nconnection = "file"\n')
    assert main(["call-test", "--config", str(path)]) == 0, capsys.readouterr()
    spooled = list((tmp_path / "data").rglob("ticket*"))
    assert len(spooled) == 1 and spooled[0].stat().st_size > 0


def test_call_test_with_no_channel_says_so(tmp_path, capsys):
    path = write_config(tmp_path, "")
    assert main(["call-test", "--config", str(path)]) == 1
    err = capsys.readouterr().err
    assert "no help-call channel configured" in err and err.count("\n") == 1


def test_call_test_with_a_bad_config_exits_2(tmp_path, capsys):
    path = write_config(tmp_path, "[helpcall]\nwebhook_timeout_s = 0\n")
    assert main(["call-test", "--config", str(path)]) == 2
    assert "webhook_timeout_s" in capsys.readouterr().err
