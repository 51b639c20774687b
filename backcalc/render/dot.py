"""Graphviz DOT: the net drawn as CS231n draws circuits — layers as ranks left to right, units in order, each
unit's forward values above a line (green) and its gradients below (red), each weight on its edge with its
value and ∂L/∂w, each bias in its unit; a net past the size limit is one node per layer with summary numbers.
``--format svg`` and ``--format png`` pass the DOT through Graphviz's ``dot`` (:func:`to_image`).

>>> from backcalc import explain
>>> render(explain()).startswith("digraph backcalc {")
True
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np

from ..errors import BackcalcError
from ..net.names import parse_key
from . import escape
from .circuit import circuit
from .format import num
from .labels import counted, labels
from .training import settings_text

GREEN = "#1a7f37"   # forward values (CS231n's green)
RED = "#cf222e"     # gradients (CS231n's red)
IMAGE_FORMATS = ("svg", "png")


def _q(s: str) -> str:
    """A DOT identifier or string, quoted."""
    return escape.dot(s)


def _h(s) -> str:
    """Text inside an HTML-like label."""
    return escape.html(str(s))


def _font(color: str, text: str) -> str:
    return f'<FONT COLOR="{color}">{_h(text)}</FONT>'


def _table(title: str, values: list, grads: list, extra: list = ()) -> str:
    rows = [f"<TR><TD><B>{_h(title)}</B></TD></TR>"]
    rows += [f"<TR><TD>{_font(GREEN, v)}</TD></TR>" for v in values]
    if grads:
        rows.append("<HR/>")
        rows += [f"<TR><TD>{_font(RED, g)}</TD></TR>" for g in grads]
    rows += [f"<TR><TD>{cell}</TD></TR>" for cell in extra]
    return ('<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" STYLE="ROUNDED" BGCOLOR="white">'
            + "".join(rows) + "</TABLE>>")


def render(d, digits: int = 5, lang: str = "en", full: bool = False) -> str:
    L = labels(lang)
    c = circuit(d, 1, full)
    title = d.title or "backcalc"
    caption = L["graph_sample"].format(s=c.sample, n=c.samples) if c.samples > 1 else L["graph_caption"]
    t = d.training
    if t is not None and not t.plain_sgd:  # the optimizer of the run (its tables are on the text page)
        caption += "\n" + L["train"]["update"].format(settings=settings_text(t.settings, L))
    caption_html = "<BR/>".join(_h(line) for line in caption.split("\n"))
    out = ["digraph backcalc {",
           f"  graph [rankdir=LR, newrank=true, nodesep=0.3, ranksep=1.4, fontname=\"Helvetica\", labelloc=t, "
           f"label=<<B>{_h(title)}</B><BR/>{caption_html}>];",
           '  node [shape=plain, fontname="Helvetica", fontsize=10];',
           '  edge [fontname="Helvetica", fontsize=8, arrowsize=0.6, color="#57606a"];']
    out += _detailed(c, digits, L) if c.detailed else _summarised(d, c, digits, L)
    loss = [f"L = {num(d.loss, digits)}"]
    if t is not None and t.penalty is not None:  # the data loss and the l1/l2 penalty, each its own term
        loss.append(f"= {num(t.penalty.data_loss, digits)} + {num(t.penalty.value, digits)}")
    out.append(f"  L [label={_table('L', loss, ['∂L/∂L = 1'])}];")
    last = c.columns[-1]
    for u in (last.units if c.detailed else ()):
        out.append(f"  {_q(u.id)} -> L;")
    if not c.detailed:
        out.append(f"  {_q('layer' + str(last.layer))} -> L;")
    out.append("}")
    return "\n".join(out) + "\n"


def _detailed(c, digits, L):
    out = []
    for col in c.columns:
        ids = []
        for u in col.units:
            ids.append(_q(u.id))
            if col.layer == 0:
                label = _table(u.id, [f"{u.id} = {num(u.value, digits)}"], [])
            else:
                bias = (f"{_font(GREEN, f'{u.bias_name} = {num(u.bias, digits)}')}  "
                        f"{_font(RED, f'∂L/∂{u.bias_name} = {num(u.bias_grad, digits)}')}")
                values = [f"in = {num(u.z, digits)}", f"out = {num(u.value, digits)}"]
                extra = [bias] if u.bias_name else []
                if u.norm:  # the statistics it was normalised with, its x̂ and its scale gamma
                    mu, var, xhat, gname, gamma, ggrad = u.norm
                    values = [f"μ = {num(mu, digits)}, σ² = {num(var, digits)}", f"x̂ = {num(xhat, digits)}"] + values
                    extra = [f"{_font(GREEN, f'{gname} = {num(gamma, digits)}')}  "
                             f"{_font(RED, f'∂L/∂{gname} = {num(ggrad, digits)}')}"] + ([bias] if u.bias_name else [])
                label = _table(f"{u.id}  ({col.activation})", values,
                               [f"∂L/∂out = {num(u.grad_out, digits)}", f"δ = ∂L/∂in = {num(u.delta, digits)}"],
                               extra)
            out.append(f"  {_q(u.id)} [label={label}];")
        out.append(f"  {{ rank=same; {' -> '.join(ids)} [style=invis]; }}" if len(ids) > 1 else
                   f"  {{ rank=same; {ids[0]}; }}")
    # each weight is a small node of its own on its wire (a gate input, as the circuit notes draw it): Graphviz
    # never lets nodes overlap, so a wide fan-out keeps every label readable, where edge labels would collide
    for e in c.edges:
        if e.kind == "skip":  # the fork: the output is added as it is, and its gradient comes straight back
            out.append(f"  {_q(e.src)} -> {_q(e.dst)} [label={_q(L['graph_skip'])}, style=dashed, constraint=false];")
            continue
        if e.kind == "norm":
            out.append(f"  {_q(e.src)} -> {_q(e.dst)} [label={_q(L['graph_norm'])}, style=dotted];")
            continue
        w = _q(f"{e.param}@{e.src}>{e.dst}")
        label = ('<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1" STYLE="ROUNDED" '
                 f'BGCOLOR="#f6f8fa" COLOR="#d0d7de"><TR><TD>{_font(GREEN, f"{e.param} = {num(e.weight, digits)}")}'
                 f'</TD></TR><TR><TD>{_font(RED, f"∂L/∂w = {num(e.grad, digits)}")}</TD></TR></TABLE>>')
        out.append(f"  {w} [label={label}, fontsize=8];")
        out.append(f"  {_q(e.src)} -> {w} [arrowhead=none];")
        out.append(f"  {w} -> {_q(e.dst)};")
    return out


def _summarised(d, c, digits, L):
    out = []
    prev = None
    spec = d.spec
    for col in c.columns:
        node = _q(f"layer{col.layer}")
        if col.layer == 0:
            label = _table(counted(L["graph_input"], int(np.prod(spec.x.shape[1:])), name=col.title), [], [])
        else:
            s = col.summary
            label = _table(L["layer"].format(n=col.layer, name=col.title, activation=col.activation),
                           [counted(L["graph_units"], s.units),
                            L["graph_summary"].format(mean=num(s.mean, digits), min=num(s.min, digits),
                                                      max=num(s.max, digits))], [])
        out.append(f"  {node} [label={label}];")
        if prev is not None:  # the layer's weight arrays (none for pooling and flatten; biases left out)
            arrays = [f"{key} {'×'.join(str(n) for n in np.shape(value))}"
                      for key, value in spec.layers[col.layer - 1].parameters().items()
                      if parse_key(key).kind not in ("b", "beta")]
            out.append(f"  {prev} -> {node}" + (f" [label={_q(', '.join(arrays))}];" if arrays else ";"))
        prev = node
    return out


def _shape(value):
    if not isinstance(value, list):
        return ()
    return (len(value),) + _shape(value[0]) if value else (0,)


def graphviz(fmt: str) -> str:
    """The path of Graphviz's ``dot``; a clear one-line error naming the format when it is not installed."""
    exe = shutil.which("dot")
    if exe is None:
        raise BackcalcError(f"--format {fmt} needs Graphviz's 'dot' program, which is not on PATH: install "
                            "Graphviz (apt install graphviz, brew install graphviz), or use --format dot")
    return exe


def to_image(source: str, fmt: str) -> bytes:
    """``source`` (DOT) drawn by Graphviz as ``fmt`` (svg or png)."""
    exe = graphviz(fmt)
    try:
        done = subprocess.run([exe, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        raise BackcalcError(f"--format {fmt}: Graphviz took longer than 120 s") from None
    if done.returncode != 0:
        first = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        raise BackcalcError(f"--format {fmt}: Graphviz failed: {first[0] if first else 'no message'}")
    return done.stdout
