"""Help calls through a real webhook server on 127.0.0.1: delivered, refused, late, down, back."""

from __future__ import annotations

import json

import pytest
from hc_support import Hook, wait_for

from kiosk.helpcall import CallContext, CallStatus, HelpCallService

CONTEXT = CallContext("caf-creer-son-compte", "Créer son compte CAF", "mot-de-passe",
                      "Choisir un mot de passe", 425.0)


@pytest.fixture
def services():
    made = []

    def make(cfg, **kwargs):
        service = HelpCallService(cfg, **kwargs)
        made.append(service)
        return service
    yield make
    for service in made:
        service.close()


def outbox_files(cfg):
    folder = cfg.data_path(cfg.helpcall.outbox_dir)
    return sorted(p.name for p in folder.glob("*.json") if p.name != "number.json") if folder.exists() else []


def test_a_call_reaches_the_chat_with_context_and_headers(make_config, hook, services):
    cfg = make_config(webhook_url=hook.url, webhook_headers={"Authorization": "Bearer t0ken"})
    service = services(cfg)
    seen = []
    service.add_listener(lambda call: seen.append(call.status))
    service.start()

    call = service.request(CONTEXT)

    assert call.number == 1 and call.status is CallStatus.WAITING
    wait_for(lambda: service.get(call.id).status is CallStatus.DELIVERED, what="delivery")
    assert seen == [CallStatus.WAITING, CallStatus.DELIVERED]
    [body] = hook.received
    text = body["text"]
    assert "Appel n°\u00a01\u00a0:" in text and "«\u00a0Borne 2\u00a0»" in text and "Médiathèque Jules-Verne" in text
    assert "«\u00a0Créer son compte CAF\u00a0»" in text and "«\u00a0Choisir un mot de passe\u00a0»" in text
    assert "Sur place depuis 7 min." in text
    assert "peut-être déjà reçu" not in text
    data = body["pas_a_pas"]
    assert (data["event"], data["number"], data["procedure_id"], data["step_id"], data["elapsed_s"]) == \
        ("help_call", 1, "caf-creer-son-compte", "mot-de-passe", 425)
    assert hook.headers[0]["Authorization"] == "Bearer t0ken"
    assert hook.headers[0]["Content-Type"] == "application/json"


def test_request_returns_while_the_server_has_not_answered(make_config, hook, services):
    hook.mode = "hold"
    service = services(make_config(webhook_url=hook.url, webhook_timeout_s=30))
    service.start()
    call = service.request(CONTEXT)
    # The server holds the request: had request() sent it itself, we could not be here.
    assert hook.arrived.wait(15)
    assert service.get(call.id).status is CallStatus.WAITING
    hook.release.set()
    wait_for(lambda: service.get(call.id).status is CallStatus.DELIVERED, what="delivery after release")


def test_a_500_is_retried_with_backoff_until_the_server_recovers(make_config, hook, services, fake_clock):
    hook.mode = "500"
    cfg = make_config(webhook_url=hook.url, retry_min_s=2, retry_max_s=10)
    service = services(cfg, clock=fake_clock)
    service.start()
    call = service.request(CONTEXT)

    waits = []
    for attempt in range(1, 5):
        wait_for(lambda: service.get(call.id).attempts.get("webhook") == attempt, what=f"attempt {attempt}")
        state = service.get(call.id)
        waits.append(state.next_try["webhook"] - fake_clock.now)
        fake_clock.advance(waits[-1])
        service.wake()
    assert waits == [2, 4, 8, 10]          # doubles, then capped at retry_max_s
    assert state.last_error["webhook"] == "the server answered HTTP 500"
    assert state.status is CallStatus.WAITING
    assert outbox_files(cfg) == [f"{call.id}.json"]

    hook.mode = "ok"
    wait_for(lambda: service.get(call.id).status is CallStatus.DELIVERED, what="delivery after recovery")
    assert len(hook.received) == 1


