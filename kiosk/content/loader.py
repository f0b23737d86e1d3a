"""Load a content pack from YAML files and report every problem with its file and line.

The rules themselves live in validate.py; this module reads, checks the schema, calls the
rules and builds the typed model.

Reading is bounded before anything is parsed: regular files only (a FIFO would block, a
symlink to /dev/zero never ends), at most schema.PROCEDURE_MAX_BYTES, no YAML anchors or
aliases (an alias bomb of a few hundred bytes expands to gigabytes) and no nesting deeper
than schema.YAML_MAX_DEPTH. Each refusal is one problem with its file and line.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from kiosk.content import translations, validate
from kiosk.content.model import Category, ChecklistItem, Choice, ContentPack, Link, Procedure, Step
from kiosk.content.parse_memo import MISSING, ParseMemo
from kiosk.content.problems import ContentError, Problem
from kiosk.content.schema import (
    CATEGORIES_MAX_BYTES,
    CATEGORIES_SCHEMA,
    CATEGORY_TRANSLATION_SCHEMA,
    PROCEDURE_MAX_BYTES,
    PROCEDURE_SCHEMA,
    TRANSLATION_LANGUAGES,
    TRANSLATION_SCHEMA,
    YAML_MAX_DEPTH,
)
from kiosk.content.schema_memo import SchemaMemo
from kiosk.files import RefusedFileError, read_regular_text

if TYPE_CHECKING:
    import jsonschema

__all__ = ["ContentError", "Problem", "load_pack"]
log = logging.getLogger(__name__)

# A file with more schema problems than this gets this many, then one line saying how many more.
MAX_SCHEMA_PROBLEMS_PER_FILE = 20
MAX_MESSAGE_CHARS = 200


class _ContentComposer(yaml.SafeLoader):
    """The safe loader's composer, refusing anchors, aliases and deep nesting."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.MarkedYAMLError(problem="anchors (&name) and aliases (*name) are not allowed in content",
                                       problem_mark=event.start_mark)
        if self._depth >= YAML_MAX_DEPTH:
            raise yaml.MarkedYAMLError(problem=f"nested more than {YAML_MAX_DEPTH} levels deep",
                                       problem_mark=event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _compose(text: str) -> yaml.Node | None:
    """The node tree of one YAML document, after the checks _ContentComposer makes.

    libyaml (PyYAML's C parser) composes 15 times faster than the Python composer (0.06 s
    against 1 s for the shipped pack: most of the kiosk's start-up, bench/startup.py). Its
    composer cannot be hooked, and recurses in C: anchors, aliases and depth are checked on
    its event stream first, which is flat, so nothing deep or aliased reaches it.
    """
    if not getattr(yaml, "__with_libyaml__", False):
        return yaml.compose(text, Loader=_ContentComposer)
    try:
        _check_events(yaml.parse(text, Loader=yaml.CSafeLoader))
    except yaml.MarkedYAMLError as e:
        if "nesting depth" not in str(e.problem):
            raise
        # libyaml's own limit (1000 levels), met before ours when it reads ahead.
        raise yaml.MarkedYAMLError(problem=f"nested more than {YAML_MAX_DEPTH} levels deep",
                                   problem_mark=e.problem_mark) from None
    return yaml.compose(text, Loader=yaml.CSafeLoader)


def _check_events(events) -> None:
    depth = 0
    for event in events:
        if isinstance(event, (yaml.CollectionEndEvent, yaml.DocumentEndEvent, yaml.StreamEndEvent)):
            depth -= isinstance(event, yaml.CollectionEndEvent)
            continue
        if not isinstance(event, (yaml.NodeEvent, yaml.AliasEvent)):
            continue
        if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
            raise yaml.MarkedYAMLError(problem="anchors (&name) and aliases (*name) are not allowed in content",
                                       problem_mark=event.start_mark)
        if depth >= YAML_MAX_DEPTH:
            raise yaml.MarkedYAMLError(problem=f"nested more than {YAML_MAX_DEPTH} levels deep",
                                       problem_mark=event.start_mark)
        depth += isinstance(event, yaml.CollectionStartEvent)


class _Located:
    """YAML data plus the line of every node, keyed by its path of keys and indexes."""

    def __init__(self, path: Path, max_bytes: int = PROCEDURE_MAX_BYTES, parsed: ParseMemo | None = None):
        self.path = path
        self._lines: dict[tuple, int] | None = None
        # Where each text sits in the file, to point at one sentence of a multi-line text.
        self._spans: dict[tuple, tuple[str | None, int, int]] | None = None
        self.text = read_regular_text(path, max_bytes)
        data = parsed.get(self.text) if parsed is not None else MISSING
        if data is MISSING:
            data = self._parse()
            if parsed is not None:
                parsed.put(self.text, data)
        self.data = data

    def _parse(self) -> Any:
        self._lines, self._spans = {}, {}
        self._scalars = yaml.SafeLoader("")
        node = _compose(self.text)
        return self._build(node, ()) if node is not None else None

    @property
    def lines(self) -> dict[tuple, int]:
        """Line of each node; data from the parse memo has none until a problem asks."""
        if self._lines is None:
            self._parse()
        return self._lines

    @property
    def spans(self) -> dict[tuple, tuple[str | None, int, int]]:
        if self._spans is None:
            self._parse()
        return self._spans

    def _build(self, node: yaml.Node, at: tuple) -> Any:
        self._lines[at] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            out = {}
            for key_node, value_node in node.value:
                key = key_node.value
                if key in out:
                    raise yaml.MarkedYAMLError(problem=f"duplicate key « {key} »",
                                               problem_mark=key_node.start_mark)
                out[key] = self._build(value_node, at + (key,))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self._build(v, at + (i,)) for i, v in enumerate(node.value)]
        self._spans[at] = (node.style, node.start_mark.index, node.end_mark.index)
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value  # a date stays the text written (checked_on: 2026-11-30)
        return self._scalars.construct_object(node)

    def line(self, at: tuple) -> int:
        at = tuple(at)
        while at not in self.lines and at:
            at = at[:-1]
        return self.lines.get(at, 1)

    def line_in(self, at: tuple, offset: int) -> int:
        """Line of the character at `offset` in the text at `at`, for texts over several lines.

        YAML folds or keeps line breaks but never changes the words, so the n-th word of the
        value is the n-th word of its source (after a block indicator | or >).
        """
        at = tuple(at)
        span, value = self.spans.get(at), self._value(at)
        if span is None or not isinstance(value, str):
            return self.line(at)
        style, start, end = span
        word_index = max(len(value[:offset + 1].split()) - 1, 0)
        words = list(re.finditer(r"\S+", self.text[start:end]))[1 if style in ("|", ">") else 0:]
        if word_index >= len(words):
            return self.line(at)
        return self.text.count("\n", 0, start + words[word_index].start()) + 1

    def _value(self, at: tuple) -> Any:
        value = self.data
        try:
            for key in at:
                value = value[key]
        except (KeyError, IndexError, TypeError):
            return None
        return value


