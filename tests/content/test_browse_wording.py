"""Content that stays true with guided browsing on (issue 13): where a procedure's site can
open on the kiosk itself, no text may say the procedure or the passwords are « pas / jamais
sur ce kiosque ». Passwords go on the site, never in the guide's own fields; a line about
the visitor's telephone (an app, a bank) may still say the kiosk is not the place."""

from __future__ import annotations

from kiosk.browser.allowlist import is_browsable


def _lines(proc):
    for step in proc.steps:
        for line in (step.text or "").splitlines():
            yield step.id, line
        for item in step.items:
            if item.help:
                yield step.id, item.help


def test_no_procedure_whose_site_opens_here_says_it_is_not_done_on_this_kiosk(real_pack):
    found = []
    for proc in real_pack.procedures.values():
        if not any(step.site and is_browsable(step.site) for step in proc.steps):
            continue
        for step_id, line in _lines(proc):
            if "sur ce kiosque" in line and "téléphone" not in line:
                found.append(f"{proc.id}/{step_id}: {line.strip()}")
    assert found == []


def test_the_password_lines_say_where_passwords_go_in_both_modes(real_pack):
    lines = [line for proc in real_pack.procedures.values() for _s, line in _lines(proc)]
    assert sum("jamais dans les cases de ce guide" in line for line in lines) >= 20
