"""The catalogue of common mistakes: which slip in the hand computation reproduces a wrong answer."""

from __future__ import annotations


import numpy as np

from .mistake import NEW_AS_GRADIENT, STEP_AS_GRADIENT, Mistake, best_explanation, made as _M, scaled_mistakes
from .tolerance import Tolerance
from .keys import AnswerSpace
from . import conv_mistakes, dropout_mistakes
from .conv_keys import has_maps
from .near_runs import NearRuns
from .graph_mistakes import GraphRuns, has_graph, loss_candidates, simple_candidates
from .optim_mistakes import gradient_candidates, plain_sgd, update_candidates
from ..net.names import array_key, bias_name, element_key, node_out
from .student_backprop import backprop, with_own
from ..tape.rules import RULES

MAX_PATH_UNITS = 64  # "a path left out" is tried for nets of hand size (at most this many units)


# ─────────────────────────────────────────── the catalogue of mistakes ───────────────────────────────────────────
#
# Each mistake is a function of the derivation's records that gives the value the mistake produces for a key.
# Mistakes in the backward pass are modelled by one small backprop with switches (student_backprop.backprop):
# it starts from the tape's ∂L/∂output and the tape's forward values and propagates the way the student did.

def _weighted_sum(layer) -> bool:
    """A layer the catalogue models: z = a·W (+ b) (a fan_in × units matrix), then an activation."""
    return getattr(getattr(layer, "weights", None), "ndim", 0) == 2 and getattr(layer, "affine", False)


def _activated(sp: AnswerSpace, layer) -> np.ndarray:
    """f(z) of a layer: its output, less what a skip added after the activation."""
    skip = getattr(layer, "skip", None)
    return sp.a[layer.index] if skip is None else sp.a[layer.index] - sp.source(skip)


