"""Figures for signed content updates: time and bytes of one check when nothing changed and
when a pack arrives, against a TUF repository of the shipped pack served on 127.0.0.1, plus
the time the attract screen's swap (apply_pending) takes on the UI thread.
Run: PYTHONPATH=. .venv/bin/python bench/update_bench.py"""

import http.server
import shutil
import statistics
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

from kiosk.config import ASSETS_DIR, Config, KioskSection, UpdatesSection
from kiosk.updates import repo
from kiosk.updates.client import ContentUpdater

ROUNDS = 5


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        www = tmp / "www"
        www.mkdir()
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a, **k: Quiet(*a, directory=str(www), **k))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}"
        r, k = tmp / "repo", tmp / "keys"
        repo.init(r, k)
        content = ASSETS_DIR / "content"
        started = time.perf_counter()
        signed = repo.sign_pack(r, k, content, "bench-1")
        sign_s = time.perf_counter() - started
        repo.publish(r, k, www)
        print(f"pack of {content}: {signed.length} bytes (tar.gz); sign incl. validation {sign_s:.2f} s")
        arrive, unchanged, swap = [], [], []
        for n in range(ROUNDS):
            cfg = Config(kiosk=KioskSection(data_dir=tmp / f"kiosk-{n}"),
                         updates=replace(UpdatesSection(), enabled=True, url=url, trusted_root=r / "metadata" /
                                         "1.root.json"))
            updater = ContentUpdater(cfg)
            arrive.append(updater.check())
            t = time.perf_counter()
            updater.apply_pending()
            swap.append(time.perf_counter() - t)
            unchanged.append(updater.check())
        for label, outcomes in (("first check, pack arrives", arrive), ("check, nothing changed", unchanged)):
            assert len({o.result for o in outcomes}) == 1, [o.message for o in outcomes]
            median_s = statistics.median(o.duration_s for o in outcomes)
            print(f"{label:<28} {outcomes[0].result:<10} median {median_s:.3f} s   "
                  f"bytes {outcomes[0].bytes_fetched}   (n={len(outcomes)})")
        print(f"apply_pending on the attract screen: median {statistics.median(swap) * 1e3:.2f} ms")
        # A newer pack on a kiosk that already has one: only the new metadata and the archive.
        newer = tmp / "content-2"
        shutil.copytree(content, newer)
        first = sorted((newer / "procedures").glob("*.yaml"))[0]
        first.write_text(first.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        repo.sign_pack(r, k, newer, "bench-2")
        repo.publish(r, k, www)
        print(f"{'check, a newer pack arrives':<28} " + "".join(
            f"{o.result} {o.duration_s:.3f} s {o.bytes_fetched} bytes" for o in [updater.check()]))
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
