"""The worked derivation, read back from the tape into plain frozen records (:mod:`backcalc.net.records`).

Nothing here differentiates: every value comes from the tape of :class:`~backcalc.net.network.Network` — node
values, gradients of intermediate nodes, and the chain-rule factors each entry recorded. A term's chain
for ∂L/∂w is the recorded factors along its path; its value is the tape's gradient, which tests check
equals the product (summed over samples). Each layer kind reads its own rows back (:mod:`backcalc.net.layers`);
this module walks the layers in order and adds the loss and the updates. Renderers in :mod:`backcalc.render`
only format these records.

>>> d = explain()
>>> round(d.loss, 5), round(d.term("w_k1o").value, 5)
(0.12793, -0.50457)
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..errors import NonFiniteError
from ..tape.losses import out_gradient_formula

from .network import Network, Pass
from .lazy import LazyRecords
from .records import (DETAIL_PARAMETERS, DETAIL_SAMPLES, MAX_TERM_RECORDS, Chain, Delta, Derivation,  # noqa: F401
                      Factor, LayerSummary, LossRecord, Path, Term, UnitForward, Update, Upstream, check_lang)
from .names import node_drop, node_out, parse_key
from .spec import NetSpec, load_spec
from .train_records import of_step, training_record
from .training import train


def explain(spec=None, steps: int | None = None, lang: str = "en") -> Derivation:
    """The worked derivation of a spec (path, dict or NetSpec; the embedded default when None); ``lang`` is the
    language of its render methods and of Jupyter's display (``explain(spec, lang="id")``)."""
    check_lang(lang)
    if lang != "en":
        return replace(explain(spec, steps), lang=lang)
    spec = load_spec(spec)
    steps = spec.steps if steps is None else steps
    with np.errstate(all="ignore"):  # a non-finite value is named (finite.py), never a numpy warning
        run = train(spec, steps)  # PyTorch's loop: gradients (penalty included), clipping, the optimizer's step
    if not np.isfinite(run.loss_after):
        raise NonFiniteError(f"the run is not finite: the loss after the last step is {run.loss_after} "
                             "(the steps diverged: lower the learning rate)")
    first = run.first
    after_first = {ps.key: ps.update.param for ps in run.steps[0].params}
    detailed = spec.n_parameters <= DETAIL_PARAMETERS and spec.samples <= DETAIL_SAMPLES  # the optimizer tables
    return _derivation(spec, Network(spec), first, first.gradients(), after_first, run.final,
                       tuple((st.step, st.loss) for st in run.steps), run.loss_after,
                       training_record(spec, run, detailed))


def explain_steps(spec=None, steps: int | None = None) -> tuple:
    """One derivation per step: step k's records are read from the pass with the parameters after k − 1 steps
    (what the HTML page's step selector shows).

    >>> [round(d.loss, 5) for d in explain_steps(None, 2)]
    [0.12793, 0.00828]
    """
    spec = load_spec(spec)
    steps = spec.steps if steps is None else steps
    run = train(spec, steps)
    record = training_record(spec, run, spec.n_parameters <= DETAIL_PARAMETERS and spec.samples <= DETAIL_SAMPLES)
    out = []
    for st in run.steps:
        old = {ps.key: ps.old for ps in st.params}
        after = {ps.key: ps.update.param for ps in st.params}
        net = Network(spec, old)
        p = net.forward()
        out.append(_derivation(spec, net, p, p.gradients(), after, after, ((1, p.loss),), Network(spec, after).loss(),
                               of_step(record, st.step, spec, p)))
    return tuple(out)


def _derivation(spec, net, first, grads, after_first, final, history, loss_after, training=None) -> Derivation:
    """The records of pass ``first`` of ``net`` (its updates lead to ``after_first``; ``final`` ends the run)."""
    records = TapeReader(spec, first)
    forward = {}
    for lp in first.layers:
        forward.update(lp.layer.forward_values(lp))
    return Derivation(
        spec=spec,
        title=spec.title,
        loss=first.loss,
        loss_record=records.loss_record(),
        forward_rows=records.forward_rows(),
        layer_summaries=tuple(LayerSummary(n, lp.output.data.shape[0], lp.layer.units, float(lp.output.data.mean()),
                                           float(lp.output.data.min()), float(lp.output.data.max()))
                              for n, lp in enumerate(first.layers, start=1)),
        upstream=records.upstream(),
        deltas=records.deltas(),
        terms=records.terms(),
        terms_omitted=records.terms_omitted,
        updates=_updates(spec, net.params, grads, after_first),
        loss_after=loss_after,
        history=history,
        forward=forward,
        gradients={k: v.tolist() for k, v in grads.items()},
        updated={k: v.tolist() for k, v in final.items()},
        training=training,
        norm_stats=records.norm_stats(),
        time_norms=records.time_norms(),
        kinks=tuple(k for lp in first.layers for k in lp.kinks),
    )


def _updates(spec, old, grads, new) -> LazyRecords:
    """Every parameter's update, each record built when it is read (a summary page reads 25 of them)."""
    old, grads, new = ({k: np.array(v, dtype=float) for k, v in arrays.items()} for arrays in (old, grads, new))

    def update(i: int) -> Update:
        name, key = spec._param_names[i]  # made once per spec, at the first record read
        k = parse_key(key)
        array, idx = k.array, k.index
        return Update(name, key, float(old[array][idx]), float(grads[array][idx]), float(new[array][idx]))

    return LazyRecords(spec.n_parameters, update)



