"""`kiosk print-test` on the file spool and on a serial pty printer."""

from kiosk.cli import main
from tests.hardware.conftest import wait_until
from tests.hardware.escpos_bytes import decode_qr, raster_images
from tests.hardware.pty_printer import PtyPrinter, SocatPair


def write_config(tmp_path, printer_lines=""):
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[kiosk]\ndata_dir = "{tmp_path}"\n[printer]\n{printer_lines}', encoding="utf-8")
    return str(path)


def test_print_test_on_the_file_spool(tmp_path, capsys):
    assert main(["print-test", "--config", write_config(tmp_path)]) == 0
    out = capsys.readouterr().out
    [spooled] = list((tmp_path / "spool").iterdir())
    assert f"receipt written to {spooled}" in out
    data = spooled.read_bytes()
    assert "é".encode("cp1252") in data and b"\x80" in data
    assert decode_qr(raster_images(data)[0]) == ["https://www.service-public.fr"]


def test_print_test_on_a_serial_printer(tmp_path, capsys):
    pair = SocatPair(tmp_path)
    pair.start()
    printer = PtyPrinter(pair.printer_side)
    try:
        cfg = write_config(tmp_path, f'connection = "serial"\nserial_device = "{pair.kiosk_side}"\n'
                                     'serial_baudrate = 115200\nio_timeout_s = 0.3\n')
        assert main(["print-test", "--config", cfg]) == 0
        assert "print-test: OK, sent to serial" in capsys.readouterr().out
        wait_until(lambda: printer.job_bytes().endswith(b"\x1dV\x00"))  # the pty relays after we return
        assert b"\x1bt\x10" in printer.job_bytes()
    finally:
        printer.close()
        pair.kill()


def test_print_test_fails_plainly_when_the_printer_is_missing(tmp_path, capsys):
    cfg = write_config(tmp_path, f'connection = "serial"\nserial_device = "{tmp_path}/ttyUSB9"\n'
                                 'io_timeout_s = 0.2\njob_timeout_s = 1\n')
    assert main(["print-test", "--config", cfg]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("kiosk: print-test failed on serial")
    assert "ttyUSB9" in err[0] and "Traceback" not in err[0]


def test_print_test_without_a_printer_exits_1(tmp_path, capsys):
    assert main(["print-test", "--config", write_config(tmp_path, 'connection = "none"\n')]) == 1
    assert "connection = \"none\"" in capsys.readouterr().err


def test_print_test_bad_config_exits_2(tmp_path, capsys):
    assert main(["print-test", "--config", write_config(tmp_path, 'paper_width_mm = 70\n')]) == 2
    assert "paper_width_mm" in capsys.readouterr().err
