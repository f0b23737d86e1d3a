"""No log line holds the webhook's secret path, its query, or a configured header value (issue 18).

Chat webhooks carry their secret in the URL (POST /hooks/SECRET…) and in headers
(X-Api-Key). Before, `kiosk -v` logged the path through urllib3's debug lines.
"""

from __future__ import annotations

import logging

import pytest
from hc_support import Hook, wait_for

from kiosk.cli import main
from kiosk.helpcall import CallContext, HelpCallService
from kiosk.helpcall.channels import WebhookChannel

PATH_SECRET = "hooks/xq8Zr2kP0aLs9vTn"
QUERY_SECRET = "tok3n-Bv7Yw1"
HEADER_SECRET = "api-k3y-9QpWm4"
BEARER_SECRET = "b3arer-Lr5Xn8Ty"
SECRETS = (PATH_SECRET, QUERY_SECRET, HEADER_SECRET, BEARER_SECRET)


@pytest.fixture
def everything_logged(caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("urllib3", "requests", "kiosk"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def secret_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/{PATH_SECRET}?token={QUERY_SECRET}"


def headers_table() -> str:
    return f'[helpcall.webhook_headers]\nX-Api-Key = "{HEADER_SECRET}"\nAuthorization = "Bearer {BEARER_SECRET}"\n'


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


def test_kiosk_v_call_test_logs_no_secret(tmp_path, everything_logged, capfd):
    hook = Hook().start()
    try:
        config = tmp_path / "kiosk.toml"
        config.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n[helpcall]\n'
                          f'webhook_url = "{secret_url(hook.port)}"\n{headers_table()}', encoding="utf-8")
        assert main(["-v", "call-test", "--config", str(config)]) == 0
        assert hook.received and hook.headers[0]["X-Api-Key"] == HEADER_SECRET  # the secrets did go out
    finally:
        hook.stop()
    out, err = capfd.readouterr()
    assert_no_secret(everything_logged.text, out, err)


def test_a_failing_webhook_logs_no_secret(make_config, free_port, everything_logged, fake_clock):
    cfg = make_config(webhook_url=secret_url(free_port),
                      webhook_headers={"X-Api-Key": HEADER_SECRET, "Authorization": f"Bearer {BEARER_SECRET}"})
    service = HelpCallService(cfg, clock=fake_clock)
    service.start()
    try:
        call = service.request(CallContext(None, None, None, None, 5.0))
        wait_for(lambda: service.get(call.id).attempts.get("webhook") == 1, what="a failed attempt")
    finally:
        service.close()
    assert "not delivered by webhook" in everything_logged.text
    assert_no_secret(everything_logged.text)


def test_every_logger_has_the_secrets_and_url_paths_taken_out(make_config, everything_logged):
    WebhookChannel(make_config(webhook_url=secret_url(9), webhook_headers={"X-Api-Key": HEADER_SECRET}))
    logging.getLogger("urllib3.connectionpool").debug('%s "POST /%s?token=%s HTTP/1.1" 200 2',
                                                      "http://127.0.0.1:9", PATH_SECRET, QUERY_SECRET)
    logging.getLogger("some.library").info("sent headers %r", {"X-Api-Key": HEADER_SECRET})
    logging.getLogger("kiosk.anything").warning("link https://chat.example.org/ack/%s?x=1 opened", "f" * 32)
    try:
        raise ConnectionError(f"Max retries exceeded with url: /{PATH_SECRET}?token={QUERY_SECRET}")
    except ConnectionError:
        logging.getLogger("kiosk.helpcall").exception("send failed")
    text = everything_logged.text
    assert_no_secret(text)
    assert "f" * 32 not in text and "https://chat.example.org/…" in text
    assert "ConnectionError" in text and "send failed" in text  # the line itself stays useful
    formatted = logging.Formatter("%(message)s").format(everything_logged.records[-1])
    assert "Traceback" in formatted and PATH_SECRET not in formatted