def _dropped(lp, s: int, c: int, unit: str, row: Upstream) -> list:
    """With dropout the sum over paths is ∂L/∂u_drop, and ∂L/∂u_out = ∂L/∂u_drop · mask/(1 − p) follows it."""
    drop = lp.nodes.get("drop")
    if drop is None:
        return [row]
    scale = float(np.broadcast_to(drop.local[0], drop.shape)[s, c])
    dname = f"∂L/∂{node_drop(unit)}"
    after = Path(unit, dname, row.value, lp.layer.dropout.factor_formula(s, c), scale)
    return [replace(row, name=dname),
            Upstream(row.layer, unit, row.sample, row.name, float(lp.nodes["a"].grad[s, c]), (after,))]


class TapeReader:
    """Reads one pass's tape into records: the loss here, every layer's rows by its own kind."""

    def __init__(self, spec: NetSpec, p: Pass):
        self.spec = spec
        self.p = p
        # the per-unit and per-term records grow with units × samples; past the cap only arrays are kept
        # (a shared weight has a chain per output position: its layer counts those)
        records = sum(getattr(layer, "term_records", layer.n_parameters) for layer in spec.layers)
        self.terms_omitted = records * spec.samples > MAX_TERM_RECORDS

    def source(self, layer: int, a: int) -> str:
        """Name of the value unit ``a`` of layer ``layer`` sends on (input units are bare: ``i``)."""
        name = self.spec.unit_names(layer)[a]
        if layer == 0:
            return name
        return node_drop(name) if getattr(self.spec.layers[layer - 1], "dropout", None) is not None else node_out(name)

    def forward_rows(self) -> tuple:
        if self.terms_omitted:
            return ()
        return tuple(row for lp in self.p.layers for row in lp.layer.unit_rows(lp, self))

    def loss_record(self) -> LossRecord:
        spec = self.spec
        out = self.p.output.data
        steps = getattr(spec.layers[-1], "out_steps", 0)
        if steps:  # a target at every step: each sample's targets step by step, as its outputs
            y = spec.y.reshape(spec.samples, -1).tolist()
            targets = tuple(tuple(int(v) for v in row) if spec.loss == "cross_entropy" else tuple(row) for row in y)
        else:
            targets = (tuple(int(v) for v in spec.y) if spec.loss == "cross_entropy"
                       else tuple(map(tuple, spec.y.tolist())))
        logits = spec.loss in ("bce", "cross_entropy") and spec.layers[-1].activation == "linear"
        return LossRecord(spec.loss, spec.reduction, self.p.loss, tuple(self.p.per_sample.data.tolist()),
                          spec.layers[-1].unit_names, tuple(map(tuple, out.tolist())), targets, logits, steps or 1)

    def upstream(self) -> tuple:
        """∂L/∂unit_out for every unit, the output layer first: from the loss, else a sum over the next layer."""
        if self.terms_omitted:
            return ()
        spec, layers = self.spec, self.p.layers
        rows = []
        for lp in reversed(layers):
            n = lp.layer.index
            grad_out = lp.output.grad.reshape(spec.samples, -1)  # a map's elements in C order, as its unit names
            readers = [m for m in layers if n in m.layer.reads]  # the layers this one's output feeds
            own = lp.layer.upstream_rows(lp, self, readers) if hasattr(lp.layer, "upstream_rows") else None
            if own is not None:  # a recurrent layer with a loss at every step: both paths, the last step first
                rows += own
                continue
            for s in range(spec.samples):
                for c, unit in enumerate(lp.layer.unit_names):
                    name = f"∂L/∂{node_out(unit)}"
                    if n == len(layers):
                        formula = out_gradient_formula(spec.loss, unit, spec.samples, lp.layer.units, spec.reduction,
                                                       lp.layer.activation)
                        rows.append(Upstream(n, unit, s + 1, name, float(grad_out[s, c]), (), formula))
                        continue
                    paths = tuple(p for m in readers for p in m.layer.input_paths(m, s, c, unit, n))
                    if not paths:  # a kind that writes no rows of its own
                        continue
                    rows += _dropped(lp, s, c, unit, Upstream(n, unit, s + 1, name, float(grad_out[s, c]), paths))
            if hasattr(lp.layer, "inner_upstream"):  # a recurrent layer's earlier steps: the paths back through time
                rows += lp.layer.inner_upstream(lp, self)
        first = layers[0]
        if getattr(first.layer, "input_gradient", False):  # ∂L/∂x of the data, as the first layer's sums over paths
            grad_in = first.input.grad.reshape(spec.samples, -1)
            for s in range(spec.samples):
                for a, unit in enumerate(spec.input_unit_names):
                    rows.append(Upstream(0, unit, s + 1, f"∂L/∂{unit}", float(grad_in[s, a]),
                                         first.layer.input_paths(first, s, a, unit, 0)))
        return tuple(rows)

    def norm_stats(self) -> tuple:
        """The statistics rows of the kinds that have them (normalisation layers)."""
        if self.terms_omitted:
            return ()
        return tuple(row for lp in self.p.layers if hasattr(lp.layer, "stat_rows")
                     for row in lp.layer.stat_rows(lp, self))

    def time_norms(self) -> tuple:
        """‖∂L/∂h_t‖ over the steps of the kinds that have them (recurrent layers)."""
        return tuple(row for lp in self.p.layers if hasattr(lp.layer, "time_norms")
                     for row in lp.layer.time_norms(lp, self.spec.samples))

    def deltas(self) -> tuple:
        if self.terms_omitted:
            return ()
        return tuple(row for lp in reversed(self.p.layers) for row in lp.layer.deltas(lp, self))

    def terms(self) -> tuple:
        if self.terms_omitted:
            return ()
        return tuple(term for lp in self.p.layers for term in lp.layer.terms(lp, self))
