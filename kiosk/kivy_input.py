"""Exactly one Kivy input provider, so a touch is never seen twice.

Kivy's default [input] section on Linux holds a `mouse` provider and a `probesysfs`
provider that opens every touch device it finds: on a touch kiosk under X, the same
finger then arrives as a pointer event and as a touch, and every tap counts twice.
This replaces the whole section with one provider chosen in the [input] config section.

It takes Kivy's Config object as a parameter so that kiosk/ never imports Kivy; the app
calls it before the window (and the event loop) starts.
"""

from __future__ import annotations

import logging

from kiosk.config import InputSection

log = logging.getLogger(__name__)

PROVIDER_KEY = "touch"


def provider_line(settings: InputSection) -> str:
    """The value of the single [input] key, in Kivy's "provider,device,option=value" form."""
    if settings.provider == "mouse":
        # Development: a right click would otherwise leave a red "multitouch" dot.
        return "mouse,disable_multitouch"
    options = [f"rotation={settings.rotation}"]
    if settings.invert_x:
        options.append("invert_x=1")
    if settings.invert_y:
        options.append("invert_y=1")
    return ",".join([settings.provider, settings.touch_device, *options])


def configure_kivy_input(kivy_config, settings: InputSection = InputSection()) -> str:
    """Remove every [input] provider from kivy_config and set exactly one; returns its line."""
    if not kivy_config.has_section("input"):
        kivy_config.add_section("input")
    for key in list(kivy_config.options("input")):
        kivy_config.remove_option("input", key)
    line = provider_line(settings)
    kivy_config.set("input", PROVIDER_KEY, line)
    log.info("Kivy input: exactly one provider: %s", line)
    return line
