"""Content that passes the rules yet takes the kiosk down: huge files, alias bombs, files
that never end. Each is refused with one line naming the file (and line) and the limit.

The dangerous ones run `python -m kiosk content validate` in a child limited to 1 GiB of
address space and a few seconds, so that, should a bound break, the test fails quickly
instead of eating the machine or hanging."""

import os
import resource
import subprocess
import sys
import threading
import time

import pytest

from kiosk.config import REPO_ROOT
from kiosk.content import schema
from kiosk.content.loader import ContentError, load_pack
from tests.content.conftest import PROCEDURE


def problems(root, strict=True):
    with pytest.raises(ContentError) as err:
        load_pack(root, strict=strict)
    return err.value.problems


def validate_in_child(root, timeout_s=20):
    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "kiosk", "content", "validate", str(root)], capture_output=True,
                          text=True, timeout=timeout_s, preexec_fn=limit_memory, env=env)
    return done, time.monotonic() - started


def only_line_about(done, name):
    lines = [line for line in done.stderr.splitlines() if name in line]
    assert len(lines) == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    return lines[0]


def many_steps(count):
    """PROCEDURE with `count` more info steps before its end (each ~120 bytes)."""
    extra = "".join(f"  - id: plus-{i}\n    kind: info\n    title: Encore une étape\n"
                    f"    text: Une phrase courte pour cette étape.\n" for i in range(count))
    return PROCEDURE.replace("  - id: fin\n", extra + "  - id: fin\n")


def test_a_21_megabyte_procedure_is_refused_by_its_size(pack):
    path = pack.write("enorme.yaml", many_steps(1)
                      .replace("id: essai", "id: enorme", 1) + "# " + "x" * (21_500_000) + "\n")
    done, took_s = validate_in_child(pack.root)
    assert done.returncode == 1
    line = only_line_about(done, "enorme.yaml")
    assert line == (f"{path}:1: [file] is {path.stat().st_size} bytes; at most {schema.PROCEDURE_MAX_BYTES} "
                    "are allowed")
    assert took_s < 10


def test_a_yaml_alias_bomb_is_refused_at_its_first_alias(pack):
    bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        bomb.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    path = pack.write("bombe.yaml", "\n".join(bomb) + "\n")
    done, took_s = validate_in_child(pack.root)
    assert done.returncode == 1
    assert only_line_about(done, "bombe.yaml") == (f"{path}:1: [yaml] anchors (&name) and aliases (*name) "
                                                   "are not allowed in content")
    assert took_s < 10


def test_an_alias_alone_is_refused_too(pack):
    path = pack.replace("  - Votre téléphone.\n", "  - &tel Votre téléphone.\n  - *tel\n")
    [problem] = problems(pack.root)
    assert (problem.file, problem.line, problem.rule) == (path, 9, "yaml")


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/urandom"])
def test_a_procedure_that_is_a_symlink_to_a_device_is_refused(pack, target):
    link = pack.root / "procedures" / "zero.yaml"
    link.symlink_to(target)
    done, took_s = validate_in_child(pack.root)
    assert done.returncode == 1
    assert only_line_about(done, "zero.yaml") == f"{link}:1: [file] is a character device, not a regular file"
    assert took_s < 10


def test_a_procedure_that_is_a_fifo_is_refused_at_once(pack):
    fifo = pack.root / "procedures" / "attente.yaml"
    os.mkfifo(fifo)
    done, took_s = validate_in_child(pack.root, timeout_s=5)
    assert done.returncode == 1
    assert only_line_about(done, "attente.yaml") == f"{fifo}:1: [file] is a FIFO (named pipe), not a regular file"
    assert took_s < 5


def test_a_categories_file_that_is_a_fifo_is_refused_at_once(pack):
    path = pack.root / "categories.yaml"
    path.unlink()
    os.mkfifo(path)
    done, _ = validate_in_child(pack.root, timeout_s=5)
    assert f"{path}:1: [file] is a FIFO (named pipe), not a regular file" in done.stderr.splitlines()


def test_the_kiosk_itself_refuses_them_too(pack):
    (pack.root / "procedures" / "zero.yaml").symlink_to("/dev/zero")
    assert [p.rule for p in problems(pack.root, strict=False)] == ["file"]


