"""The mistake catalogue of a net with a recurrent layer: backprop through time redone with one slip.

Three slips (:mod:`backcalc.grading.rnn_backprop`), each named only when the student's number matches the run
with it and not the right run, at the precision the number is written in:

``bptt_truncated``       "BPTT truncated to the last step" (each shared weight's sum keeps the last step's term)
``next_path_left_out``   "the path through h_(t+1) left out" (∂L/∂h_t is the step's own path alone)
``tanh_at_output``       "tanh′ taken at the output" (1 − tanh²(h) where 1 − h² belongs; for any activation f,
                         f′ evaluated at the output as if it were the input)

With a loss at the last step only, leaving the path through h_(t+1) out gives the same gradients as truncating BPTT
to the last step (every earlier step's δ is then 0): a gradient is named the truncation, a ∂L/∂h_t or δ of an
earlier step given as 0 the path left out. Otherwise, when two slips give one number for an answer, neither is
named (the catalogue cannot tell them apart). The updated values: old − learning rate × the slipped gradient
(plain SGD, one step).

>>> from backcalc.net.derivation import explain
>>> from backcalc.grading.rnn_space import RnnSpace
>>> cat = RnnCatalogue(RnnSpace(explain("worked_examples/rnn_every_step.toml")))
>>> [m.code for m, _ in cat.runs]
['bptt_truncated', 'next_path_left_out', 'tanh_at_output']
"""

from __future__ import annotations

from .mistake import Mistake, best_explanation
from .optim_mistakes import plain_sgd
from .rnn_backprop import bptt

#: slip of rnn_backprop → the mistake's code
CODES = {"truncated": "bptt_truncated", "no_next_path": "next_path_left_out", "local_at_output": "tanh_at_output"}


class RnnCatalogue:
    """The slipped runs of one derivation (worked once, on first use), and the mistakes that explain an answer."""

    def __init__(self, sp):
        self.sp = sp
        self._runs = None

    def for_sheet(self, own, *sheet) -> "RnnCatalogue":
        return self  # every run starts from the derivation's own values

    @property
    def runs(self) -> list:
        if self._runs is None:
            d, rnn = self.sp.d, next(layer for layer in self.sp.spec.layers if getattr(layer, "recurrent", False))
            self._runs = []
            for slip, code in CODES.items():
                params = {"layer": rnn.name, "activation": rnn.activation}
                self._runs.append((Mistake(code, tuple(params.items())), bptt(d, slip)))
        return self._runs

    def candidates(self, item):
        """(mistakes, value) of each slipped run for ``item``; a value two runs share is left out."""
        if self.sp.d.terms_omitted:  # past the records' cap no δ is kept to rerun backprop through time from
            return
        values = [(m, self._pick(run, item)) for m, run in self.runs]
        values = [(m, v) for m, v in values if v is not None]
        for m, v in values:
            if sum(1 for _, w in values if abs(w - v) <= 1e-12 * max(1.0, abs(v))) == 1:
                yield (m,), v

    def _pick(self, run, item):
        ref, sp = item.ref, self.sp
        rnn = next(layer for layer in sp.spec.layers if getattr(layer, "recurrent", False))
        if item.section in ("gradients", "updated") and ref.layer == rnn.index:
            if run is self._shadowed():
                return None  # a loss at the last step only: these are the truncation's gradients
            g = float(run[ref.kind][(ref.source, ref.unit) if ref.source is not None else (ref.unit,)])
            if item.section == "gradients":
                return g
            return item.old - sp.lr * g if plain_sgd(sp.spec) and sp.spec.steps == 1 else None
        if item.section == "factors" and ref.layer == rnn.index and ref.kind in ("node_gout", "node_gin"):
            unit = item.name.split("/∂", 1)[1].split("_")[0]
            base, _, t = unit.rpartition("t")
            table = run["out" if ref.kind == "node_gout" else "delta"]
            return float(table[ref.sample, int(t) - 1, rnn.base.index(base)])
        return None

    def _shadowed(self):
        """The path-left-out run of a net with a loss at the last step only (its gradients are the truncation's)."""
        rnn = next(layer for layer in self.sp.spec.layers if getattr(layer, "recurrent", False))
        if rnn.out_steps:
            return None
        return next(run for m, run in self.runs if m.code == "next_path_left_out")

    def explain(self, item, given, text, tol, gradient=None) -> tuple:
        """The mistake that reproduces ``given`` for ``item`` (empty when none does, or when the right value
        cannot be told from it at the written precision)."""
        return best_explanation(item, given, text, tol, tol.allowed(item, text, item.expected), self.candidates(item))
