"""Text-page formulas into LaTeX math, and long equations broken to fit the page.

The text renderer and the rule/loss tables write each formula once, in plain Unicode
(``∂L/∂k1_out = ½·(o_out − y_o)²``); this module turns such a string into LaTeX math without
knowing what it says, so the LaTeX page can never disagree with the text page.

>>> to_tex("∂L/∂k1_out = (-0.5)·1")
'\\\\frac{\\\\partial L}{\\\\partial k1_{\\\\text{out}}} = (-0.5) \\\\cdot 1'
"""

from __future__ import annotations

import re

from ..tape.rules import RULES
from .format import num, tex_name
from .labels import PIECEWISE

_CALL = re.compile(r"([a-z_]+)\(\)")
_COMMAND = re.compile(r"((?:\\[A-Za-z]+(?:\{[A-Za-z]+\})?)+)(?:\(\))?")


def _function_names() -> dict:
    """How each function's name is set in LaTeX: from the rule table where a rule is written as a call
    (``elu(a)`` ↔ ``\\operatorname{ELU}(a)``, ``ln(a)`` ↔ ``\\ln a``), and the words no rule writes as a call."""
    names = {"max": r"\max", "min": r"\min", "log": r"\log", "exp": r"\exp", "mean": r"\operatorname{mean}",
             "relu": r"\operatorname{relu}", "linear": r"\operatorname{linear}",
             "argmax": r"\operatorname{argmax}"}
    for rule in RULES.values():
        call, command = _CALL.fullmatch(rule.expression(a="")), _COMMAND.fullmatch(rule.expression(latex=True, a="").strip())
        if call and command:
            names[call.group(1)] = command.group(1)
    return names


_FUNCTIONS = _function_names()
# the table's piecewise forms (``1 if z > 0 else 0.01``, in every language): upright words
_KEYWORDS = {word: rf"\text{{ {word} }}" for words in PIECEWISE.values() for word in words}
_SYMBOLS = {"·": r" \cdot ", "−": "-", "×": r" \times ", "½": r"\tfrac{1}{2}", "²": "^2", "σ": r"\sigma ",
            "Σ": r"\sum ", "δ": r"\delta ", "′": "'", "…": r"\dots ", "≤": r"\le ", "≥": r"\ge ", "≠": r"\ne ",
            "α": r"\alpha ", "∂": r"\partial ", "⊙": r"\odot ", "λ": r"\lambda ", "→": r"\to ", "ᵀ": r"^{\mathsf T}", "√": r"\sqrt ", "‖": r"\| ", "₂": "_2",
            "<": "<", ">": ">", "=": " = ", "+": " + ", "-": "-", "/": "/", ",": ", ", "(": "(", ")": ")",
            "[": "[", "]": "]", "|": "|", " ": " ", "!": "!", ":": ":", ";": ";", "'": "'", ".": "."}
_TEXT_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                 "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}

_PARTIAL = re.compile(r"∂(\w+)/∂([A-Za-z0-9]+_\([^()]*\)|\w+)")  # ∂L/∂z_(t+1): a bracketed subscript too
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*")
_WORDS = re.compile(r"[A-Za-z]{2,}(?: +[A-Za-z]{2,})*")  # a run of plain words: set as text


def text_escape(text: str) -> str:
    """A user or label string inside ``\\text{…}``: LaTeX specials escaped, other non-ASCII as ``?``."""
    return "".join(_TEXT_SPECIAL.get(ch, ch if ord(ch) < 128 else "?") for ch in text)


def number(text: str) -> str:
    """``1.2e-05`` → ``1.2\\times 10^{-5}``; other numbers unchanged."""
    if "e" in text:
        mant, exp = text.split("e")
        return f"{mant}\\times 10^{{{int(exp)}}}"
    return text


# the normalisation statistics' ASCII names (mu_n1, var_n1, xhat_n1, …) set as the symbols they stand for
_GREEK = {"mu": r"\mu", "sigma": r"\sigma", "var": r"\sigma^2", "xhat": r"\hat{x}", "gamma": r"\gamma",
          "beta": r"\beta", "eps": r"\varepsilon"}


def _name(word: str) -> str:
    if word in _KEYWORDS:
        return _KEYWORDS[word]
    if word in _FUNCTIONS:
        return _FUNCTIONS[word]
    if word in _GREEK:
        return _GREEK[word]
    if "_" in word:
        head, tail = word.split("_", 1)
        if head in _GREEK and tail not in ("in", "out"):
            return f"{_GREEK[head]}_{{{tail.replace('_', ',')}}}"
        return tex_name(f"{head}_{tail}") if tail in ("in", "out") or "_" not in tail else \
            f"{head}_{{{_name(tail)}}}"
    return word


def _partial(m) -> str:
    """∂a/∂b as a fraction; a bracketed subscript (∂L/∂z_(t+1)) set as one."""
    den = m.group(2)
    if "_(" in den:
        head, sub = den.split("_(", 1)
        den = f"{_name(head)}_{{{to_tex(sub[:-1])}}}"
    else:
        den = _name(den)
    return rf"\frac{{\partial {_name(m.group(1))}}}{{\partial {den}}}"


