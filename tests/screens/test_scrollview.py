"""The scrolling lists of every screen, over a long life."""

from kivy.uix.scrollview import ScrollView

from kiosk.services import Services


def test_scrolling_leaves_no_binding_behind(make_kiosk, help_desk):
    k = make_kiosk(Services(printer=None, helpcall=help_desk))
    k.tap_at(640, 300)
    home = k.app.root_widget.ids.sm.get_screen("home")
    scroller = next(w for w in k.widgets(home) if isinstance(w, ScrollView))
    k.frames(3)
    before = len(scroller.get_property_observers("bar_color"))
    for i in range(60):  # a finger moving the list up and down, one position per frame
        scroller.scroll_y = 1.0 - (i % 10) / 10
        k.frames(1)
    # Kivy's own ScrollView gains one observer per frame here (one per update of the view).
    assert len(scroller.get_property_observers("bar_color")) <= before + 1
