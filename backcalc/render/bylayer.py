"""`explain --order layer`: the backward pass as the seed notes work it, one layer at a time — the output
layer's gradients, that layer's update, then the layer before it — instead of the whole backward pass first.

The rows are the text page's own (:mod:`backcalc.render.text`, :mod:`backcalc.render.focus`), regrouped.

>>> from backcalc import explain
>>> "Layer 3 (o, linear): gradients, then the update" in render(explain())
True
"""

from __future__ import annotations

import dataclasses

from . import focus, text
from .format import num
from .labels import labels, localize
from .training import update_lines
from .working import matrix_lines, symbolic_lines


def render(d, digits: int = 5, lang: str = "en", full: bool = False, fmt: str = "text") -> str:
    body = localize("\n".join(lines(d, digits, lang, full)) + "\n", lang)
    return body if fmt == "text" else "```\n" + body + "```\n"


def lines(d, digits=5, lang="en", full=False):
    L = labels(lang)
    page = text.lines(d, digits, lang, full)
    if not d.shows_detail(full):
        return page  # the summary page has no per-unit rows to regroup
    head = page[:page.index(L["backward"])]
    heading = L["backward"] + " · " + order_heading(d, L)
    out = head + [heading, "-" * len(heading), ""] + symbolic_lines(d, lang)
    plain = d.plain_sgd  # another optimizer's tables (its state per step) follow the whole pass
    for layer in reversed(d.spec.layers):
        n = layer.index
        title = layer_title(layer, L, plain)
        out += ["", title, "~" * len(title)]
        out += ["  " + focus.upstream_line(u, digits) + _tag(d, u.sample, L) for u in d.upstream if u.layer == n]
        norms = text.time_norm_lines(d, digits, L, text.layer_title, only=n)  # a recurrent layer: ‖∂L/∂h_t‖ over t
        out += norms + [""] if norms else []
        out += ["  " + focus.delta_line(x, digits) + _tag(d, x.sample, L) for x in d.deltas if x.layer == n]
        part = dataclasses.replace(d, terms=tuple(t for t in d.terms if t.layer == n),
                                   updates=tuple(u for u in d.updates if _layer_of(d, u.name) == n))
        if part.terms:  # a pool or flatten layer has no parameters: no chain rule, no update
            out += ["", "  " + L["terms"]] + text._terms(part, digits, L)
        if plain and part.terms:
            out += ["", "  " + L["update"].format(lr=num(d.spec.learning_rate, digits))]
            out += text._updates(part, digits, L, True)
        matrices = matrix_lines(d, digits, lang, layer=n)
        out += ["", "  " + matrices[0]] + ["  " + line for line in matrices[2:]] if matrices else []
    data = data_part(d)
    if data is not None:
        title = data_title(d, L)
        out += ["", title, "~" * len(title)]
        out += ["  " + focus.upstream_line(u, digits) + _tag(d, u.sample, L) for u in data.upstream]
    if not plain:  # an optimizer's tables (its state per step) follow the whole pass, as on the text page
        first = next(line for line in update_lines(d, digits, L, True) if line)
        return out + page[page.index(first) - 1:]
    tail = page[page.index(next(line for line in page if line.startswith(L["update"].split(":")[0]))):]
    after = tail[next(i for i, line in enumerate(tail) if line == ""):]
    return out + after


def layer_parts(d):
    """``(layer, part)`` for every layer, the output layer first: ``part`` is ``d`` with only that layer's
    ∂L/∂out, δ, chain-rule and update records (the LaTeX and HTML pages regroup their own rows with it)."""
    for layer in reversed(d.spec.layers):
        n = layer.index
        yield layer, dataclasses.replace(
            d, upstream=tuple(u for u in d.upstream if u.layer == n), deltas=tuple(x for x in d.deltas if x.layer == n),
            terms=tuple(t for t in d.terms if t.layer == n),
            updates=tuple(u for u in d.updates if _layer_of(d, u.name) == n))


def data_part(d):
    """``d`` with only the ∂L/∂x rows of the data (a first conv, pool or rnn layer's sums over paths), shown after
    layer 1's part, which holds the δ's they sum; None when the page has none (a first dense layer)."""
    rows = tuple(u for u in d.upstream if u.layer == 0)
    return dataclasses.replace(d, upstream=rows, deltas=(), terms=(), updates=()) if rows else None


def order_heading(d, L) -> str:
    """What the order is: each layer's update right after its gradients, or (an optimizer) after the whole pass."""
    return L["order_layer"] if d.plain_sgd else L["order_layer_later"]


def layer_title(layer, L, plain: bool = True) -> str:
    """``Layer 1 (c, relu): gradients, then the update``; a layer without an activation names its kind, one
    without parameters has no update (``Layer 2 (p, maxpool2d): gradients (no parameters)``), and under an
    optimizer other than plain SGD the update follows the whole pass (``…: gradients (its update follows the
    whole pass)``)."""
    key = "layer_gradients" if not layer.n_parameters else "layer_backward" if plain else "layer_gradients_later"
    return L[key].format(n=layer.index, name=layer.name, activation=getattr(layer, "shown_as", layer.activation))


def data_title(d, L) -> str:
    """``The data x: ∂L/∂x (the data is given: nothing to update)``."""
    return L["data_backward"].format(name=d.spec.input_name)


def _layer_of(d, name):
    return next(t.layer for t in d.terms if t.name == name)


def _tag(d, sample, L):
    return f"  [{L['sample'].format(s=sample)}]" if d.spec.samples > 1 else ""
