"""The records of a worked derivation: plain frozen dataclasses that renderers format.

:mod:`backcalc.net.derivation` fills them from the tape (each layer kind fills its own rows, see
:mod:`backcalc.net.layers`); nothing here computes.

>>> f = Factor("k1_out", "k1_in", 0.25)
>>> f.name, Chain(1, (f, Factor("L", "k1_out", 2.0)), 0.5).value
('∂k1_out/∂k1_in', 0.5)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the spec is only carried here
    from .spec import NetSpec

# Per-term listing is for small nets; above these the text shows summary tables (see the README).
DETAIL_PARAMETERS = 64
DETAIL_SAMPLES = 4
# ... and past this many rows per sample: every unit's forward and gradient, and every chain (a shared weight has
# one per output position or time step)
DETAIL_ROWS = 400
# Terms are recorded up to this many parameter elements × samples; past it JSON says terms_omitted.
MAX_TERM_RECORDS = 20_000


@dataclass(frozen=True)
class Factor:
    """One chain-rule factor ∂of/∂wrt: its value, and its formula written with the nodes' names.

    The formula is the rule table's local derivative (``σ(k1_in)·(1−σ(k1_in))``), a node (``j1_out``), ``1``
    or ``δ``; renderers typeset it, the record keeps no format of its own.
    """

    of: str
    wrt: str
    value: float
    formula: str = ""

    @property
    def name(self) -> str:
        return f"∂{self.of}/∂{self.wrt}"


@dataclass(frozen=True)
class Chain:
    """One sample's product of factors for one parameter (at one output ``position`` of a shared weight: a
    kernel element's chain at output ``c112`` is one of the terms of its sum over positions)."""

    sample: int
    factors: tuple
    value: float
    position: str = ""


@dataclass(frozen=True)
class Term:
    """∂L/∂(one parameter element): its chains (one per sample) and the tape's total."""

    name: str
    key: str
    layer: int
    kind: str            # "weight" or "bias"
    value: float
    chains: tuple
    sum_over: str = "positions"  # what a shared weight's chains run over: output "positions" or time "steps"


@dataclass(frozen=True)
class UnitForward:
    """unit_in = Σ w·source + b and unit_out = activation(unit_in), for one unit and sample."""

    layer: int
    unit: str
    sample: int
    sources: tuple       # ((weight name, weight value, source name, source value), ...)
    bias_name: str
    bias: float
    z: float
    a: float
    activation: str
    alpha: float | None = None
    skip: tuple = ()     # (source name, its value) when a skip adds another layer's output after the activation
    drop: tuple | None = None   # dropout: (mask entry, p, u_drop = u_out·mask/(1 − p))


@dataclass(frozen=True)
class PoolForward:
    """unit_out = max(window) or mean(window) for one output of a pooling layer and sample; ``winner`` is the
    index in ``sources`` of the input that won a max window (the first in row-major order at a tie). A flatten
    layer's feature is one too, op ``"flatten"``: its one source is the map element it is."""

    layer: int
    unit: str
    sample: int
    op: str              # "max", "avg" or "flatten"
    sources: tuple       # ((source name, source value), ...) in row-major order of the window
    value: float
    winner: int | None = None


@dataclass(frozen=True)
class TimeNorm:
    """‖∂L/∂h_t‖ of one sample at step t of a recurrent layer, its ratio to step t + 1's and the bound on that
    ratio from one step back through time: max |f′(z_(t+1))| · ‖Wh‖₂ (the largest singular value)."""

    layer: int
    sample: int
    step: int
    norm: float
    ratio: float | None          # ‖∂L/∂h_t‖ / ‖∂L/∂h_(t+1)‖ (None at the last step, or after a zero)
    bound: float | None          # max |f′(z_(t+1))| · ‖Wh‖₂ (None at the last step)
    #: with a loss at every step (return_sequences): ‖the path back from h_(t+1)‖ = ‖∂L/∂z_(t+1)·Whᵀ‖, the part of
    #: ∂L/∂h_t the bound holds for (``ratio`` is then this over ‖∂L/∂h_(t+1)‖); None otherwise
    back: float | None = None


@dataclass(frozen=True)
class LayerSummary:
    """One layer's outputs in brief, for nets too large to list unit by unit."""

    layer: int
    samples: int
    units: int
    mean: float
    min: float
    max: float


@dataclass(frozen=True)
class LossRecord:
    kind: str
    reduction: str
    value: float
    per_sample: tuple
    outputs: tuple        # output unit names
    predictions: tuple    # per sample, per output
    targets: tuple        # per sample, per output (or the class label per sample)
    logits: bool = False  # bce/cross_entropy on a linear output layer: the outputs are logits
    #: a loss at every step (after an rnn with return_sequences): ``outputs`` and each sample's ``predictions`` run
    #: step by step (o1t1, o2t1, o1t2, …), ``targets`` too (a class label per step for cross_entropy), and each
    #: sample's loss is the sum of its steps' losses
    steps: int = 1