def _read(path: Path, problems: list[Problem], max_bytes: int = PROCEDURE_MAX_BYTES,
          parsed: ParseMemo | None = None) -> _Located | None:
    try:
        return _Located(path, max_bytes, parsed)
    except RefusedFileError as e:
        problems.append(Problem(path, 1, "file", str(e)))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problems.append(Problem(path, (mark.line + 1) if mark else 1, "yaml", str(e.problem)))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        problems.append(Problem(path, 1, "yaml", str(e)))
    return None


def _schema_message(err: jsonschema.ValidationError) -> str:
    """The error in one short line: never the whole of a huge text or list."""
    if err.validator == "maxLength" and isinstance(err.instance, str):
        return f"a text of {len(err.instance)} characters; at most {err.validator_value}"
    if err.validator == "maxItems" and isinstance(err.instance, list):
        return f"{len(err.instance)} items; at most {err.validator_value}"
    if err.validator == "type" and isinstance(err.instance, bool) and "string" in str(err.validator_value):
        # YAML 1.1 reads Yes, No, On, Off as booleans: an English choice « Yes » lands here.
        return f"{err.message}: put the text in quotes (YAML reads Yes, No, On, Off as true or false)"
    message = err.message
    return message if len(message) <= MAX_MESSAGE_CHARS else message[:MAX_MESSAGE_CHARS] + "…"


