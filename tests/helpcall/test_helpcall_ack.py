"""The acknowledgment link over real HTTP: opening it shows a button, the button acknowledges."""

from __future__ import annotations

import requests
from hc_support import wait_for

from kiosk.helpcall import CallContext, CallStatus, HelpCallService

CONTEXT = CallContext("cheque-energie", "Le chèque énergie", "etape-1", "Ouvrir le site", 90.0)


def test_the_link_in_the_chat_acknowledges_only_when_the_button_is_pressed(make_config, hook, free_port):
    base = f"http://127.0.0.1:{free_port}"
    service = HelpCallService(make_config(webhook_url=hook.url, ack_port=free_port, ack_base_url=base + "/"))
    seen = []
    service.add_listener(lambda call: seen.append(call.status))
    service.start()
    try:
        call = service.request(CONTEXT)
        wait_for(lambda: hook.received, what="the chat message")
        link = f"{base}/ack/{call.id}"
        assert hook.received[0]["pas_a_pas"]["ack_url"] == link
        assert link in hook.received[0]["text"]

        page = requests.get(link, timeout=10)   # what a chat link preview does
        assert page.status_code == 200 and "J'arrive" in page.text and "Appel n°\u00a01" in page.text
        assert service.get(call.id).status is CallStatus.DELIVERED

        done = requests.post(link, timeout=10)
        assert done.status_code == 200 and "C'est noté" in done.text
        assert seen[-1] is CallStatus.ACKNOWLEDGED

        again = requests.post(link, timeout=10)
        assert again.status_code == 404 and "déjà terminé" in again.text
        assert requests.get(f"{base}/ack/{'0' * 32}", timeout=10).status_code == 404
        assert requests.get(f"{base}/etc/passwd", timeout=10).status_code == 404
    finally:
        service.close()


def test_no_link_when_the_server_is_off(make_config, hook):
    service = HelpCallService(make_config(webhook_url=hook.url, ack_base_url="http://192.0.2.1:8765"))
    service.start()
    try:
        service.request(CONTEXT)
        wait_for(lambda: hook.received, what="the chat message")
        assert hook.received[0]["pas_a_pas"]["ack_url"] is None
        assert "/ack/" not in hook.received[0]["text"]
    finally:
        service.close()
