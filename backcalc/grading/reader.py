"""Reading an answers file: numbers kept as written, the tolerance they earn, every cell validated and named."""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .keys import _TABLES, AnswerSpace, answer_key
from .tensor_reader import read_tensor
from .state_keys import check_scope, split_scope, training_names
from .problems import Problem, kind_of, problem
from ..errors import AnswersError, SpecError, closest
from ..userinput import shown
from .tolerance import is_decimal
from ..net.documents import MAX_DEPTH, parse_document, read_document_text

MAX_ANSWER = sys.float_info.max  # any finite number: explain prints diverging runs' values too
MAX_WRITTEN = 40  # characters of one written number

_TOP = ("format", "title", "student", "id", "fingerprint", "loss", "loss_after") + _TABLES + ("state",)


# ─────────────────────────────────────────── numbers as written ───────────────────────────────────────────

class _Num:
    """A number kept as the text it was written with (TOML/JSON parse hooks)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


def _written(value) -> str | None:
    """The text of an answer cell; None for a blank ("" or null)."""
    if value is None:
        return None
    if isinstance(value, _Num):
        return value.text.replace("_", "")
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(problem("boolean"))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, str):
        text = value.strip().replace("−", "-").replace("_", "")
        return text or None
    raise TypeError(_kind_of(value))


def _kind_of(v) -> Problem:
    """What a cell's value is, as a record (a number keeps its text)."""
    return kind_of(v, v.text if isinstance(v, _Num) else None)


def _kind(v) -> str:
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "a table"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, str):
        return f"the string {v!r}" if len(v) < 40 else "a string"
    if isinstance(v, _Num):
        return f"the number {v.text}"
    return type(v).__name__


# ─────────────────────────────────────────── reading ───────────────────────────────────────────

_BARE_COMMA = re.compile(r"^(\s*[^#=\s][^#=]*?=\s*)([+-]?\d+,\d+)(\s*(?:#.*)?)$", re.MULTILINE)


def _quote_decimal_commas(text: str) -> str:
    """``loss = 0,128`` is not TOML; quoted, the cell itself can say to write 0.128 while the rest is graded."""
    return _BARE_COMMA.sub(lambda m: f'{m.group(1)}"{m.group(2)}"{m.group(3)}', text)


def read_answers(source) -> tuple[dict, str]:
    """An answers document (numbers kept as written) and its name, from a path or a dict.

    A UTF-8 byte-order mark is accepted; a bare decimal comma (``loss = 0,128``) becomes that cell's own error.
    """
    if isinstance(source, dict):
        return _from_python(source), "<answers>"
    if source is None:
        raise AnswersError("no answers given: pass a .toml or .json answers file")

    path = Path(source)
    toml = path.suffix.lower() != ".json"
    try:  # one bounded read; size and encoding checks, with messages naming the file
        text, _, name = read_document_text(path)
    except SpecError as exc:
        raise AnswersError(str(exc)) from None
    try:
        doc = _parse(text, toml)
        if isinstance(doc, dict) and _depth(doc) <= MAX_DEPTH:
            return doc, name
    except Exception:  # not TOML/JSON: the spec reader's parse says why, naming the line and column
        pass
    try:
        parse_document(text, path.suffix.lower(), name)
    except SpecError as exc:
        quoted = _quote_decimal_commas(text) if toml else text
        try:
            if quoted == text:
                raise
            parse_document(quoted, ".toml", name)
            text = quoted
        except SpecError:
            raise AnswersError(str(exc)) from None
    try:
        doc = _parse(text, toml)
    except Exception as exc:  # parse_document accepted it; this only guards the second parse
        raise AnswersError(f"{name}: cannot read: {exc}") from None
    return doc, name


def _depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


def _refuse(token):
    raise ValueError(token)