@dataclass(frozen=True)
class Path:
    """One path of a sum over paths: ∂L/∂next_in · w(unit → next)."""

    via: str
    grad_name: str
    grad: float
    weight_name: str
    weight: float
    skip: bool = False   # the path straight through a skip connection (``∂L/∂r1_out·1``)


@dataclass(frozen=True)
class Upstream:
    """∂L/∂unit_out: from the loss for an output unit, else the sum over the units it feeds."""

    layer: int
    unit: str
    sample: int
    name: str
    value: float
    paths: tuple = ()
    formula: str = ""


@dataclass(frozen=True)
class Delta:
    """δ = ∂L/∂unit_in = ∂L/∂unit_out · ∂unit_out/∂unit_in (a sum over outputs for softmax)."""

    layer: int
    unit: str
    sample: int
    value: float
    upstream: float
    local: float | None          # ∂unit_out/∂unit_in (elementwise activations)
    formula: str
    jacobian: tuple = ()         # softmax: ((∂L/∂j_out, ∂j_out/∂unit_in, j), ...)


@dataclass(frozen=True)
class Update:
    name: str
    key: str
    old: float
    grad: float
    new: float

    @property
    def change_pct(self) -> float | None:
        return None if self.old == 0 else (self.new - self.old) / abs(self.old) * 100.0


@dataclass(frozen=True)
class NormStats:
    """One group of a normalisation layer (a unit over the batch, or a sample over its units): its statistics,
    every x̂, and the compact form of ∂L/∂x of each member (the check on the sum of the three paths)."""

    layer: int
    kind: str                    # "batchnorm" or "layernorm"
    name: str                    # the statistic's suffix: "n1" (unit n1) or "n_s2" (sample 2 of layer n)
    count: int                   # N
    eps: float
    members: tuple               # ((sample, unit, source name, x, x̂), ...)
    mu: float
    var: float
    sigma: float                 # √(var + eps)
    compact: tuple               # ((sample, source unit, (1/(N·sigma))·(N·g − Σg − x̂·Σ(g·x̂))), ...)
    grad_xhat: tuple = ()        # ∂L/∂x̂ of each member, in the order of ``members`` (the tape's)
    grad_mu: float | None = None     # ∂L/∂μ and ∂L/∂σ² of the group (the tape's; None when nothing reaches them)
    grad_var: float | None = None


