"""A normalisation layer's statistics on the page: μ, σ², σ and x̂ with numbers, the heading that says what they
are taken over, and the compact form of ∂L/∂x shown as the check under the sum of its three paths."""

from __future__ import annotations

from .format import num, signed
from .shared import count


def norm_stat_lines(d, layer: int, digits, L) -> list:
    """A normalisation layer's μ, σ², √(σ² + eps) and x̂ of each group, with numbers (batchnorm: per unit over
    the batch; layernorm: per sample over its units)."""
    out = []
    for st in (r for r in d.norm_stats if r.layer == layer):
        if not out:
            out += ["  " + line for line in norm_heading(st, digits, L)]
        for lhs, sides, sample in norm_stat_equations(st, digits):
            tag = f"[{sample}] " if sample and d.spec.samples > 1 else ""
            out.append(f"  {tag}{lhs} = {' = '.join(sides)}")
    return out


def norm_words(kind: str, n: int, eps: float, digits, L) -> str:
    """``batchnorm: each unit over the 2 samples of the batch (biased variance, eps = 1e-05)``: what a
    normalisation layer's statistics are taken over, and its eps."""
    return L["norm_stats"][kind].format(n=count(L["norm_count"][kind], n), eps=num(eps, digits))


def norm_heading(st, digits, L) -> list:
    """What a normalisation layer's statistics are taken over (and, for a batch of one, what that gives)."""
    out = [norm_words(st.kind, st.count, st.eps, digits, L)]
    if st.count == 1 and st.kind == "batchnorm":
        out.append(L["batch_of_one"])
    return out


def norm_stat_equations(st, digits) -> list:
    """``(lhs, sides, sample)`` of one group's statistics: μ, σ², σ = √(σ² + eps), then each member's x̂
    (``sample`` is 0 for the statistics, the member's sample for its x̂); the text and LaTeX pages set them."""
    xs = " + ".join(signed(x, digits) for _, _, _, x, _ in st.members)
    sq = " + ".join(f"({signed(x, digits)} − {signed(st.mu, digits)})²" for _, _, _, x, _ in st.members)
    rows = [(f"mu_{st.name}", [f"({xs})/{st.count}", num(st.mu, digits)], 0),
            (f"var_{st.name}", [f"({sq})/{st.count}", num(st.var, digits)], 0),
            (f"sigma_{st.name}", [f"√(var_{st.name} + eps)", f"√({num(st.var, digits)} + {num(st.eps, digits)})",
                                  num(st.sigma, digits)], 0)]
    for s, unit, src, x, xhat in st.members:
        rows.append((f"xhat_{unit}", [f"({src} − mu_{st.name})/sigma_{st.name}",
                                      f"({signed(x, digits)} − {signed(st.mu, digits)})/{num(st.sigma, digits)}",
                                      num(xhat, digits)], s))
    return rows


# ∂L/∂x of a normalisation layer's input in one line, shown under the sum of its three paths as the check
COMPACT_FORMULA = "(1/(N·sigma))·(N·g − Σg − xhat·Σ(g·xhat))"
COMPACT_G = "g = ∂L/∂xhat"


def compact_label(L) -> str:
    """``check, the compact form: (1/(N·sigma))·(…) with g = ∂L/∂xhat`` in the page's language."""
    return L["compact"].format(formula=COMPACT_FORMULA, g=COMPACT_G)
