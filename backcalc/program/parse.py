"""`backcalc grad` programs: the whitelist parser (program text → backcalc's own node tree).

A program is one expression (``x*sin(x**2) + 1``) or statements separated by ``;`` or newlines
(``c = a + b; d = a*b + b**3; c += c + 1; e = c - d``). Python's :mod:`ast` only splits the text into a
tree; :func:`parse` then walks that tree and accepts nothing but

* statements ``NAME = expr`` and ``NAME += expr`` (also ``-=``, ``*=``, ``/=``); a bare expression only last;
* numbers, names, ``+ - * / **``, unary ``-`` and ``+``;
* calls of ``exp log sqrt abs sin cos tan tanh sigmoid relu`` (one argument) and ``max min`` (two);
* the constants ``pi`` and ``e`` (a name read before it is assigned; ``e = ...`` makes ``e`` a variable).

Everything else is an :class:`~backcalc.errors.ExpressionError` naming ``line:column``. The result is
backcalc's own node tree (frozen dataclasses); nothing is ever evaluated as Python — no ``eval``, ``exec``,
``compile`` or sympify. A name read before any assignment is an input. Running a program — on the tape,
then against sympy — is :mod:`backcalc.program.run`.

Limits (every one checked before the work it protects, so a bad program fails in milliseconds):

==========================  =======  ==================================================================
``MAX_CHARS``                10 000  characters of program text (checked before ``ast.parse``)
``MAX_NODES``                 2 000  syntax-tree nodes
``MAX_DEPTH``                   200  nesting depth of the syntax tree
``MAX_STATEMENTS``              200  statements
``MAX_LITERAL_CHARS``            40  characters of one numeric literal (checked on the source text)
``MAX_LITERAL``              10**15  magnitude of a numeric literal (integers stay exact as floats)
``MAX_EXPANDED_OPS``            250  operations of a value once every name is replaced by its definition
``MAX_EXPANDED_DEPTH``           40  nesting depth of that expansion (a chain of sums or products is one level)
==========================  =======  ==================================================================

The last two bound the symbolic check: sympy works on the expanded expression, and its differentiation,
printing and evaluation grow with the expanded size (quadratically for long products) and recurse with
its depth.

>>> p = parse("x*sin(x**2) + 1")
>>> p.inputs, p.output
(('x',), 'f')
"""

from __future__ import annotations

import ast
import math
import re
import warnings
from ..errors import ExpressionError
from .nodes import Binary, Call, Const, Name, Num, Pos, Program, Statement, Unary  # noqa: F401 (public here too)

FUNCTIONS = {"exp": 1, "log": 1, "sqrt": 1, "abs": 1, "sin": 1, "cos": 1, "tan": 1, "tanh": 1,
             "sigmoid": 1, "relu": 1, "max": 2, "min": 2}
CONSTANTS = {"pi": math.pi, "e": math.e}

MAX_CHARS = 10_000
MAX_NODES = 2_000
MAX_DEPTH = 200
MAX_STATEMENTS = 200
MAX_LITERAL_CHARS = 40
MAX_LITERAL = 1e15
MAX_EXPANDED_OPS = 250
MAX_EXPANDED_DEPTH = 40
MAX_NAME = 32

