"""JSON Schema of a content pack: categories.yaml and one YAML file per procedure.

Checked with the jsonschema library so that content authors get precise messages; the
loader maps each error back to the file and line it came from.

Every text and list has an upper bound, and so has the file (checked before parsing): a
21.5 MB procedure once passed validation and then took the kiosk to 4 GB and a crash. The
bounds are far above what the content guide allows (the shipped pack's longest text has
515 characters, its longest list 18 items, its longest procedure 13 steps and 5.5 kB).
"""

PROCEDURE_MAX_BYTES = 256 * 1024
CATEGORIES_MAX_BYTES = 64 * 1024
TEXT_MAX_CHARS = 2000
LIST_MAX_ITEMS = 50
STEPS_MAX = 60
# A procedure is nested 6 levels deep (procedure, steps, step, items, item, text).
YAML_MAX_DEPTH = 12

_ID = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$", "maxLength": 60}
_TEXT = {"type": "string", "minLength": 1, "maxLength": TEXT_MAX_CHARS}
_TEXTS = {"type": "array", "items": _TEXT, "maxItems": LIST_MAX_ITEMS}
_URL = {"type": "string", "pattern": "^https://", "maxLength": TEXT_MAX_CHARS}
_NAME = {"type": "string", "maxLength": 200}  # an image path, an icon name

_LINK = {
    "type": "object",
    "additionalProperties": False,
    "required": ["label", "url"],
    "properties": {"label": _TEXT, "url": _URL},
}

_STEP_COMMON = {
    "id": _ID,
    "kind": {"enum": ["info", "checklist", "question", "field", "link", "end"]},
    "title": _TEXT,
    "text": _TEXT,
    "image": _NAME,
    "next": _ID,
    # A step that sends the visitor away (to fetch a paper) may get a longer limit.
    "idle_timeout_s": {"type": "integer", "minimum": 30, "maximum": 1800},
    # The official page this step is done on (guided browsing opens it beside the guide;
    # without guided browsing the visitor is shown how to get there before this step).
    "site": _URL,
    # What an image shows, said aloud in speech mode (the visitor may not see it).
    "image_alt": _TEXT,
}


def _step(kind: str, required: list[str], without: tuple[str, ...] = (), **extra: dict) -> dict:
    """The schema of one step kind. `without`: common keys this kind would silently ignore."""
    props = {k: v for k, v in _STEP_COMMON.items() if k not in without}
    props.update(extra)
    return {
        "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
        "then": {"required": ["id", "kind", "title", *required], "properties": props,
                 "additionalProperties": False},
    }


STEP_SCHEMA = {
    "type": "object",
    "required": ["id", "kind", "title"],
    "properties": {"kind": _STEP_COMMON["kind"]},
    "allOf": [
        _step("info", ["text"]),
        # papers: true marks papers to gather; the ones not ticked go on the receipt.
        _step("checklist", ["items"], papers={"type": "boolean"}, items={
            "type": "array", "minItems": 1, "maxItems": LIST_MAX_ITEMS,
            "items": {"type": "object", "additionalProperties": False,
                      "required": ["id", "label"],
                      "properties": {"id": _ID, "label": _TEXT, "help": _TEXT}},
        }),
        _step("question", ["choices"], without=("next",), choices={
            "type": "array", "minItems": 2, "maxItems": LIST_MAX_ITEMS,
            "items": {"type": "object", "additionalProperties": False,
                      "required": ["label", "next"],
                      "properties": {"label": _TEXT, "next": _ID}},
        }),
        _step("field", ["label", "personal"],
              label=_TEXT,
              personal={"type": "boolean"},
              pattern={"type": "string", "maxLength": 500},
              pattern_help=_TEXT,
              mask={"enum": ["none", "last4", "all"]},
              keyboard={"enum": ["text", "number"]},
              optional={"type": "boolean"},
              receipt_label=_TEXT),
        _step("link", ["link"], link=_LINK),
        # The summary screen shows an end step's lists, not a text or an image.
        _step("end", ["todo"], without=("next", "text", "image"),
              done=_TEXTS, todo=_TEXTS, bring=_TEXTS, where=_TEXT),
    ],
}