class _Catalogue:
    """The mistakes tried for one derivation (backward-pass variants computed once, on first use).

    ``own``: the student's own earlier values (see :func:`backprop`); :meth:`for_sheet` makes the catalogue of
    one sheet, which also tries every backward-pass mistake on the student's own numbers, and "carried" — the
    step done right from them.
    """

    def __init__(self, sp: AnswerSpace, own=None, shared=None):
        self.sp = sp
        self.own = own
        self._shared = shared  # the derivation's catalogue, whose exact-value runs a sheet's catalogue reuses
        self._runs = None
        self._own_runs = None
        home = shared if shared is not None else self
        self.near_runs = NearRuns(lambda: self.runs, home.__dict__.setdefault("_stacks", {}))

    def for_sheet(self, own, cells=(), tol=None) -> "_Catalogue":
        """The catalogue of one sheet: ``own``, the student's own earlier values; ``cells``, the sheet's given
        answers (``(item, given, text)``) as ``tol`` grades them, whose runs worth trying are worked out by array."""
        sheet = _Catalogue(self.sp, own, shared=self)
        if tol is not None:
            sheet.near_runs.expect(cells, tol)
        return sheet

    @property
    def runs(self) -> list:
        if self._shared is not None:
            return self._shared.runs
        if self._runs is None:
            self._runs = [(m, r) for m, r in self._make_runs() if r is not None]
        return self._runs

    @property
    def dropout_runs(self) -> list:
        """The runs of :attr:`runs` that model a dropout slip."""
        home = self._shared if self._shared is not None else self
        if "_dropout_runs" not in home.__dict__:
            home._dropout_runs = [(m, r) for m, r in home.runs if m.code.startswith("dropout_")]
        return home._dropout_runs

    @property
    def own_runs(self) -> list:
        """Runs on the student's own earlier values: the step done right ("carried"), then each mistake."""
        if self._own_runs is None:
            self._own_runs = []
            if self.own:
                self._own_runs = [(_M("carried"), backprop(self.sp, own=self.own))]
                self._own_runs += [(m, r) for m, r in self._make_runs(self.own) if r is not None]
        return self._own_runs

    def _make_runs(self, own=None):
        sp = self.sp

        def _backprop(_sp, **switch):
            return backprop(_sp, own=own, **switch)

        names = {layer.index: layer.name for layer in sp.spec.layers}
        nonlinear = [layer for layer in sp.spec.layers if layer.activation not in ("linear", "softmax")]
        for layer in nonlinear:
            n, act = layer.index, layer.activation
            rule = RULES[act]
            kw = {"alpha": layer.alpha} if layer.alpha is not None else {}
            shape = sp.a[n].shape

            def local(ans, x):  # the derivative a student writes from the output (σ′ = out·(1 − out))
                v = rule.by_output(ans, **kw) if rule.by_output is not None else rule.local(ans, x, **kw)[0]
                return np.broadcast_to(np.asarray(v, dtype=float), shape)

            f_out = _activated(sp, layer)  # f(z): the output without a skip's addition
            yield _M("no_local", n=n, layer=layer.name, activation=act), _backprop(sp, local={n: np.ones(shape)})
            at_out = local(rule.array(f_out, **kw), f_out)
            yield _M("local_at_out", n=n, layer=layer.name, activation=act), _backprop(sp, local={n: at_out})
            yield _M("local_at_in", n=n, layer=layer.name, activation=act), \
                _backprop(sp, local={n: local(sp.z[n], sp.z[n])})
            if act in ("sigmoid", "tanh"):
                for p in (2, 3, 4):
                    rounded = np.round(f_out, p)
                    yield _M("early_round", n=n, layer=layer.name, activation=act, decimals=p,
                             values=tuple(map(tuple, rounded.tolist()))), \
                        _backprop(sp, local={n: local(rounded, sp.z[n])})
        if len(nonlinear) > 1:
            yield _M("no_local_all"), _backprop(sp, local={layer.index: np.ones(sp.a[layer.index].shape)
                                                           for layer in nonlinear})
        for layer in sp.spec.layers[:-1]:
            yield _M("extra_out", n=layer.index, layer=layer.name, next=names[layer.index + 1]), \
                _backprop(sp, extra_out=layer.index)
        wide = [layer for layer in sp.spec.layers[1:] if layer.units > 1]
        if wide:
            top = wide[-1]
            src = names[top.index - 1]
            for variant in (1, 2):
                yield _M("product_of_sums", layer=top.name, source=src, units=", ".join(top.unit_names),
                         extra=variant == 2), _backprop(sp, sums=variant)
        if sum(layer.units for layer in sp.spec.layers) <= MAX_PATH_UNITS:
            for layer in wide:
                for v, via in enumerate(layer.unit_names):
                    yield _M("path_left_out", n=layer.index - 1, layer=names[layer.index - 1], via=via), \
                        _backprop(sp, drop=(layer.index, v))
        for (code, params), switch in dropout_mistakes.switches(sp):
            yield _M(code, **dict(params)), _backprop(sp, mask=switch)
        new = {layer.index: layer.weights - sp.lr * sp.grads[array_key("W", layer.index)] for layer in sp.spec.layers}
        yield _M("updated_downstream"), _backprop(sp, weights=new)

    def _here(self, m: Mistake, item) -> Mistake:
        """Name the item's own unit in a layer-wide mistake ("k2_out", not "k_out") when it is in that layer."""
        n = m.get("n")
        ref = item.ref
        if n is None or ref.kind not in ("W", "b", "out", "delta", "local") or ref.layer != n:
            return m
        c, s = ref.unit, ref.sample
        p = dict(m.params)
        p["unit"] = self.sp.spec.layers[n - 1].unit_names[c]
        if "values" in p:
            p["value"] = p["values"][s][c]
        return Mistake(m.code, tuple(p.items()))

    # ── candidates per kind of key: (mistakes, value), in the order they are tried ──
    @property
    def graph(self) -> GraphRuns:
        """The slipped derivations of a net with skips or normalisation (graph_mistakes.py), run once."""
        if self._shared is not None:
            return self._shared.graph
        if "_graph" not in self.__dict__:
            self._graph = GraphRuns(self.sp)
        return self._graph

    @property
    def _maps(self) -> bool:
        if "_has_maps" not in self.__dict__:
            self._has_maps = has_maps(self.sp.spec)
        return self._has_maps

    def _conv_candidates(self, item):
        sp = self.sp
        if item.section in ("loss", "loss_after"):
            yield from loss_candidates(sp, item)
            return
        root = self._shared or self
        if item.section == "updated" and item.step is None and not plain_sgd(sp.spec):  # the optimizer's own slips
            for codes, value in update_candidates(sp, item, root.__dict__.setdefault("_optim_runs", {})):
                yield tuple(_M(code, **dict(params)) for code, params in codes), value
            return
        if "_conv_runs" not in root.__dict__:
            root._conv_runs = conv_mistakes.runs(sp)
        for codes, value in conv_mistakes.candidates(sp, item, root._conv_runs):
            yield tuple(_M(code, **dict(params)) for code, params in codes), value

    def candidates(self, item, answer=None):
        """``answer``: ``(given, text, tol)`` of the value to explain; a gradient's backward-pass runs that could
        never reproduce it are then left out (:class:`NearRuns`), the rest come in the same order."""
        sp = self.sp
        if self._maps and not sp.d.terms_omitted:  # conv and pool nets: their own backward pass with one slip
            yield from self._conv_candidates(item)
            return
        if self._maps:  # past the records' cap: no ∂L/∂out kept to rerun from, only the slips that need none
            for codes, value in simple_candidates(sp, item):
                yield tuple(_M(code, **dict(params)) for code, params in codes), value
            return
        kinds = self.__dict__.get("_kinds")
        if kinds is None:  # (a net with skips or normalisation, every layer a weighted sum): asked for every answer
            # (the second: a net whose ∂L/∂out and δ are kept — not past the records' cap — can be rerun by hand)
            kinds = self._kinds = (has_graph(sp.spec), not sp.d.terms_omitted
                                   and all(_weighted_sum(layer) for layer in sp.spec.layers))
        if kinds[0]:  # skips and normalisation: the whole derivation redone with one slip
            for codes, value in self.graph.candidates(item):
                yield tuple(_M(code, **dict(params)) for code, params in codes), value
        if not kinds[1]:
            for codes, value in simple_candidates(sp, item):  # no rerun by hand of these layers: slips that need none
                yield tuple(_M(code, **dict(params)) for code, params in codes), value
            return
        ref = item.ref
        loss = sp.spec.loss
        e = item.expected
        if item.section in ("loss", "loss_after"):
            for codes, value in loss_candidates(sp, item):
                yield tuple(_M(code, **dict(params)) for code, params in codes), value
        elif item.section == "forward":
            yield from self._forward(item)
        elif item.section == "gradients":
            # a dropout slip first: at p = 0.5 the missing 1/(1 − p) halves the gradient, which "half" also gives
            yield from (((m,), self._pick(run, item)) for m, run in self.dropout_runs)
            yield from self._scaled(e, loss)
            runs = self.runs
            for i in range(len(runs)) if answer is None else self.near_runs.kept(item, *answer):
                m, run = runs[i]
                yield (self._here(m, item),), self._pick(run, item)
            yield from self._from_own(item)
            yield NEW_AS_GRADIENT, float(sp.updated[ref.array][ref.index])
            if plain_sgd(sp.spec):  # the step is lr·gradient only for plain SGD
                yield STEP_AS_GRADIENT, sp.lr * e
                yield STEP_AS_GRADIENT, -sp.lr * e
            yield from self._transposed(item, sp.grads)
            for codes, value in gradient_candidates(sp, item):
                yield tuple(_M(code, **dict(params)) for code, params in codes), value
        elif item.section == "updated" and item.step is not None:  # [updated.stepN] before the last step
            yield (_M("not_updated"),), item.old  # the catalogue's other update slips model the last step
        elif item.section == "updated":
            if plain_sgd(sp.spec):
                yield from self._updated(item)
            else:  # another optimizer: its own slips, never the SGD step's
                for codes, value in update_candidates(sp, item, self.__dict__.setdefault("_optim_runs", {})):
                    yield tuple(_M(code, **dict(params)) for code, params in codes), value
        elif item.section == "factors":
            yield from self._factor(item)

    def _from_own(self, item):
        """The same backward-pass candidates worked from the student's own earlier values (tier "own")."""
        for m, run in self.own_runs:
            v = self._pick(run, item)
            if v is not None:
                yield (self._here(m, item),), v, "own"

    @staticmethod
    def _scaled(e, loss):
        sign, double, half = scaled_mistakes(loss)
        yield sign, -e
        yield double, 2 * e
        yield half, e / 2

    @staticmethod
    def _pick(run, item):
        ref = item.ref
        if ref.kind in ("W", "b"):
            return float(run[ref.kind][ref.layer][ref.index])
        table = run[ref.kind][ref.layer]
        return None if table is None else float(table[ref.sample, ref.unit])

    def _transposed(self, item, arrays):
        if item.ref.kind != "W":
            return
        n, a, c = item.ref.layer, item.ref.source, item.ref.unit
        W = arrays[array_key("W", n)]
        if a != c and c < W.shape[0] and a < W.shape[1]:
            # named only if the value matches (best_explanation calls it then): most never do
            yield (lambda: (_M("transposed", other=self.sp.wname(n, c, a), key=element_key("W", n, c, a)),)), \
                float(W[c, a])

    def _forward(self, item):
        sp = self.sp
        kind, n, s, c = item.ref.kind, item.ref.layer, item.ref.sample, item.ref.unit
        layer = sp.spec.layers[n - 1]
        unit = layer.unit_names[c]
        z = sp.z[n][s, c]
        for (code, params), v in dropout_mistakes.forward_candidates(sp, item):
            yield (_M(code, **dict(params)),), v
        if kind == "drop":
            yield (_M("sign"),), -item.expected
            return
        skip = getattr(layer, "skip", None)
        added = float(sp.source(skip)[s, c]) if skip is not None else 0.0  # what a skip adds after f
        if kind == "a" and layer.activation != "linear":
            yield (_M("no_activation", unit=unit),), z + added
        bias = layer.bias[c] if layer.bias is not None else 0.0  # bias = false: nothing to leave out
        zb = z - bias
        if layer.bias is None:
            pass
        elif kind == "z":
            yield (_M("no_bias", bias=bias_name(unit)),), zb
        elif layer.activation != "softmax":
            kw = {"alpha": layer.alpha} if layer.alpha is not None else {}
            yield (_M("no_bias", bias=bias_name(unit)),), \
                float(RULES[layer.activation].array(np.array([zb]), **kw)[0]) + added
        yield (_M("sign"),), -item.expected
        if self.own:  # the step done right from the student's own earlier node values
            if kind == "z":
                source = with_own(sp.source(n - 1), self.own, "drop" if n - 1 in sp.drop else "a", n - 1)[s]
                yield (_M("carried"),), float(source @ layer.weights[:, c] + bias), "own"
            elif layer.activation != "softmax":
                kw = {"alpha": layer.alpha} if layer.alpha is not None else {}
                z_own = with_own(sp.z[n], self.own, "z", n)[s, c]
                own_added = float(with_own(sp.a[skip], self.own, "a", skip)[s, c]) if skip is not None else 0.0
                yield (_M("carried"),), \
                    float(RULES[layer.activation].array(np.array([z_own]), **kw)[0]) + own_added, "own"

    def _factor(self, item):
        sp = self.sp
        ref = item.ref
        kind = ref.kind
        e = item.expected
        if kind in ("out", "delta"):
            yield from self._scaled(e, sp.spec.loss)
        if kind == "mask":
            for (code, params), v in dropout_mistakes.mask_candidates(sp, item):
                yield (_M(code, **dict(params)),), v
        if kind in ("out", "delta", "local", "dout"):
            if kind == "local":
                yield (_M("sign"),), -e
            for m, run in self.runs:
                v = self._pick(run, item)
                if v is not None:
                    yield (self._here(m, item),), v
            yield from self._from_own(item)
        elif kind == "src":
            n, c, a = ref.layer, ref.unit, ref.source
            yield (_M("weight_for_source", weight=sp.wname(n, a, c)),), float(sp.spec.layers[n - 1].weights[a, c])
        elif kind == "wpath":
            n, c, s, a = ref.layer, ref.unit, ref.sample, ref.source
            src = sp.spec.unit_names(n - 1)[a]
            yield (_M("source_for_weight", source=src if n == 1 else node_out(src), weight=sp.wname(n, a, c)),), \
                float(sp.a[n - 1][s, a])
            yield (_M("updated_downstream"),), float(sp.updated[array_key("W", n)][a, c])

    def _updated(self, item):
        sp = self.sp
        lr, old = sp.lr, item.old
        g = float(sp.grads[item.ref.array][item.ref.index])
        if sp.spec.steps != 1:  # the mistakes below model one step
            yield (_M("not_updated"),), old
            return
        steps = ((_M("update_sign"), lambda v: old + lr * v), (_M("lr_none"), lambda v: old - v),
                 (_M("lr_twice"), lambda v: old - lr * lr * v))
        for m, f in steps:
            yield (m,), f(g)
        yield (_M("not_updated"),), old
        yield (_M("gradient_as_new"),), g
        yield (_M("step_as_new"),), -lr * g
        yield (_M("double", loss=sp.spec.loss),), old - lr * 2 * g
        yield (_M("half", loss=sp.spec.loss),), old - lr * g / 2
        grads = [(self._here(m, item), self._pick(run, item)) for m, run in self.runs]
        for m, v in grads:
            yield (m,), old - lr * v
        yield from self._transposed(item, sp.updated)
        scaled = [(_M("double", loss=sp.spec.loss), 2 * g), (_M("half", loss=sp.spec.loss), g / 2)]
        for gm, v in grads + scaled:
            for m, f in steps:
                yield (gm, m), f(v)
            yield (gm, _M("gradient_as_new")), v

    def explain(self, item, given, text, tol: Tolerance, gradient=None) -> tuple:
        """The mistakes that reproduce ``given`` for ``item`` (empty when none does).

        ``gradient``: for an updated value, the student's own graded gradient row of that parameter (if given);
        the update is then first judged against it, so a wrong gradient carried into a right update is one
        mistake, not two.
        """
        if gradient is not None and item.section == "updated" and self.sp.spec.steps == 1 and plain_sgd(self.sp.spec):
            found = self._own_step(item, given, text, tol, gradient)
            if found is not None:
                return found
        allowed = tol.allowed(item, text, item.expected)
        return best_explanation(item, given, text, tol, allowed, self.candidates(item, (given, text, tol)))

    def _own_step(self, item, given, text, tol, row):
        lr, old, g = self.sp.lr, item.old, row.given
        steps = [((), old - lr * g), ((_M("update_sign"),), old + lr * g), ((_M("lr_none"),), old - g),
                 ((_M("lr_twice"),), old - lr * lr * g), ((_M("gradient_as_new"),), g),
                 ((_M("step_as_new"),), -lr * g), ((_M("not_updated"),), old)]
        best = None
        for mistakes, value in steps:
            ratio = abs(given - value) / tol.match(item, text, value)
            if ratio <= 1 and (best is None or ratio < best[0] - 1e-9):
                best = (ratio, mistakes)
        if best is not None:
            if row.ok:
                return best[1] or None
            return (row.mistakes or (_M("carried"),)) + best[1]
        if row.ok:  # the gradient is right, the step from it is not
            return (_M("update_arithmetic", old=old, lr=lr, gradient=g, value=old - lr * g),)
        return None