def _parse(text: str, toml: bool) -> dict:
    """The document with every number kept as written (NaN and infinity in JSON refused, as the spec reader does)."""
    if not toml:
        return json.loads(text, parse_float=_Num, parse_int=_Num, parse_constant=_refuse)
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    return tomllib.loads(text, parse_float=_Num)


def _from_python(value):
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, dict):
        return {str(k): _from_python(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_from_python(v) for v in value]
    return value


# ─────────────────────────────────────────── validating an answers document ───────────────────────────────────────────

@dataclass(frozen=True)
class Invalid:
    """A cell or entry the checker cannot read: where it is and what is wrong with it; the rest is graded."""

    key: str        # as written, scoped: "gradients.bo", "loss", "gradients.W2"
    section: str
    problem: Problem  # what is wrong and what was expected (render/labels_answers.py writes it)


class CellError(AnswersError):
    """One entry of a sheet is unreadable (``where``, ``problem``: a :class:`Problem`); the others can still be
    graded (the reader turns it into an :class:`Invalid` cell, so its message is never shown)."""

    def __init__(self, source, where, problem):
        super().__init__(f"{source}: {where}: {problem.code}" if where else f"{source}: {problem.code}")
        self.where, self.problem = where, problem


class _Reader:
    """Validates an answers document into cells (item, number, text as written) and :class:`Invalid` entries."""

    def __init__(self, space: AnswerSpace, source: str):
        self.space = space
        self.source = source
        self.seen = {}
        self.header = {}

    def fail(self, where, message):
        raise CellError(self.source, where, message)

    def read(self, doc) -> list:
        if not isinstance(doc, dict):
            raise AnswersError(f"{self.source}: expected a table/object at the top level, got {_kind(doc)}")
        cells = []
        for key, value in doc.items():
            if key == "format":
                if isinstance(value, _Num):
                    value = value.text
                if str(value) != "1":
                    raise AnswersError(f"{self.source}: format: expected 1 (the only answers format so far), "
                                       f"got {value!r}")
            elif key in ("title", "student", "id", "fingerprint"):
                if isinstance(value, _Num):
                    value = value.text
                if not isinstance(value, str):
                    raise AnswersError(f"{self.source}: {key}: expected a string, got {_kind(value)}")
                self.header[key] = value
            elif key in ("loss", "loss_after"):
                cells += self._guarded(key, key, key, lambda: [self.cell(self.space.loss_item(key), value, key)])
            elif key == "state" or key == "updated" and isinstance(value, dict) and any(
                    isinstance(v, dict) for v in value.values()):
                cells += self.training(key, value)
            elif key in _TABLES and isinstance(value, dict):
                for k, v in value.items():
                    cells += self._guarded(f"{key}.{k}", key, f"[{key}] {k}",
                                           lambda k=k, v=v: self.entry(key, str(k), v))
            elif key in _TABLES:
                cells.append(Invalid(key, key, problem("not_table", table=key, got=_kind_of(value))))
            else:
                cells.append(Invalid(key, "", problem("unknown_key", key=shown(key), hint=self.hint(None, key))))
        return cells

    def training(self, table, value) -> list:
        """``[state]`` (``[state.exp_avg]``, ``[state.step2.exp_avg]``) and ``[updated]`` with ``[updated.step2]``
        sub-tables: each sub-table's entries are read as ``[updated]``'s are, in its scope."""
        if not isinstance(value, dict):
            return [Invalid(table, table, problem("not_table", table=table, got=_kind_of(value)))]
        cells = []
        for k, v in value.items():
            scope = f"{table}.{k}"
            if table == "state" and re.fullmatch(r"step\d+", k):
                if not isinstance(v, dict):
                    cells.append(Invalid(scope, table, problem("not_table", table=scope, got=_kind_of(v))))
                    continue
                for name, inner in v.items():  # [state.step2.exp_avg]
                    cells += self.scoped(f"{scope}.{name}", inner)
            elif isinstance(v, dict) and split_scope(scope) is not None:
                cells += self.scoped(scope, v)
            elif table == "updated":
                cells += self._guarded(scope, table, f"[{table}] {k}", lambda k=k, v=v: self.entry(table, str(k), v))
            else:
                cells.append(Invalid(scope, table, problem("unknown_key", key=shown(k), hint=self.hint(scope, k))))
        return cells

    def scoped(self, scope, value) -> list:
        try:
            check_scope(self.space, scope)
        except KeyError as exc:
            return [Invalid(scope, scope.split(".")[0], problem("bad_scope", scope=shown(scope), why=str(exc.args[0])))]
        if not isinstance(value, dict):
            return [Invalid(scope, scope.split(".")[0], problem("not_table", table=scope, got=_kind_of(value)))]
        cells = []
        for k, v in value.items():
            cells += self._guarded(f"{scope}.{k}", scope.split(".")[0], f"[{scope}] {k}",
                                   lambda k=k, v=v: self.entry(scope, str(k), v))
        return cells

    @staticmethod
    def _guarded(key, section, where, read) -> list:
        try:
            return read()
        except CellError as exc:
            inner = exc.where[len(where):] if exc.where.startswith(where) else exc.where
            return [Invalid(key + inner, section, exc.problem)]

    def hint(self, section, key) -> Problem:
        """Where a misplaced key belongs, or the closest valid key."""
        if split_scope(section or "") is not None or (section or "").split(".")[0] == "state":
            close = closest(key, self.space.names("updated") + training_names(self.space, section.split(".")[0]))
            return problem("expected_updated", suggestion=repr(close) if close else None)
        if re.fullmatch(r"[Wb]\d+", key) and section not in ("gradients", "updated"):
            return problem("param_array", key=key)
        if re.fullmatch(r"[za]\d+", key) and section != "forward":
            return problem("node_array", key=key)
        for other in _TABLES:
            if other == section:
                continue
            try:
                self.space.resolve(f"{other}.{key}")
            except KeyError:
                continue
            if other in ("gradients", "updated"):
                return problem("param_name", key=key)
            return problem("belongs", key=key, table=other)
        choices = list(_TOP) if section is None else self.space.names(section)
        close = closest(key, choices)
        suggestion = repr(close) if close else None
        if section is None:
            return problem("expected_top", suggestion=suggestion, keys=", ".join(repr(k) for k in _TOP))
        return problem(f"expected_{section}", suggestion=suggestion)

    def entry(self, section, key, value) -> list:
        where = f"[{section}] {key}"
        sp = self.space
        k = answer_key(key)
        if k and not k.index and section != "factors":
            kind, n = k.kind, k.layer
            try:
                items = sp.array_items(section, kind, n)
            except KeyError:
                self.fail(where, problem("no_layer", layer=n, layers=sp.N, hint=self.hint(section, key))
                          if not 1 <= n <= sp.N else
                          problem("wrong_table", key=f"{kind}{n}", table=section, hint=self.hint(section, key)))
            dims = sp.array_dims(kind, n)
            if dims is not None:  # a conv kernel or a map: nested lists of its shape
                return read_tensor(self, items, value, where, *dims)
            rows, cols, what = sp.array_shape(kind, n)
            if not cols:  # a vector: b, gamma, beta (one per unit), mu, var (per unit or per sample)
                return self.vector(items, value, where, rows, what)
            return self.grid(items, value, where, rows, cols, what)
        try:
            items = sp.name_items(section, key)
        except KeyError as exc:
            if exc.args and exc.args[0] != key and str(exc.args[0]).startswith("∂"):  # a softmax unit's ∂out/∂in
                unit = str(exc.args[0])[1:].split("_out/", 1)[0]
                self.fail(where, problem("softmax_local", unit=unit))
            self.fail(where, problem("unknown_key", key=shown(key), hint=self.hint(section, key)))
        if len(items) == 1:
            if isinstance(value, list) and len(value) == 1:
                value = value[0]
            return [self.safe_cell(items[0], value, where)]
        if not isinstance(value, list) or len(value) != len(items):
            self.fail(where, problem("per_sample", n=len(items), got=_kind_of(value),
                                     length=len(value) if isinstance(value, list) else None))
        return [self.safe_cell(item, v, f"{where}[{s}]") for s, (item, v) in enumerate(zip(items, value))]

    def grid(self, items, value, where, rows, cols, what):
        if isinstance(value, list) and value and all(not isinstance(r, list) for r in value):
            if rows == 1 and len(value) == cols or cols == 1 and len(value) == rows:
                return [self.safe_cell(item, v, f"{where}[{i}]") for i, (item, v) in enumerate(zip(items, value))]
            self.fail(where, problem("flat_list", rows=rows, cols=cols, what=what, length=len(value)))
        if not isinstance(value, list) or not value:
            if rows == cols == 1 and not isinstance(value, (list, dict)):
                return [self.safe_cell(items[0], value, where)]
            self.fail(where, problem("matrix", rows=rows, cols=cols, what=what,
                                     got=_kind_of(value) if value != [] else problem("empty_list")))
        if not all(isinstance(r, list) for r in value):
            self.fail(where, problem("mixed_rows"))
        shape = (len(value), len(value[0]))
        for i, r in enumerate(value):
            if len(r) != shape[1]:
                self.fail(where, problem("ragged", row=i, length=len(r), first=shape[1]))
        if shape != (rows, cols):
            transposed = shape == (cols, rows) and rows != cols
            self.fail(where, problem("shape", rows=rows, cols=cols, what=what, got_rows=shape[0], got_cols=shape[1],
                                     transposed=what if transposed else None))
        return [self.safe_cell(items[i * cols + j], v, f"{where}[{i}][{j}]")
                for i, r in enumerate(value) for j, v in enumerate(r)]

    def vector(self, items, value, where, n, per="unit"):
        if not isinstance(value, list):
            if n == 1:
                return [self.safe_cell(items[0], value, where)]
            self.fail(where, problem("vector", n=n, per=per, got=_kind_of(value)))
        if any(isinstance(v, list) for v in value):
            self.fail(where, problem("nested", n=n, per=per))
        if len(value) != n:
            self.fail(where, problem("vector_length", n=n, per=per, length=len(value)))
        return [self.safe_cell(item, v, f"{where}[{i}]") for i, (item, v) in enumerate(zip(items, value))]

    def safe_cell(self, item, value, where):
        """A cell, or an :class:`Invalid` for it when it cannot be read (the rest of the entry is still graded)."""
        try:
            return self.cell(item, value, where)
        except CellError as exc:
            return Invalid(item.key, item.section, exc.problem)

    def cell(self, item, value, where):
        if item.key in self.seen:
            self.fail(where, problem("twice", name=item.name, key=item.key, first=self.seen[item.key]))
        self.seen[item.key] = where
        if isinstance(value, (list, dict)):
            self.fail(where, problem("one_number", got=_kind_of(value)))
        try:
            text = _written(value)
        except TypeError as exc:
            self.fail(where, problem("not_number", got=exc.args[0]))
        if text is None:
            return item, None, None
        if len(text) > MAX_WRITTEN:
            self.fail(where, problem("too_long", length=len(text), most=MAX_WRITTEN))
        if "," in text and "." not in text and is_decimal(text.replace(",", ".")):
            self.fail(where, problem("decimal_comma", fixed=text.replace(",", "."), text=text))
        if not is_decimal(text):
            if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
                self.fail(where, problem("not_finite", text=text))
            self.fail(where, problem("not_number", got=_kind_of(value)))
        number = float(text)
        if not math.isfinite(number) or abs(number) > MAX_ANSWER:
            self.fail(where, problem("out_of_range", text=text, most=f"{MAX_ANSWER:g}"))
        return item, number, text