def test_a_server_slower_than_the_timeout_counts_as_not_delivered(make_config, hook, services, fake_clock):
    hook.mode = "hold"
    service = services(make_config(webhook_url=hook.url, webhook_timeout_s=0.5), clock=fake_clock)
    service.start()
    call = service.request(CONTEXT)
    wait_for(lambda: service.get(call.id).attempts.get("webhook") == 1, what="the timeout")
    assert service.get(call.id).last_error["webhook"] == "no answer within 0.5 s"
    assert service.get(call.id).status is CallStatus.WAITING


def test_a_server_that_is_down_then_up_gets_the_call(make_config, free_port, services, fake_clock):
    late = Hook(free_port)
    cfg = make_config(webhook_url=late.url)
    service = services(cfg, clock=fake_clock)
    service.start()
    call = service.request(CONTEXT)
    wait_for(lambda: service.get(call.id).attempts.get("webhook") == 1, what="a refused connection")
    assert service.get(call.id).last_error["webhook"] == "cannot connect to the server"
    assert late.url not in json.dumps(service.get(call.id).to_record())  # no secret URL on disk

    late.start()
    try:
        fake_clock.advance(60)
        service.wake()
        wait_for(lambda: service.get(call.id).status is CallStatus.DELIVERED, what="delivery once up")
        assert [b["pas_a_pas"]["number"] for b in late.received] == [call.number]
    finally:
        late.stop()


def write_record(cfg, status, done=(), sending=(), pending=("webhook",), call_id="ab" * 16, number=7):
    """A call as a previous run left it in the outbox when it died."""
    folder = cfg.data_path(cfg.helpcall.outbox_dir)
    folder.mkdir(parents=True, exist_ok=True)
    record = {"id": call_id, "number": number, "status": status, "created_at": 1.7e9,
              "context": {"procedure_id": None, "procedure_title": None, "step_id": None, "step_title": None,
                          "elapsed_s": 30.0},
              "channels_pending": list(pending), "channels_done": list(done), "channels_sending": list(sending),
              "attempts": {}, "last_error": {}}
    (folder / f"{call_id}.json").write_text(json.dumps(record))
    return record


def test_a_delivered_call_left_by_a_crash_is_ended_at_start_and_the_chat_told(make_config, hook, services):
    """Before: it stayed « delivered » for expire_s with no visitor, and nobody could cancel it."""
    cfg = make_config(webhook_url=hook.url)
    record = write_record(cfg, "delivered", done=["webhook"], pending=[])
    service = services(cfg, wall_clock=lambda: 1.7e9 + 60)
    service.start()
    wait_for(lambda: hook.received, what="the end notice")
    [notice] = hook.received
    assert notice["pas_a_pas"] == {"event": "call_ended", "call_id": record["id"], "number": 7,
                                   "status": "cancelled", "reason": "restart"}
    assert notice["text"] == "Appel n°\u00a07\u00a0: la borne a redémarré, l'appel est clos. Inutile de venir."
    assert service.waiting() == []
    wait_for(lambda: outbox_files(cfg) == [], what="the outbox file removed")


def test_a_call_caught_mid_send_by_a_crash_is_ended_and_the_chat_told_not_sent_again(make_config, hook, services):
    tickets = []
    cfg = make_config(webhook_url=hook.url, ticket=True)
    record = write_record(cfg, "waiting", sending=["webhook", "ticket"], pending=["webhook", "ticket"])
    service = services(cfg, print_ticket=tickets.append, wall_clock=lambda: 1.7e9 + 60)
    service.start()
    wait_for(lambda: hook.received, what="the end notice")  # the chat may have shown the call
    assert [body["pas_a_pas"]["event"] for body in hook.received] == ["call_ended"]
    assert hook.received[0]["pas_a_pas"]["call_id"] == record["id"]
    assert service.waiting() == []
    wait_for(lambda: outbox_files(cfg) == [], what="the outbox file removed")
    service.close()
    assert tickets == [] and len(hook.received) == 1


