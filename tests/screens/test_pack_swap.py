"""A content pack switched on the attract screen shows its own texts to the next visitor."""

from __future__ import annotations

import shutil

from kiosk.content.loader import load_pack
from kiosk.services import Services
from kiosk.session import State
from tests.screens.test_walkthrough import open_from_home

PROCEDURE = "Faire la pré-demande de carte d'identité"


def test_the_next_visitor_sees_the_new_packs_text_on_the_same_step(make_kiosk, real_pack, tmp_path, help_desk):
    k = make_kiosk(Services(printer=None, helpcall=help_desk))
    open_from_home(k, "Carte d'identité", PROCEDURE)
    procedure, first = k.machine.procedure, k.machine.step
    assert first.title in k.texts()
    k.app.controller.end_session("visitor erased")
    assert k.wait_for(lambda: k.machine.state is State.GOODBYE)
    k.clock.advance(k.app.cfg.session.goodbye_s)
    assert k.wait_for(lambda: k.machine.state is State.ATTRACT)
    # The content team changed that step's title and kept every id (an update over TUF).
    copy = tmp_path / "pack"
    shutil.copytree(real_pack.root, copy)
    source = copy / "procedures" / procedure.source.name
    text = source.read_text(encoding="utf-8")
    assert text.count(f"title: {first.title}\n") == 1
    new_title = "Titre mis à jour par l'équipe"
    source.write_text(text.replace(f"title: {first.title}\n", f"title: {new_title}\n"), encoding="utf-8")
    k.app.controller.use_pack(load_pack(copy))
    k.frames(2)
    open_from_home(k, "Carte d'identité", PROCEDURE)
    k.frames(2)
    shown = k.texts()
    assert new_title in shown and first.title not in shown
