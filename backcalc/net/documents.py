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

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 8


def read_document(path: Path) -> dict:
    """Read a TOML or JSON file into a dict, with errors that name the file (and the line)."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise SpecError(f"{name}: expected a .toml or .json file, got {suffix or 'no extension'!r}")
    try:
        if path.is_dir():
            raise SpecError(f"{name}: is a directory, expected a file")
        size = path.stat().st_size
    except FileNotFoundError:
        raise SpecError(f"{path}: no such file") from None
    except OSError as exc:
        raise SpecError(f"{path}: cannot read ({exc.strerror})") from None
    if size > MAX_FILE_BYTES:
        raise SpecError(f"{name}: {size} bytes is over the limit of {MAX_FILE_BYTES} bytes for a spec or answers file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SpecError(f"{path}: cannot read ({exc.strerror})") from None
    if not data.strip():
        raise SpecError(f"{name}: the file is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{name}: not UTF-8 text (byte {exc.start}); expected a {suffix[1:].upper()} document") from None
    if "\x00" in text:
        raise SpecError(f"{name}: contains NUL bytes; expected a {suffix[1:].upper()} text document")
    return parse_document(text, suffix, name)


def parse_document(text: str, suffix: str, name: str) -> dict:
    """Parse a document's text (``suffix`` ``.json`` or ``.toml``); errors name the file ``name``."""
    if suffix == ".json":
        try:
            doc = json.loads(text, parse_constant=_reject_constant)
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
        except RecursionError:
            raise SpecError(f"{name}: nested too deeply") from None
    if not isinstance(doc, dict):
        raise SpecError(f"{name}: expected a table/object at the top level, got {kind_of(doc)}")
    _check_depth(doc, name)
    return doc


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
