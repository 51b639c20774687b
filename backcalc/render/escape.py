"""One escaping function per output format: every user string (a title, a file name, a label) goes through
the one for the format it is written into.

>>> dot('a\\\\"; inj [label=X]; //')
'"a\\\\\\\\\\\\"; inj [label=X]; //"'
>>> html('<img src=x onerror=alert(1)>')
'&lt;img src=x onerror=alert(1)&gt;'
>>> latex('50% of x_1 → {y}')
'50\\\\% of x\\\\_1 $\\\\rightarrow$ \\\\{y\\\\}'
>>> terminal('title\\x1b]0;pwned\\x07')
'title\\\\u001b]0;pwned\\\\u0007'
"""

from __future__ import annotations

import html as _html
import re


def dot(text: str) -> str:
    """A quoted Graphviz string: backslash, quote and line breaks escaped (``\\n`` becomes DOT's own)."""
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")
    return f'"{body}"'


def html(text: str) -> str:
    """Text for HTML (and Markdown, which passes HTML through): ``& < > " '`` as entities."""
    return _html.escape(text, quote=True)


def markdown(text: str) -> str:
    """Inline text for Markdown: HTML-escaped, one line, table pipes escaped."""
    return html(" ".join(text.split("\n"))).replace("|", "\\|")


_UNICODE = {"→": r"$\rightarrow$", "×": r"$\times$", "·": r"$\cdot$", "σ": r"$\sigma$", "∂": r"$\partial$",
            "−": "-", "½": r"$\frac{1}{2}$", "Σ": r"$\Sigma$", "δ": r"$\delta$", "²": r"$^2$", "–": "--", "—": "---",
            "…": r"\dots{}", "′": "'", "ᵀ": r"$^{\mathsf T}$", "⊙": r"$\odot$", "‖": r"$\|$", "₂": r"$_2$", "√": r"$\surd$",
            "≤": r"$\le$", "λ": r"$\lambda$", "α": r"$\alpha$", "μ": r"$\mu$", "ε": r"$\varepsilon$"}
_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
            "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "|": r"$|$"}


def latex(text: str) -> str:
    """Plain text for LaTeX: specials escaped, the common symbols mapped, any other non-ASCII as ``?``."""
    out = []
    for ch in text:
        if ch in _SPECIAL:
            out.append(_SPECIAL[ch])
        elif ch in _UNICODE:
            out.append(_UNICODE[ch])
        elif " " <= ch < "\x7f":
            out.append(ch)
        elif ch.isspace():  # a line break would end a paragraph inside a heading: one space instead
            out.append(" ")
        else:
            out.append("?")
    return "".join(out)


# C0 and C1 controls but tab and line feed, DEL, and the invisible format characters (bidi overrides and
# isolates, zero-width marks, BOM) that can make a terminal or an editor show something else than is there
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u200b\u200c\u200e\u200f\u202a-\u202e"
                     "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")


def terminal(text: str) -> str:
    """Output bound for a terminal: every control or invisible format character (ESC, CSI, bidi overrides)
    written as a visible ``\\uXXXX`` escape, so nothing reaches the terminal raw. Valid inside JSON strings."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
