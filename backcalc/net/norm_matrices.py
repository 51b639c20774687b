"""The matrix form of a normalisation layer (batchnorm, layernorm), rows are samples and columns units:

    X̂ = (X − μ)/√(σ² + ε),   G = ∂L/∂A ⊙ f′(Y)  (Y = γ ⊙ X̂ + β),   dγ = Σ_s (G ⊙ X̂),   dβ = Σ_s G,
    ∂L/∂X̂ = G ⊙ γ,   ∂L/∂X = (1/(N·σ)) ⊙ (N·∂L/∂X̂ − Σ ∂L/∂X̂ − X̂ ⊙ Σ (∂L/∂X̂ ⊙ X̂)),   σ = √(σ² + ε)

with the sums in ∂L/∂X over the group the statistics are taken over (batchnorm: the samples, a column at a time;
layernorm: the units, a row at a time), N its size. Each matrix is read from the derivation's records: X the
layer's input, μ, σ² and X̂ the forward values, G and f′ the δ records of the layer's units, ∂L/∂X̂ and σ the
norm statistics' records, dγ, dβ the tape's gradients and ∂L/∂X the upstream records of the layer before.
Nothing is multiplied here; tests/test_matrix_norm.py multiplies the matrices with numpy and finds the records'
values (and an independent numpy normalisation's, and PyTorch's).

>>> from backcalc import explain, load_spec
>>> m = norm_matrices(explain(load_spec("worked_examples/batchnorm_221.toml")))[0]
>>> m.kind, m.count, [round(v, 5) for v in m.sigma]
('batchnorm', 2, [0.35001, 0.30002])
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NormMatrices:
    """One normalisation layer's matrices (lists of rows; samples × units unless said)."""

    layer: int
    name: str
    kind: str              # "batchnorm" (statistics per unit, over the samples) or "layernorm" (per sample)
    activation: str
    count: int             # N
    eps: float
    source: str            # "x" or "a{n−1}"
    x: list                # the layer's input
    mu: list               # one per group (units for batchnorm, samples for layernorm)
    var: list
    sigma: list            # √(σ² + ε), one per group
    xhat: list
    gamma: list            # units
    grad_a: list           # ∂L/∂A
    local: list            # f′(Y)
    grad_y: list           # G = ∂L/∂Y
    dgamma: list           # units
    dbeta: list            # units
    grad_xhat: list        # ∂L/∂X̂
    grad_x: list | None    # ∂L/∂X (None when the layer reads the data and the derivation lists no input gradient)


def norm_matrices(d) -> tuple:
    """The matrix form of every normalisation layer of ``d``, output side first; ``()`` when the derivation lists
    no units."""
    spec = d.spec
    if not d.shows_detail():
        return ()
    out = []
    for layer in reversed(spec.layers):
        if getattr(layer, "normalises", False):
            m = _layer(d, layer)
            out += [m] if m is not None else []
    return tuple(out)


def _layer(d, layer) -> NormMatrices | None:
    """The layer's matrices; None when the statistics' records hold no ∂L/∂x̂ (a batch of one: x̂ = 0, and the
    page says so)."""
    spec, n = d.spec, layer.index
    rows, units = range(1, spec.samples + 1), layer.unit_names
    delta = {(x.unit, x.sample): x for x in d.deltas}
    grad = {(u.layer, u.unit, u.sample): u.value for u in d.upstream}
    stats = [s for s in d.norm_stats if s.layer == n]
    grad_xhat = {(sample, unit): g for s in stats for (sample, unit, *_), g in zip(s.members, s.grad_xhat)}
    if any((s, u) not in grad_xhat for u in units for s in rows):
        return None
    sources = spec.unit_names(n - 1)
    has_grad_x = all((n - 1, u, s) in grad for u in sources for s in rows)
    return NormMatrices(
        layer=n, name=layer.name, kind=layer.kind, activation=layer.activation, count=stats[0].count,
        eps=layer.eps, source="x" if n == 1 else f"a{n - 1}",
        x=spec.x.tolist() if n == 1 else d.forward[f"a{n - 1}"],
        mu=[s.mu for s in stats], var=[s.var for s in stats], sigma=[s.sigma for s in stats],
        xhat=d.forward[f"xhat{n}"], gamma=layer.gamma.tolist(),
        grad_a=[[grad[(n, u, s)] for u in units] for s in rows],
        local=[[delta[(u, s)].local for u in units] for s in rows],
        grad_y=[[delta[(u, s)].value for u in units] for s in rows],
        dgamma=d.gradients[f"gamma{n}"], dbeta=d.gradients[f"beta{n}"],
        grad_xhat=[[grad_xhat[(s, u)] for u in units] for s in rows],
        grad_x=[[grad[(n - 1, u, s)] for u in sources] for s in rows] if has_grad_x else None)
