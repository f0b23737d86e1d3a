"""Put French spacing in YAML content and locale files: U+00A0 before ; : ! ? and inside « ».

Run on files you have written; `kiosk content validate` reports what is still wrong.
Only text values are touched: a YAML key's colon has no space before it, and URLs have none.
"""

import re
import sys
from pathlib import Path

NBSP = "\u00a0"


def fix(text: str) -> str:
    text = re.sub(r"[ \u202f]([;:!?])(?=\s|$|\"|»)", NBSP + r"\1", text, flags=re.M)
    # Idempotent: a space already there (plain, narrow or no-break) is replaced, not doubled.
    text = re.sub(r"«[ \u202f\u00a0]?", "«" + NBSP, text)
    text = re.sub(r"[ \u202f\u00a0]?»", NBSP + "»", text)
    return text


if __name__ == "__main__":
    for name in sys.argv[1:]:
        path = Path(name)
        before = path.read_text(encoding="utf-8")
        after = fix(before)
        if after != before:
            path.write_text(after, encoding="utf-8")
            sys.stderr.write(f"fixed {path}\n")