def test_an_undelivered_call_of_a_previous_run_is_ended_and_never_sent(make_config, free_port, services):
    late = Hook(free_port)
    cfg = make_config(webhook_url=late.url)
    first = services(cfg)
    first.start()
    call = first.request(CONTEXT)
    wait_for(lambda: first.get(call.id).attempts.get("webhook") == 1, what="a failed try")
    first.close()
    assert outbox_files(cfg) == [f"{call.id}.json"]

    late.start()
    try:
        second = services(cfg)
        second.start()
        wait_for(lambda: outbox_files(cfg) == [], what="the call ended")
        assert second.waiting() == [] and second.get(call.id) is None
        second.close()
        assert late.received == []  # the chat never heard of it: nothing to tell
    finally:
        late.stop()


def test_a_call_cancelled_before_delivery_is_never_sent(make_config, free_port, services, fake_clock):
    late = Hook(free_port)
    cfg = make_config(webhook_url=late.url)
    service = services(cfg, clock=fake_clock)
    seen = []
    service.add_listener(lambda call: seen.append(call.status))
    service.start()
    call = service.request(CONTEXT)
    wait_for(lambda: service.get(call.id).attempts.get("webhook") == 1, what="a failed try")
    service.cancel(call.id)
    wait_for(lambda: outbox_files(cfg) == [], what="the outbox file removed")
    late.start()
    try:
        fake_clock.advance(3600)
        service.wake()
        service.close()
        assert late.received == []
        assert seen == [CallStatus.WAITING, CallStatus.CANCELLED]
        assert service.waiting() == []
    finally:
        late.stop()


def test_a_call_nobody_answers_expires(make_config, free_port, services, fake_clock):
    cfg = make_config(webhook_url=Hook(free_port).url, expire_s=300)
    service = services(cfg, clock=fake_clock)
    seen = []
    service.add_listener(lambda call: seen.append(call.status))
    service.start()
    call = service.request(CONTEXT)
    fake_clock.advance(299)
    service.wake()
    assert service.get(call.id).status is CallStatus.WAITING
    fake_clock.advance(1)
    service.wake()
    wait_for(lambda: CallStatus.EXPIRED in seen, what="expiry")
    wait_for(lambda: outbox_files(cfg) == [], what="outbox cleared")
    assert service.waiting() == []


def test_numbers_follow_each_other_survive_a_restart_and_restart_each_day(make_config, services):
    cfg = make_config()
    day1 = 1_790_000_000.0
    first = services(cfg, wall_clock=lambda: day1)
    first.start()
    assert [first.request(CONTEXT).number for _ in range(3)] == [1, 2, 3]
    first.close()
    second = services(cfg, wall_clock=lambda: day1 + 60)
    second.start()
    assert second.request(CONTEXT).number == 4
    second.close()
    third = services(cfg, wall_clock=lambda: day1 + 86400)
    third.start()
    assert third.request(CONTEXT).number == 1


def test_default_config_sends_nothing_and_says_so(make_config, services):
    from kiosk.config import Config
    service = services(Config(kiosk=make_config().kiosk))
    assert service.channels_configured() is False
    assert service.dry_run() == []
    service.start()
    call = service.request(CONTEXT)
    assert call.status is CallStatus.WAITING
    assert [c.id for c in service.waiting()] == [call.id]
    service.acknowledge(call.id)
    assert service.waiting() == []


def test_the_ticket_prints_the_number_but_does_not_count_as_telling_a_conseiller(make_config, services):
    printed = []
    service = services(make_config(ticket=True), print_ticket=printed.append)
    assert service.channels_configured() is False
    service.start()
    call = service.request(CONTEXT)
    wait_for(lambda: "ticket" in service.get(call.id).channels_done, what="ticket printed")
    assert printed == [call.number]
    assert service.get(call.id).status is CallStatus.WAITING