def to_tex(text: str) -> str:
    """One formula of the text page as LaTeX math (names subscripted, ∂a/∂b as fractions, e^(x) as e^{x})."""
    out = []
    closers = []  # for each open "(": the text that closes it ("}" after "^(", else ")")
    i = 0
    while i < len(text):
        ch = text[i]
        m = _PARTIAL.match(text, i)
        if m:
            out.append(_partial(m))
            i = m.end()
            continue
        if ch in "0123456789":
            m = _NUMBER.match(text, i)
            out.append(number(m.group()))
            i = m.end()
            continue
        if ch.isalpha() and ch.isascii():
            words = _WORDS.match(text, i)
            name = _NAME.match(text, i)
            if words and " " in words.group() and not any(w in _FUNCTIONS for w in words.group().split()):
                lead = " " if i and text[i - 1] == " " else ""  # math mode drops the space before the words
                out.append(rf"\text{{{lead}{text_escape(words.group())}}}")
                i = words.end()
                continue
            out.append(_name(name.group()) + (" " if name.group() in _FUNCTIONS else ""))
            i = name.end()
            continue
        if ch == "^" and text[i + 1:i + 2] == "(":
            out.append("^{")
            closers.append("}")
            i += 2
            continue
        if ch == "_" and text[i + 1:i + 2] == "(":  # h_(t−1), Σ_(i: …): the bracket is the subscript
            out.append("_{")
            closers.append("}")
            i += 2
            continue
        if ch == "√" and text[i + 1:i + 2] == "(":  # √(var + eps): the radical over the whole bracket
            out.append(r"\sqrt{")
            closers.append("}")
            i += 2
            continue
        if ch == "(":
            closers.append(")")
        if ch == ")":
            out.append(closers.pop() if closers else ")")
            i += 1
            continue
        if ch == "_" and text[i + 1:i + 2].isalnum():  # Σ_j, δ_ij, δ_k1: the whole run is the subscript
            run = re.match(r"[A-Za-z0-9]+", text[i + 1:]).group()
            out.append(f"_{{{run}}}")
            i += 1 + len(run)
            continue
        else:
            out.append(_SYMBOLS.get(ch, rf"\text{{{text_escape(ch)}}}"))
        i += 1
    joined = re.sub(r" {2,}", " ", "".join(out)).strip()
    return re.sub(r"(\\[A-Za-z]+) (?=[(\[{^_])", r"\1", joined)


def top_level_split(text: str, sep: str) -> list:
    """``text`` split at ``sep`` outside any brackets."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0 and text.startswith(sep, i):
            parts.append(text[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return parts


def _visible(text: str) -> int:
    """A rough width of a text formula once typeset (a fraction ∂a/∂b is about as wide as its longer part)."""
    return len(_PARTIAL.sub(lambda m: "x" * max(len(m.group(1)), len(m.group(2))), text))


def pmatrix(rows, digits: int = 5) -> str:
    r"""A matrix of numbers as a ``pmatrix``, each number as :func:`number` writes it.

    >>> print(pmatrix([[1.0, -0.5], [0.25, 2.0]]))
    \begin{pmatrix} 1 & -0.5 \\ 0.25 & 2 \end{pmatrix}
    """
    body = r" \\ ".join(" & ".join(number(num(v, digits)) for v in row) for row in rows)
    return rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"


def equation_rows(lhs: str, sides, width: int = 46, tag: str = "") -> list:
    """Rows of an ``align*`` for ``lhs = sides[0] = sides[1] = …``, each side broken at its top-level
    ``+`` so that no row is wider than about ``width`` characters of the text formula."""
    lines = []  # (text of the row, starts with "=")
    sides = [s for k, s in enumerate(sides) if k == 0 or s != sides[k - 1]]
    for side in sides:
        chunks, line = [], []
        for term in top_level_split(side, " + "):
            if line and _visible(" + ".join(line + [term])) > width:
                chunks.append(" + ".join(line) + " +")
                line = []
            line.append(term)
        chunks.append(" + ".join(line))
        for k, chunk in enumerate(chunks):
            if k == 0 and lines and not lines[-1][0].endswith("+") and \
                    _visible(lines[-1][0] + " = " + chunk) + (_visible(lhs) if len(lines) == 1 else 0) <= width:
                lines[-1] = (lines[-1][0] + " = " + chunk, lines[-1][1])
            else:
                lines.append((chunk, k == 0))
    rows = []
    for n, (chunk, equals) in enumerate(lines):
        body = to_tex(chunk[:-2]) + " +" if chunk.endswith(" +") else to_tex(chunk)
        rel = "= " if equals else "\\phantom{=} "
        rows.append(f"{to_tex(lhs) if n == 0 else ''} &{rel}{body}")
    if tag and rows:
        rows[0] += rf" \tag*{{{text_escape(tag)}}}"
    return rows