@dataclass(frozen=True)
class Derivation:
    """Everything `backcalc explain` shows, as records; ``to_dict()`` is the JSON of INTERFACE.md."""

    spec: NetSpec = field(repr=False)
    title: str
    loss: float
    loss_record: LossRecord
    forward_rows: tuple
    layer_summaries: tuple       # LayerSummary per layer (always kept, whatever the size)
    upstream: tuple
    deltas: tuple
    terms: tuple
    terms_omitted: bool
    updates: tuple
    loss_after: float
    history: tuple               # ((step, loss before that step's update), ...)
    forward: dict                # {"z1": [[...]], "a1": ..., ...} of the first step
    gradients: dict              # {"W1": [[...]], "b1": [...], ...} of the first step
    updated: dict                # parameters after the last step
    training: object = None      # TrainingRecord: optimizer steps, clipping, l1/l2 (train_records.py)
    norm_stats: tuple = ()       # NormStats of every normalisation layer (its μ, σ², x̂ lines)
    time_norms: tuple = ()       # TimeNorm of every recurrent layer's steps (‖∂L/∂h_t‖ back through time)
    kinks: tuple = ()            # RoundedKink per pre-activation 0 up to rounding, taken as 0 (net/kinks.py)
    lang: str = "en"             # the language its render methods and Jupyter's display use

    @property
    def plain_sgd(self) -> bool:
        """Whether every update is plain SGD's old − lr·gradient (no optimizer's tables): no training record,
        or one of plain SGD."""
        return self.training is None or self.training.plain_sgd

    @property
    def detail_limits(self) -> tuple[int, int]:
        """(parameters, samples) up to which the pages list every unit and term."""
        return DETAIL_PARAMETERS, DETAIL_SAMPLES

    @property
    def row_limit(self) -> int:
        """Rows per sample up to which the pages list every unit and term."""
        return DETAIL_ROWS

    @property
    def rows(self) -> int:
        """The rows of one sample's listing: every unit, and every parameter's chains."""
        return sum(layer.units + getattr(layer, "term_records", layer.n_parameters) for layer in self.spec.layers)

    @property
    def detailed(self) -> bool:
        """Small enough for the per-term listing."""
        return (self.spec.n_parameters <= DETAIL_PARAMETERS and self.spec.samples <= DETAIL_SAMPLES
                and self.rows <= DETAIL_ROWS)

    def shows_detail(self, full: bool = False) -> bool:
        """Whether renderers list every unit and term (``full`` asks for it; omitted records cannot be shown)."""
        return (full or self.detailed) and not self.terms_omitted

    def term(self, name_or_key: str) -> Term:
        for t in self.terms:
            if name_or_key in (t.name, t.key):
                return t
        raise KeyError(name_or_key)

    def to_dict(self) -> dict:
        out = {
            "format": 1,
            "title": self.title,
            "loss": self.loss,
            "forward": self.forward,
            "gradients": self.gradients,
            "updated": self.updated,
            "loss_after": self.loss_after,
            "terms": [_term_dict(t) for t in self.terms],
            "history": [{"step": s, "loss": v} for s, v in self.history],
            "learning_rate": self.spec.learning_rate,
            "steps": self.spec.steps,
            "loss_kind": self.spec.loss,
            "reduction": self.spec.reduction,
        }
        if self.terms_omitted:
            out["terms_omitted"] = True
        if self.norm_stats:
            out["norm_stats"] = [_norm_dict(st) for st in self.norm_stats]
        drops = [{"layer": layer.index, "name": layer.name, **layer.dropout.to_dict()} for layer in self.spec.layers
                 if getattr(layer, "dropout", None) is not None]
        if drops:  # the masks as used (a drawn one included), so the page can be worked again by hand
            out["dropout"] = drops
        if self.kinks:  # pre-activations taken as exactly 0: their float values, so the page can be traced
            out["kinks"] = [k.to_dict() for k in self.kinks]
        if self.time_norms:
            out["time_norms"] = _time_norm_dicts(self.time_norms)
        if self.training is not None:
            from .train_records import training_dict

            out.update(training_dict(self.training))
        return out

    def render(self, fmt: str = "text", digits: int = 5, lang: str | None = None, full: bool = False) -> str:
        """The page in ``fmt`` (text, markdown, latex, json, dot, html), in ``lang`` (default: the derivation's).

        >>> from backcalc import explain
        >>> explain(lang="id").render().splitlines()[4]
        'Langkah maju (forward pass)'
        """
        from ..errors import BackcalcError
        from ..render import DERIVATION_FORMATS, renderer

        if fmt not in DERIVATION_FORMATS:
            raise BackcalcError(f"format {fmt!r}: expected one of {', '.join(DERIVATION_FORMATS)}")
        return renderer(fmt).render(self, digits=digits, lang=check_lang(lang or self.lang), full=full)

    def _repr_markdown_(self) -> str:
        from ..render import markdown

        return markdown.render(self, lang=self.lang)

    def _repr_html_(self) -> str:
        """Jupyter shows the interactive page inline (the same page as ``explain --format html``)."""
        from ..render import html

        return html.render(self, fragment=True, lang=self.lang)


def check_lang(lang: str) -> str:
    """``lang`` when backcalc speaks it (en, id); else a :class:`~backcalc.errors.BackcalcError` naming both."""
    from ..errors import BackcalcError
    from ..render.labels import LANGUAGES

    if lang not in LANGUAGES:
        raise BackcalcError(f"lang {lang!r}: expected one of {', '.join(LANGUAGES)}")
    return lang


def _term_dict(t: Term) -> dict:
    return {
        "name": t.name, "key": t.key, "value": t.value,
        "factors": [{"name": f.name, "value": f.value, "formula": f.formula, "sample": c.sample}
                    for c in t.chains for f in c.factors],
        **({"positions": [c.position for c in t.chains]} if any(c.position for c in t.chains) else {}),
        "per_sample": _per_sample(t),
    }


def _time_norm_dicts(rows) -> list:
    """The JSON rows of ‖∂L/∂h_t‖; a layer with a loss at every step adds ``back`` (null at its last step)."""
    every = {r.layer for r in rows if r.back is not None}
    return [{"layer": r.layer, "sample": r.sample, "step": r.step, "norm": r.norm,
             **({"back": r.back} if r.layer in every else {}), "ratio": r.ratio, "bound": r.bound} for r in rows]


def _norm_dict(st: NormStats) -> dict:
    return {"layer": st.layer, "kind": st.kind, "name": st.name, "count": st.count, "eps": st.eps,
            "mu": st.mu, "var": st.var, "sigma": st.sigma,
            "members": [{"sample": s, "unit": u, "source": src, "x": x, "xhat": xhat} for s, u, src, x, xhat in st.members],
            "compact": [{"sample": s, "unit": u, "value": v} for s, u, v in st.compact]}


def _per_sample(t: Term) -> list:
    """Each sample's part of ∂L/∂(element): its chain's value, or the sum of its chains over positions."""
    out: dict = {}
    for c in t.chains:  # a single chain's value as it is (−0.0 stays −0.0)
        out[c.sample] = out[c.sample] + c.value if c.sample in out else c.value
    return list(out.values())