def _schema_problems(doc: _Located, schema: dict, memo: SchemaMemo | None = None) -> list[Problem]:
    if memo is not None and memo.passed(schema, doc.text):
        return []
    # Imported here: a start whose files all passed before never needs it (0.08 s).
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    # A bounded file still holds at most ~100 000 nodes: collecting their errors is cheap.
    errors = list(itertools.islice(validator.iter_errors(doc.data), 200_000))
    out = []
    for err in sorted(errors, key=lambda e: list(map(str, e.absolute_path))):
        where = "/".join(str(p) for p in err.absolute_path) or "(top)"
        out.append(Problem(doc.path, doc.line(err.absolute_path), "schema", f"{where}: {_schema_message(err)}"))
    if len(out) > MAX_SCHEMA_PROBLEMS_PER_FILE:
        more = len(out) - MAX_SCHEMA_PROBLEMS_PER_FILE
        out = out[:MAX_SCHEMA_PROBLEMS_PER_FILE]
        out.append(Problem(doc.path, out[-1].line, "schema", f"and {more} more schema problems in this file"))
    if not out and memo is not None:
        memo.record(schema, doc.text)
    return out


def _to_step(raw: dict, pack_root: Path) -> Step:
    return Step(
        id=raw["id"], kind=raw["kind"], title=raw["title"], text=raw.get("text"),
        image=(pack_root / raw["image"]) if raw.get("image") else None,
        next=raw.get("next"), idle_timeout_s=raw.get("idle_timeout_s"),
        site=raw.get("site"), image_alt=raw.get("image_alt"),
        items=tuple(ChecklistItem(i["id"], i["label"], i.get("help")) for i in raw.get("items", ())),
        papers=raw.get("papers", False),
        choices=tuple(Choice(c["label"], c["next"]) for c in raw.get("choices", ())),
        label=raw.get("label"), personal=raw.get("personal", False),
        pattern=raw.get("pattern"), pattern_help=raw.get("pattern_help"),
        mask=raw.get("mask", "last4"), keyboard=raw.get("keyboard", "text"),
        optional=raw.get("optional", False), receipt_label=raw.get("receipt_label"),
        link=Link(**raw["link"]) if raw.get("link") else None,
        done=tuple(raw.get("done", ())), todo=tuple(raw.get("todo", ())),
        bring=tuple(raw.get("bring", ())), where=raw.get("where"),
    )


def _link_steps(raw_steps: list[dict]) -> None:
    """A step without `next` goes on to the step written after it (except end and question)."""
    for i, s in enumerate(raw_steps):
        if "next" not in s and s.get("kind") not in ("end", "question") and i + 1 < len(raw_steps):
            s["next"] = raw_steps[i + 1].get("id")