def test_a_failing_ticket_printer_is_tried_again(make_config, services, fake_clock):
    calls = []

    def flaky(number):
        calls.append(number)
        if len(calls) == 1:
            raise OSError("paper out")
    service = services(make_config(ticket=True), print_ticket=flaky, clock=fake_clock)
    service.start()
    call = service.request(CONTEXT)
    wait_for(lambda: service.get(call.id).attempts.get("ticket") == 1, what="a failed print")
    assert service.get(call.id).last_error["ticket"] == "the ticket could not be printed (OSError)"
    fake_clock.advance(2)
    service.wake()
    wait_for(lambda: "ticket" in service.get(call.id).channels_done, what="the second print")
    assert calls == [call.number, call.number]


def test_the_stored_call_holds_only_known_fields(make_config, free_port, services):
    cfg = make_config(webhook_url=Hook(free_port).url)
    service = services(cfg)
    service.start()
    call = service.request(CONTEXT)
    wait_for(lambda: outbox_files(cfg), what="the outbox file")
    stored = json.loads((cfg.data_path(cfg.helpcall.outbox_dir) / f"{call.id}.json").read_text())
    assert set(stored) == {"id", "number", "status", "created_at", "context", "channels_pending", "channels_done",
                           "channels_sending", "attempts", "last_error"}
    # The context is made of content-pack ids and titles and a duration: nowhere to put typed text.
    assert set(stored["context"]) == {"procedure_id", "procedure_title", "step_id", "step_title", "elapsed_s"}


def test_a_damaged_outbox_file_is_set_aside_and_the_others_still_read(make_config, hook, services):
    cfg = make_config(webhook_url=hook.url)
    folder = cfg.data_path(cfg.helpcall.outbox_dir)
    good = write_record(cfg, "delivered", done=["webhook"], pending=[])
    folder.joinpath("cd" * 16 + ".json").write_text("{not json")
    service = services(cfg)
    service.start()
    wait_for(lambda: hook.received, what="the good call's end notice")
    assert hook.received[0]["pas_a_pas"]["call_id"] == good["id"]
    assert (folder / ("cd" * 16 + ".json.bad")).exists()


def test_doctor_dry_run_reaches_the_server_without_sending_or_writing(make_config, hook, free_port, services):
    cfg = make_config(webhook_url=hook.url)
    [(name, level, message)] = services(cfg).dry_run()
    assert (name, level) == ("webhook", "OK") and "no message sent" in message
    assert hook.received == []
    [(name, level, message)] = services(make_config(webhook_url=Hook(free_port).url)).dry_run()
    assert (name, level) == ("webhook", "FAIL") and f"127.0.0.1:{free_port}" in message
    assert list(cfg.data_dir.iterdir()) == []


@pytest.mark.parametrize("end, words", [("cancel", "annulé par le visiteur"),
                                        ("acknowledge", "un conseiller a répondu")])
def test_the_chat_is_told_when_a_delivered_call_ends(make_config, hook, services, end, words):
    service = services(make_config(webhook_url=hook.url))
    service.start()
    call = service.request(CONTEXT)
    wait_for(lambda: service.get(call.id).status is CallStatus.DELIVERED, what="delivery")
    getattr(service, end)(call.id)
    wait_for(lambda: len(hook.received) == 2, what="the end notice")
    notice = hook.received[1]
    assert notice["text"] == f"Appel n°\u00a0{call.number}\u00a0: " + words + notice["text"].split(words)[1]
    assert notice["pas_a_pas"] == {"event": "call_ended", "call_id": call.id, "number": call.number,
                                   "status": {"cancel": "cancelled", "acknowledge": "acknowledged"}[end]}


def test_kiosk_doctor_shows_one_line_per_channel(make_config, hook, tmp_path):
    from kiosk.doctor import Environment, check_help_channels
    tty = tmp_path / "no-lamp"
    results = check_help_channels(make_config(webhook_url=hook.url, lamp_device=str(tty), ticket=True), Environment())
    assert [(r.name, r.level) for r in results] == [("help call webhook", "OK"), ("help call lamp", "FAIL"),
                                                    ("help call ticket", "OK")]
    assert str(tty) in results[1].message
    [empty] = check_help_channels(make_config(), Environment())
    assert empty.level == "WARN" and "reaches nobody" in empty.message