def test_a_text_too_long_is_refused_with_its_length_not_its_content(pack):
    long_text = "Mot " * 1000
    path = pack.replace("summary: Vous faites un essai. C'est simple.", f"summary: {long_text.strip()}")
    [problem] = problems(pack.root, strict=False)
    assert str(problem) == (f"{path}:4: [schema] summary: a text of {len(long_text.strip())} characters; "
                            f"at most {schema.TEXT_MAX_CHARS}")


def test_a_list_too_long_is_refused_once(pack):
    keywords = ", ".join(f"mot{i}" for i in range(schema.LIST_MAX_ITEMS + 1))
    path = pack.replace("keywords: [essai, test]", f"keywords: [{keywords}]")
    [problem] = problems(pack.root, strict=False)
    assert str(problem) == (f"{path}:5: [schema] keywords: {schema.LIST_MAX_ITEMS + 1} items; "
                            f"at most {schema.LIST_MAX_ITEMS}")


def test_too_many_steps_are_refused(pack):
    path = pack.write("essai.yaml", many_steps(schema.STEPS_MAX))
    [problem] = problems(pack.root, strict=False)
    assert str(problem) == (f"{path}:14: [schema] steps: {schema.STEPS_MAX + 5} items; "
                            f"at most {schema.STEPS_MAX}")


def test_as_many_steps_as_allowed_pass(pack):
    pack.write("essai.yaml", many_steps(schema.STEPS_MAX - 5))
    load_pack(pack.root, strict=False)


def test_deep_nesting_is_refused_without_a_recursion_error(pack):
    path = pack.write("profond.yaml", "a: " + "[" * 5000 + "]" * 5000 + "\n")
    found = [p for p in problems(pack.root) if p.file == path]
    assert [(p.line, p.rule, p.message) for p in found] == [
        (1, "yaml", f"nested more than {schema.YAML_MAX_DEPTH} levels deep")]


def test_thousands_of_wrong_items_give_a_bounded_report(pack):
    items = ", ".join(["1"] * 20_000)
    path = pack.replace("keywords: [essai, test]", f"keywords: [{items}]")
    found = problems(pack.root, strict=False)
    assert len(found) <= 21
    assert str(found[-1]).startswith(f"{path}:")
    assert "more schema problems in this file" in found[-1].message
    assert max(len(str(p)) for p in found) < 300


def test_the_shipped_pack_is_well_inside_the_bounds():
    from kiosk.config import ASSETS_DIR
    sizes = [p.stat().st_size for p in (ASSETS_DIR / "content" / "procedures").glob("*.yaml")]
    assert max(sizes) * 10 < schema.PROCEDURE_MAX_BYTES
    pack = load_pack(ASSETS_DIR / "content", strict=True)
    assert max(len(p.steps) for p in pack.procedures.values()) * 2 < schema.STEPS_MAX


@pytest.mark.parametrize("make, message", [
    (lambda path: path.symlink_to("/dev/zero"), "is outside the content pack"),
    (lambda path: os.mkfifo(path), "is not a regular file"),
    (lambda path: path.write_bytes(b"\0" * (4 * 1024 * 1024 + 1)), "is 4194305 bytes; at most 4194304"),
])
def test_the_kiosk_refuses_an_image_it_could_not_open_safely(pack, make, message):
    """The step screen reads images on the UI thread: a FIFO there would freeze the kiosk."""
    (pack.root / "images" / "ecran.png").unlink()
    make(pack.root / "images" / "ecran.png")
    [problem] = problems(pack.root, strict=False)
    assert (problem.rule, problem.line) == ("image", 17)
    assert problem.message == f"image « images/ecran.png » {message}"


def test_a_missing_image_does_not_stop_the_kiosk(pack):
    (pack.root / "images" / "ecran.png").unlink()
    load_pack(pack.root, strict=False)


def test_a_locale_file_that_is_a_fifo_is_refused_at_once(tmp_path):
    from kiosk.content.validate import locale_problems
    (tmp_path / "fr" / "LC_MESSAGES").mkdir(parents=True)
    fifo = tmp_path / "fr" / "LC_MESSAGES" / "app.po"
    os.mkfifo(fifo)
    # Should the bound break, a writer unblocks the read after 5 s and the test fails.
    unblock = threading.Timer(5, lambda: open(fifo, "w").close())
    unblock.start()
    try:
        started = time.monotonic()
        [problem] = locale_problems(tmp_path)
        assert time.monotonic() - started < 5
    finally:
        unblock.cancel()
    assert str(problem) == f"{fifo}:1: [locale] cannot read: is a FIFO (named pipe), not a regular file"