def load_pack(root: Path, *, strict: bool = False, memo: SchemaMemo | None = None,
              parsed: ParseMemo | None = None) -> ContentPack:
    """Load and check a pack; raise ContentError listing every problem found.

    The kiosk loads with strict=False: only what breaks a path or a link stops it.
    strict=True adds the writing, image, glyph and icon rules (`kiosk content validate`).
    memo (not with strict): skip the schema check of files that passed it before.
    parsed (not with strict): take the data of files parsed before from it.
    """
    if strict:
        memo = parsed = None  # `kiosk content validate` checks everything, always
    root = Path(root)
    problems: list[Problem] = []
    cat_path = root / "categories.yaml"
    cat_doc = _read(cat_path, problems, CATEGORIES_MAX_BYTES, parsed)
    categories: list[Category] = []
    if cat_doc is not None:
        cat_problems = _schema_problems(cat_doc, CATEGORIES_SCHEMA, memo)
        problems += cat_problems
        if not cat_problems and strict:
            problems += validate.categories_quality_problems(cat_doc, cat_doc.data)
        if not cat_problems:
            for i, c in enumerate(cat_doc.data["categories"]):
                categories.append(Category(c["id"], c["title"], c["icon"], c.get("order", i)))
    category_ids = {c.id for c in categories}

    procedures: dict[str, Procedure] = {}
    files = sorted((root / "procedures").glob("*.yaml"))
    if not files:
        problems.append(Problem(root / "procedures", 1, "empty", "no procedure file (*.yaml) found"))
    if strict:
        # Only *.yaml is read: say so rather than leave a procedure silently missing.
        for other in sorted((root / "procedures").glob("*.yml")):
            problems.append(Problem(other, 1, "file-name", f"not read: rename it {other.stem}.yaml"))
    for path in files:
        doc = _read(path, problems, parsed=parsed)
        if doc is None:
            continue
        schema_problems = _schema_problems(doc, PROCEDURE_SCHEMA, memo)
        if schema_problems:
            problems += schema_problems
            continue
        raw = doc.data
        _link_steps(raw["steps"])
        graph = validate.structure_problems(doc, raw, category_ids, root)
        if strict:
            graph += validate.quality_problems(doc, raw, root)
        if raw["id"] in procedures:
            graph.append(Problem(path, doc.line(("id",)), "unique-procedure",
                                 f"procedure id « {raw['id']} » is also used in {procedures[raw['id']].source.name}"))
        problems += graph
        if graph:
            continue
        procedures[raw["id"]] = Procedure(
            id=raw["id"], category=raw["category"], title=raw["title"], summary=raw["summary"],
            keywords=tuple(raw["keywords"]), duration_min=raw["duration_min"],
            before_you_start=tuple(raw["before_you_start"]),
            links=tuple(Link(**link) for link in raw.get("links", ())),
            popularity=raw.get("popularity", 0),
            steps=tuple(_to_step(s, root) for s in raw["steps"]), source=path,
            checked_on=raw.get("checked_on"), sources=tuple(raw.get("sources", ())),
        )
    tr_problems: list[Problem] = []
    translated, category_titles, warnings = _load_translations(root, procedures, category_ids, tr_problems, memo,
                                                               parsed, lazy=not strict)
    if strict:
        problems += tr_problems
    for problem in tr_problems:
        # The kiosk shows that procedure in French, marked, rather than not start.
        log.error("translation not used: %s", problem)
    if problems:
        raise ContentError(problems)
    for kept in (memo, parsed):
        if kept is not None:
            kept.save()
    made, pending = _split_laid(translated)
    return ContentPack(root=root, categories=tuple(sorted(categories, key=lambda c: c.order)),
                       procedures=procedures, translations=made, category_titles=category_titles,
                       warnings=tuple(warnings), pending=pending)


def _split_laid(translated: dict[str, dict]) -> tuple[dict, dict]:
    """Strict, translations come laid over; otherwise as functions that will lay them:
    (by language, by id: laid over), (by (language, id): to lay)."""
    made = {lang: {pid: tr for pid, tr in by_id.items() if isinstance(tr, Procedure)}
            for lang, by_id in translated.items()}
    pending = {(lang, pid): tr for lang, by_id in translated.items() for pid, tr in by_id.items()
               if not isinstance(tr, Procedure)}
    return {lang: by_id for lang, by_id in made.items() if by_id}, pending