PROCEDURE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "category", "title", "summary", "keywords", "duration_min",
                 "before_you_start", "steps"],
    "properties": {
        "id": _ID,
        "category": _ID,
        "title": _TEXT,
        "summary": _TEXT,
        "keywords": {"type": "array", "items": _TEXT, "minItems": 1, "maxItems": LIST_MAX_ITEMS},
        "duration_min": {"type": "integer", "minimum": 1, "maximum": 180},
        "before_you_start": _TEXTS,
        "links": {"type": "array", "items": _LINK, "maxItems": LIST_MAX_ITEMS},
        # Order on the home screen until real statistics exist: higher comes first.
        "popularity": {"type": "integer", "minimum": 0, "maximum": 100},
        # When the facts were last checked against the official sources (YYYY-MM-DD).
        "checked_on": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
        "sources": {"type": "array", "items": _URL, "maxItems": LIST_MAX_ITEMS},
        "steps": {"type": "array", "minItems": 2, "maxItems": STEPS_MAX, "items": STEP_SCHEMA},
    },
}

CATEGORIES_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["categories"],
    "properties": {
        "categories": {
            "type": "array", "minItems": 1, "maxItems": LIST_MAX_ITEMS,
            "items": {
                "type": "object", "additionalProperties": False,
                "required": ["id", "title", "icon"],  # icon: a Material Design Icons name
                "properties": {"id": _ID, "title": _TEXT, "icon": _NAME,
                               "order": {"type": "integer"}},
            },
        },
    },
}

# ----- translations (assets/content/translations/<lang>/, docs/CONTENT.md) ------------
# A translation holds only what a visitor reads, keyed like the French file; the loader
# checks that its ids and list counts match the French file (translations.py).
TRANSLATION_LANGUAGES = ["ar", "en", "pt", "es", "tr"]
_TR_LABEL = {"type": "object", "additionalProperties": False, "required": ["label"],
             "properties": {"label": _TEXT}}
_TR_ITEM = {"type": "object", "additionalProperties": False, "required": ["label"],
            "properties": {"label": _TEXT, "help": _TEXT}}
_TR_STEP = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "title": _TEXT, "text": _TEXT, "image_alt": _TEXT, "label": _TEXT, "receipt_label": _TEXT,
        "pattern_help": _TEXT, "where": _TEXT, "bring": _TEXTS, "done": _TEXTS, "todo": _TEXTS,
        "choices": _TEXTS, "link": _TR_LABEL,
        "items": {"type": "object", "maxProperties": LIST_MAX_ITEMS,
                  "propertyNames": _ID, "additionalProperties": _TR_ITEM},
    },
}
TRANSLATION_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "lang", "source_sha256", "review", "title", "steps"],
    "properties": {
        "id": _ID,
        "lang": {"enum": TRANSLATION_LANGUAGES},
        "source_sha256": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
        "review": {"enum": ["machine", "native"]},
        "title": _TEXT,
        "summary": _TEXT,
        "keywords": _TEXTS,
        "before_you_start": _TEXTS,
        "links": _TEXTS,
        "steps": {"type": "object", "maxProperties": STEPS_MAX,
                  "propertyNames": _ID, "additionalProperties": _TR_STEP},
    },
}
CATEGORY_TRANSLATION_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["lang", "review", "categories"],
    "properties": {
        "lang": {"enum": TRANSLATION_LANGUAGES},
        "review": {"enum": ["machine", "native"]},
        "categories": {"type": "object", "maxProperties": LIST_MAX_ITEMS,
                       "propertyNames": _ID, "additionalProperties": _TEXT},
    },
}
