"""The call lamp and button over a real pseudo-terminal (socat): lamp lines, button, unplug, replug."""

from __future__ import annotations

import pytest
from hc_support import DeviceEnd, wait_for

from hardware.serial_device import SerialCallDevice
from kiosk.helpcall import CallContext, CallStatus, HelpCallService

CONTEXT = CallContext("franceconnect", "Se connecter avec FranceConnect", None, None, 12.0)


@pytest.fixture
def lamp_service(make_config, socat):
    services = []

    def make(**kwargs):
        cfg = make_config(lamp_device=str(socat.kiosk_side))
        service = HelpCallService(cfg, **kwargs)
        services.append(service)
        return service
    yield make
    for service in services:
        service.close()


@pytest.fixture
def device_end(socat):
    ends = []

    def open_end():
        end = DeviceEnd(socat.device_side)
        ends.append(end)
        return end
    yield open_end
    for end in ends:
        end.close()


def test_the_lamp_is_lit_while_a_call_waits(lamp_service, device_end):
    device = device_end()
    service = lamp_service()
    service.start()
    assert service.channels_configured() is True
    device.wait_line("LAMP OFF")  # the state is sent when the port opens
    device.clear()

    call = service.request(CONTEXT)
    device.wait_line("LAMP ON")
    wait_for(lambda: service.get(call.id).status is CallStatus.DELIVERED, what="delivered by the lamp")
    device.clear()

    service.acknowledge(call.id)
    device.wait_line("LAMP OFF")


def test_a_call_ended_at_once_never_leaves_the_lamp_on(lamp_service, device_end):
    device = device_end()
    service = lamp_service()
    service.start()
    device.wait_line("LAMP OFF")
    for _ in range(20):
        call = service.request(CONTEXT)
        service.acknowledge(call.id)
    wait_for(lambda: service.waiting() == [] and service.device.lamp_sent is False
             and device.lines()[-1] == "LAMP OFF", what="the lamp off after the last call")


def test_the_lamp_stays_on_until_the_last_call_ends(lamp_service, device_end):
    device = device_end()
    service = lamp_service()
    service.start()
    first, second = service.request(CONTEXT), service.request(CONTEXT)
    wait_for(lambda: all(service.get(c.id).status is CallStatus.DELIVERED for c in (first, second)), what="both lit")
    service.cancel(first.id)
    wait_for(lambda: service.get(first.id) is None, what="first call finished")
    device.clear()
    service.close()  # no more lamp lines after this
    assert "LAMP OFF" not in device.lines()


def test_the_physical_button_calls_the_same_handler(lamp_service, device_end):
    pressed = []
    device = device_end()
    service = lamp_service()
    service.set_button_handler(lambda: pressed.append(True))
    service.start()
    device.wait_line("LAMP OFF")
    device.send(b"noise\r\nBUTTON\r\n" + b"x" * 200 + b"\nbutton\n")
    wait_for(lambda: len(pressed) == 2, what="two button presses")


def test_ready_from_a_restarted_device_gets_the_lamp_state_again(lamp_service, device_end):
    device = device_end()
    service = lamp_service()
    service.start()
    service.request(CONTEXT)
    device.wait_line("LAMP ON")
    device.clear()
    device.send(b"READY\n")
    device.wait_line("LAMP ON")


def test_unplugged_lamp_is_retried_and_relit_when_plugged_back(lamp_service, device_end, socat, fake_clock):
    service = lamp_service(clock=fake_clock)
    service.device.reconnect_s = 0.05
    service.start()
    wait_for(lambda: service.device.connected, what="first connection")

    socat.stop()  # unplugged
    wait_for(lambda: not service.device.connected, what="the loss noticed")
    call = service.request(CONTEXT)
    wait_for(lambda: service.get(call.id).attempts.get("lamp") == 1, what="a failed lamp try")
    assert "not connected" in service.get(call.id).last_error["lamp"]
    assert service.get(call.id).status is CallStatus.WAITING

    socat.start()  # plugged back, same path
    device = device_end()
    device.wait_line("LAMP ON")  # sent on reconnect: a call is waiting
    # No clock move: the reconnection itself makes the lamp channel try again.
    wait_for(lambda: service.get(call.id).status is CallStatus.DELIVERED, what="delivered after replug")


def test_a_second_opener_is_refused_while_the_kiosk_holds_the_lamp(socat, device_end):
    holder = SerialCallDevice(str(socat.kiosk_side), reconnect_s=0.05)
    holder.start()
    intruder = SerialCallDevice(str(socat.kiosk_side), reconnect_s=0.05)
    try:
        assert holder.wait_connected(15)
        intruder.start()
        wait_for(lambda: intruder.last_error.startswith("cannot open"), what="the refusal")
        assert not intruder.connected
    finally:
        intruder.close()
        holder.close()
