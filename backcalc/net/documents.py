r"""Reading a TOML or JSON document (a spec or an answers file) into a dict, safely.

Size, encoding, NUL bytes, NaN and infinity, and nesting depth are checked before the document is used; every
error names the file (and the line, for a syntax error).

>>> parse_document('format = 1\n[data]\nx = [1.0]', ".toml", "net.toml")
{'format': 1, 'data': {'x': [1.0]}}
>>> parse_document('{"x": NaN}', ".json", "net.json")
Traceback (most recent call last):
...
backcalc.errors.SpecError: net.json: NaN is not a number backcalc accepts (NaN and infinity are refused)
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import SpecError
from .fields import kind_of
from ..files import read_text
from ..userinput import label

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 8
MAX_LITERAL = 4000  # digits of an integer literal (Python refuses to convert past 4300)


def read_document_text(path: Path) -> tuple[str, str, str]:
    """The text of a spec or answers file (a bounded read of a regular file), its suffix and its name."""
    name = label(path.name)
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise SpecError(f"{name}: expected a .toml or .json file, got {label(suffix) if suffix else 'no extension'}")
    text = read_text(path, MAX_FILE_BYTES, error=SpecError)
    if not text.strip():
        raise SpecError(f"{name}: the file is empty")
    if "\x00" in text:
        raise SpecError(f"{name}: contains NUL bytes; expected a {suffix[1:].upper()} text document")
    return text, suffix, name


def read_document(path: Path) -> dict:
    """Read a TOML or JSON file into a dict, with errors that name the file (and the line)."""
    return parse_document(*read_document_text(path))


def parse_document(text: str, suffix: str, name: str) -> dict:
    """Parse a document's text (``suffix`` ``.json`` or ``.toml``); errors name the file ``name``."""
    if suffix == ".json":
        try:
            doc = json.loads(text, parse_constant=_reject_constant, parse_int=_bounded_int)
        except json.JSONDecodeError as exc:
            raise SpecError(f"{name}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
        except RecursionError:
            raise SpecError(f"{name}: nested too deeply") from None
        except ValueError as exc:
            raise SpecError(f"{name}: {exc}") from None
    else:
        try:
            import tomllib
        except ModuleNotFoundError:  # Python 3.10
            import tomli as tomllib
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise SpecError(f"{name}: invalid TOML: {exc}") from None
        except ValueError:  # Python's int-digit limit, raised inside the TOML reader
            raise SpecError(f"{name}: a number with more than {MAX_LITERAL} digits; numbers in a spec are "
                            f"between −10⁶ and 10⁶") from None
        except RecursionError:
            raise SpecError(f"{name}: nested too deeply") from None
    if not isinstance(doc, dict):
        raise SpecError(f"{name}: expected a table/object at the top level, got {kind_of(doc)}")
    _check_depth(doc, name)
    return doc


def _bounded_int(text: str) -> int:
    if len(text) > MAX_LITERAL:
        raise ValueError(f"a number with {len(text)} digits; numbers in a spec are between −10⁶ and 10⁶")
    return int(text)


def _reject_constant(token):
    raise ValueError(f"{token} is not a number backcalc accepts (NaN and infinity are refused)")


def _check_depth(doc, name, depth=0):
    if depth > MAX_DEPTH:
        raise SpecError(f"{name}: nested more than {MAX_DEPTH} levels deep")
    if isinstance(doc, dict):
        for v in doc.values():
            _check_depth(v, name, depth + 1)
    elif isinstance(doc, list):
        for v in doc:
            if isinstance(v, (list, dict)):
                _check_depth(v, name, depth + 1)