def _load_translations(root: Path, procedures: dict[str, Procedure], category_ids: set[str],
                       problems: list[Problem], memo: SchemaMemo | None = None, parsed: ParseMemo | None = None,
                       lazy: bool = False):
    """translations/<lang>/*.yaml, each checked against its French procedure.

    A file with a problem is not used (its procedure shows in French); the problems are
    returned for the validator. Bounded and refused like the French files. lazy: a checked
    translation is returned as a function that lays it over its procedure (ContentPack.pending),
    and its « shown in French » warnings, for the validator only, are not worked out.
    """
    sha_cache: dict[Path, str] = {}  # each French file hashed once, not once per language
    base = root / "translations"
    translated: dict[str, dict[str, Procedure]] = {}
    titles: dict[str, dict[str, str]] = {}
    warnings: list[Problem] = []
    if not base.is_dir():
        return translated, titles, warnings
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        lang = folder.name
        if lang not in TRANSLATION_LANGUAGES:
            problems.append(Problem(folder, 1, "translation-language",
                                    f"not read: « {lang} » is not one of {', '.join(TRANSLATION_LANGUAGES)}"))
            continue
        cat_titles = _category_titles(folder / "categories.yaml", lang, category_ids, problems, memo, parsed)
        if cat_titles:
            titles[lang] = cat_titles
        for path in sorted(folder.glob("*.yaml")):
            if path.name == "categories.yaml":
                continue
            proc = _translated(path, lang, procedures, problems, warnings, memo, parsed, lazy, sha_cache)
            if proc is not None:
                translated.setdefault(lang, {})[path.stem] = proc  # the French procedure's id
    return translated, titles, warnings


def _translated(path: Path, lang: str, procedures: dict[str, Procedure], problems: list[Problem],
                warnings: list[Problem], memo: SchemaMemo | None = None, parsed: ParseMemo | None = None,
                lazy: bool = False, sha_cache: dict[Path, str] | None = None):
    french = procedures.get(path.stem)
    if french is None:
        problems.append(Problem(path, 1, "translation-match",
                                f"no French procedure « {path.stem} » (or it has problems)"))
        return None
    doc = _read(path, problems, parsed=parsed)
    if doc is None:
        return None
    found = _schema_problems(doc, TRANSLATION_SCHEMA, memo)
    if not found:
        found = translations.match_problems(path, doc.line, doc.data, french, lang)
    if found:
        problems += found
        return None
    shas = {} if sha_cache is None else sha_cache
    if french.source not in shas:
        shas[french.source] = translations.source_sha256(french.source.read_bytes())
    french_sha = shas[french.source]
    older = doc.data["source_sha256"] != french_sha
    if older:
        warnings.append(Problem(path, doc.line(("source_sha256",)), "translation-older",
                                f"translated from an older French text (source_sha256 {doc.data['source_sha256']}, "
                                f"{french.source.name} is now {french_sha}): shown, marked; update it"))
    if lazy:
        return functools.partial(translations.apply, french, doc.data, older)
    missing = translations.untranslated(doc.data, french)
    if missing:
        # Not a problem either: those texts are shown in French. Said for the translator.
        warnings.append(Problem(path, 1, "translation-fallback",
                                f"{len(missing)} text(s) shown in French: {', '.join(missing[:20])}"
                                + (" …" if len(missing) > 20 else "")))
    return translations.apply(french, doc.data, older)


def _category_titles(path: Path, lang: str, category_ids: set[str], problems: list[Problem],
                     memo: SchemaMemo | None = None, parsed: ParseMemo | None = None) -> dict[str, str]:
    if not path.exists():
        return {}
    doc = _read(path, problems, CATEGORIES_MAX_BYTES, parsed)
    if doc is None:
        return {}
    found = _schema_problems(doc, CATEGORY_TRANSLATION_SCHEMA, memo)
    if not found:
        if doc.data["lang"] != lang:
            found.append(Problem(path, doc.line(("lang",)), "translation-match",
                                 f"lang: « {doc.data['lang']} » in the folder of « {lang} »"))
        found += [Problem(path, doc.line(("categories", cid)), "translation-match",
                          f"categories/{cid}: no French category with this id")
                  for cid in doc.data["categories"] if cid not in category_ids]
    problems += found
    return {} if found else dict(doc.data["categories"])