ALLOWED = ("allowed: numbers, names, + - * / **, unary -, the functions exp log sqrt abs sin cos tan tanh "
           "sigmoid relu max min, the constants pi e, and statements NAME = ... or NAME += ... (-= *= /=) "
           "separated by ';' or newlines")

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_AUGOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_OTHER_OPS = {ast.MatMult: "@", ast.FloorDiv: "//", ast.Mod: "%", ast.LShift: "<<", ast.RShift: ">>",
              ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&", ast.Pow: "**", ast.Not: "not", ast.Invert: "~"}
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


# ─────────────────────────────────────────── parsing ───────────────────────────────────────────

def parse(source: str) -> Program:
    """Parse a program with the whitelist; raise :class:`ExpressionError` naming line:column otherwise.

    >>> p = parse("c = a + b; c += 1")
    >>> p.inputs, p.output
    (('a', 'b'), 'c')
    """
    if not isinstance(source, str):
        raise ExpressionError(f"a program is text, got {type(source).__name__}")
    if len(source) > MAX_CHARS:
        raise ExpressionError(f"the program has {len(source):,} characters; the limit is {MAX_CHARS:,}")
    bad = next((i for i, ch in enumerate(source) if not ch.isprintable() and ch not in "\n\t\r"), None)
    if bad is not None:  # a control character (an escape sequence, NUL) or an invisible format character
        line = source.count("\n", 0, bad) + 1
        col = bad - (source.rfind("\n", 0, bad) + 1) + 1
        what = "a NUL character" if source[bad] == "\0" else f"the character {source[bad]!r}"
        raise ExpressionError(f"{line}:{col}: {what} is not allowed in a program "
                              "(printable text, tabs and line breaks only)")
    long_number = re.search(r"\d[\d_]{%d,}" % MAX_LITERAL_CHARS, source)
    if long_number:  # before ast.parse, which would convert it to an int
        line = source.count("\n", 0, long_number.start()) + 1
        col = long_number.start() - (source.rfind("\n", 0, long_number.start()) + 1) + 1
        raise ExpressionError(f"{line}:{col}: a number of more than {MAX_LITERAL_CHARS} digits; "
                              f"numbers may have at most {MAX_LITERAL_CHARS} characters")
    try:
        with warnings.catch_warnings():  # a SyntaxWarning ("invalid decimal literal") is ours to word, not to print
            warnings.simplefilter("ignore")
            tree = ast.parse(source, mode="exec")
    except SyntaxError as exc:
        where = f"{exc.lineno}:{exc.offset}: " if exc.lineno else ""
        raise ExpressionError(f"{where}invalid syntax ({exc.msg}); {ALLOWED}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError(f"the program is nested too deeply to parse (limit: depth {MAX_DEPTH})") from None
    except (ValueError, OverflowError) as exc:
        raise ExpressionError(f"cannot parse the program: {exc}") from None
    _check_size(tree)
    return _Parser(source).program(tree)


def _pos(node) -> Pos:
    line = getattr(node, "lineno", 1) or 1
    col = (getattr(node, "col_offset", 0) or 0) + 1
    return Pos(line, col, getattr(node, "end_lineno", None) or line, (getattr(node, "end_col_offset", None) or col - 1) + 1)


def _check_size(tree) -> None:
    """Count nodes and measure depth iteratively, before any recursive walk."""
    stack = [(tree, 0)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ExpressionError(f"{_pos(node)}: the program has more than {MAX_NODES:,} syntax nodes "
                                  f"(the limit)")
        if depth > MAX_DEPTH:
            raise ExpressionError(f"{_pos(node)}: the program is nested more than {MAX_DEPTH} levels deep "
                                  f"(the limit)")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _refusal(node) -> str:
    """What a refused syntax node is, in words."""
    kinds = {
        ast.Attribute: "attribute access (a.b)", ast.Subscript: "subscripts (a[i])", ast.Lambda: "lambda",
        ast.ListComp: "comprehensions", ast.SetComp: "comprehensions", ast.DictComp: "comprehensions",
        ast.GeneratorExp: "comprehensions", ast.Import: "import", ast.ImportFrom: "import",
        ast.JoinedStr: "f-strings", ast.FormattedValue: "f-strings", ast.NamedExpr: "the walrus operator :=",
        ast.Starred: "starred arguments (*a)", ast.Compare: "comparisons", ast.BoolOp: "and / or",
        ast.IfExp: "conditional expressions (a if c else b)", ast.List: "lists", ast.Tuple: "tuples",
        ast.Set: "sets", ast.Dict: "dicts", ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield",
        ast.FunctionDef: "function definitions", ast.AsyncFunctionDef: "function definitions",
        ast.ClassDef: "class definitions", ast.AnnAssign: "annotated assignment", ast.Slice: "slices",
    }
    for cls, text in kinds.items():
        if isinstance(node, cls):
            return text
    if isinstance(node, ast.Constant):
        return f"{type(node.value).__name__} constants ({node.value!r:.20})"
    if isinstance(node, ast.stmt):
        return f"'{type(node).__name__.lower()}' statements"
    return type(node).__name__


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.assigned = set()
        self.inputs = {}
        # per name: (operations, depth) of its current definition with every name expanded
        self.expanded = {}

    def fail(self, node, message: str):
        raise ExpressionError(f"{_pos(node)}: {message}")

    def refuse(self, node, what: str | None = None):
        self.fail(node, f"not allowed: {what or _refusal(node)}; {ALLOWED}")

    # ── statements ──
    def program(self, tree) -> Program:
        body = tree.body
        if not body:
            raise ExpressionError("the program is empty; write an expression such as x*sin(x**2) + 1")
        if len(body) > MAX_STATEMENTS:
            self.fail(body[MAX_STATEMENTS], f"more than {MAX_STATEMENTS} statements (the limit)")
        statements = []
        for i, node in enumerate(body):
            statements.append(self.statement(node, last=i == len(body) - 1))
        if statements[-1].implicit:
            name = next(n for n in ("f", "out", "result", "output_") if n not in self.inputs and n not in self.assigned)
            statements[-1] = Statement(name, statements[-1].expr, statements[-1].pos, implicit=True)
        return Program(self.source, tuple(statements), tuple(self.inputs), statements[-1].target)

    def statement(self, node, last: bool) -> Statement:
        if isinstance(node, ast.Expr):
            if not last:
                self.fail(node, "a bare expression is allowed only as the last statement "
                                "(assign it to a name to keep it: y = ...)")
            expr = self.expr(node.value)
            self.check_expanded(node, expr)
            return Statement("", expr, _pos(node), implicit=True)
        if isinstance(node, ast.Assign):
            if len(node.targets) != 1:
                self.refuse(node, "chained assignment (a = b = ...)")
            target = self.target(node.targets[0])
            expr = self.expr(node.value)
        elif isinstance(node, ast.AugAssign):
            op = _AUGOPS.get(type(node.op))
            if op is None:
                sym = _OTHER_OPS.get(type(node.op), type(node.op).__name__)
                self.refuse(node, f"the augmented assignment {sym}=")
            target_node = node.target
            target = self.target(target_node)
            left = self.name(ast.Name(id=target, ctx=ast.Load(), lineno=target_node.lineno,
                                      col_offset=target_node.col_offset, end_lineno=target_node.end_lineno,
                                      end_col_offset=target_node.end_col_offset))
            expr = Binary(op, left, self.expr(node.value), _pos(node))
        else:
            self.refuse(node)
        self.expanded[target] = self.check_expanded(node, expr)
        self.assigned.add(target)
        return Statement(target, expr, _pos(node))

    def target(self, node) -> str:
        if not isinstance(node, ast.Name):
            self.refuse(node, "assigning to " + ("several names at once" if isinstance(node, (ast.Tuple, ast.List))
                                                  else _refusal(node)))
        name = self.identifier(node)
        if name in FUNCTIONS:
            self.fail(node, f"'{name}' is a function name and cannot be assigned; choose another name")
        return name

    def identifier(self, node) -> str:
        name = node.id
        if name.startswith("_"):
            self.refuse(node, f"the name {name!r} (names starting with '_')")
        if not _IDENT.fullmatch(name):
            self.refuse(node, f"the name {name!r} (names are ASCII letters, digits and '_')")
        if len(name) > MAX_NAME:
            self.fail(node, f"the name {name[:20]}… is longer than {MAX_NAME} characters")
        return name

    # ── expressions ──
    def expr(self, node):
        if isinstance(node, ast.BinOp):
            op = _BINOPS.get(type(node.op))
            if op is None:
                self.refuse(node, f"the operator {_OTHER_OPS.get(type(node.op), type(node.op).__name__)}")
            return Binary(op, self.expr(node.left), self.expr(node.right), _pos(node))
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return Unary("-", self.expr(node.operand), _pos(node))
            if isinstance(node.op, ast.UAdd):
                return Unary("+", self.expr(node.operand), _pos(node))
            self.refuse(node, f"the operator {_OTHER_OPS.get(type(node.op), type(node.op).__name__)}")
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.Constant):
            return self.number(node)
        self.refuse(node)

    def call(self, node) -> Call:
        if not isinstance(node.func, ast.Name):
            self.refuse(node.func, "calling anything but the listed functions (" + _refusal(node.func) + ")")
        fn = node.func.id
        if fn not in FUNCTIONS:
            hint = "" if fn.startswith("_") else f" {fn!r} is not one of them"
            self.fail(node, f"unknown function {fn!r}; the functions are {' '.join(FUNCTIONS)}.{hint}"[:200])
        if node.keywords:
            self.refuse(node.keywords[0] if hasattr(node.keywords[0], "lineno") else node, "keyword arguments")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                self.refuse(arg)
        if len(node.args) != FUNCTIONS[fn]:
            n = FUNCTIONS[fn]
            self.fail(node, f"{fn}() takes {n} argument{'s' if n > 1 else ''}, got {len(node.args)}")
        return Call(fn, tuple(self.expr(a) for a in node.args), _pos(node))

    def name(self, node):
        name = self.identifier(node)
        if name in self.assigned:
            return Name(name, _pos(node))
        if name in CONSTANTS:
            return Const(name, _pos(node))
        if name in FUNCTIONS:
            self.fail(node, f"{name!r} is a function: call it, {name}(...)")
        self.inputs.setdefault(name, None)
        return Name(name, _pos(node))

    def number(self, node) -> Num:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.refuse(node)
        text = ast.get_source_segment(self.source, node) or ""
        if len(text) > MAX_LITERAL_CHARS:
            self.fail(node, f"a number literal of {len(text):,} characters; the limit is {MAX_LITERAL_CHARS}")
        v = float(value)
        if not math.isfinite(v) or abs(v) > MAX_LITERAL:
            self.fail(node, f"the number {text} is larger than {MAX_LITERAL:g} (the limit for literals)")
        return Num(v, _pos(node))

    # ── bounds of the symbolic check ──
    def check_expanded(self, node, expr) -> tuple[int, int, str]:
        ops, depth, kind = self._expanded(expr)
        if ops > MAX_EXPANDED_OPS:
            self.fail(node, f"this value has {ops:,} operations once its names are replaced by their definitions; "
                            f"the limit is {MAX_EXPANDED_OPS} (it keeps the symbolic check fast)")
        if depth > MAX_EXPANDED_DEPTH:
            self.fail(node, f"this value is nested {depth} levels deep once its names are replaced by their "
                            f"definitions; the limit is {MAX_EXPANDED_DEPTH}")
        return ops, depth, kind

    def _expanded(self, expr) -> tuple[int, int, str]:
        """(operations, depth, kind) of ``expr`` with names expanded. The depth counts changes of kind
        only, as sympy flattens a chain of sums or of products into one node."""
        if isinstance(expr, Name):
            return self.expanded.get(expr.name, (0, 0, ""))
        if isinstance(expr, (Num, Const)):
            return 0, 0, ""
        if isinstance(expr, Unary):
            children, kind = (expr.operand,), "*"
        elif isinstance(expr, Binary):
            children, kind = (expr.left, expr.right), {"+": "+", "-": "+", "*": "*", "/": "*"}.get(expr.op, "**")
        else:
            children, kind = expr.args, expr.fn
        sizes = [self._expanded(c) for c in children]
        depth = max(d + (k != kind or kind in ("**",) or kind in FUNCTIONS) for _, d, k in sizes)
        return 1 + sum(s for s, _, _ in sizes), depth, kind


def parse_point(text: str | None) -> dict[str, float]:
    """``"a=1, b=-2.5"`` → ``{"a": 1.0, "b": -2.5}``; values are plain decimal numbers.

    >>> parse_point("x=2.65")
    {'x': 2.65}
    """
    point = {}
    if not text or not text.strip():
        return point
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name:
            raise ExpressionError(f"--at: expected NAME=VALUE, got {item[:40]!r}")
        if not _IDENT.fullmatch(name):
            raise ExpressionError(f"--at: {name[:40]!r} is not a name (letters, digits and '_', starting with a letter)")
        if len(value) > MAX_LITERAL_CHARS:
            raise ExpressionError(f"--at {name}: a number is written with at most {MAX_LITERAL_CHARS} characters, "
                                  f"this one has {len(value)} ({value[:24]!r}…)")
        try:
            v = float(value)
        except ValueError:
            raise ExpressionError(f"--at {name}: expected a number, got {value[:40]!r}") from None
        if not math.isfinite(v):
            raise ExpressionError(f"--at {name}: expected a finite number, got {value[:40]!r}")
        if name in point:
            raise ExpressionError(f"--at: {name} is given twice")
        point[name] = v
    return point
