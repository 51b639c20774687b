"""What an answerable value is (:class:`Ref`) and one answerable value of a derivation (:class:`Item`): the
records :mod:`backcalc.grading.keys` and :mod:`backcalc.grading.norm_keys` make."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..net.names import Key, parse_key

SECTIONS = ("loss", "forward", "factors", "gradients", "updated", "loss_after", "state")
ANSWERABLE = ("W", "b", "z", "a", "drop", "gamma", "beta", "mu", "var", "xhat", "Wx", "Wh")  # the canonical arrays an answers file can give
STATS = ("mu", "var")   # a normalisation layer's statistics: one per unit (batchnorm) or per sample (layernorm)
LOSS_NAMES = ("L", "Loss", "loss", "E")   # what a factor's name may call the loss: ∂L/∂o_out, dE/dw_ho
_FACTOR = re.compile(r"(?:∂|d)(.+?)/(?:∂|d)(.+)")


def answer_key(text: str) -> Key | None:
    """The parsed canonical key (``W1``, ``b2[0]``, ``z1[0][1]``) of an answerable array, else None."""
    key = parse_key(text)
    return key if key is not None and key.kind in ANSWERABLE else None


def factor_parts(text: str) -> tuple[str, str]:
    """The numerator and denominator of a factor's name ``∂a/∂b`` (or ``da/db``), spaces ignored; KeyError(text)
    for anything else.

    >>> factor_parts("∂L / ∂o_out"), factor_parts("dk1_out/dk1_in")
    (('L', 'o_out'), ('k1_out', 'k1_in'))
    """
    m = _FACTOR.fullmatch(re.sub(r"\s+", "", text))
    if not m:
        raise KeyError(text)
    return m.group(1), m.group(2)


@dataclass(frozen=True)
class Ref:
    """What an answerable value is, by named fields (0-based unit, sample and source indices; 1-based layer).

    ``kind``: ``loss``/``loss_after``; ``W``/``b`` (a parameter's gradient or new value); ``z``/``a`` (a node's
    input or output); factors ``out`` (∂L/∂u_out), ``local`` (∂u_out/∂u_in), ``delta`` (∂L/∂u_in), ``src``
    (∂u_in/∂w_au), ``one`` (∂u_in/∂b_u), ``wpath`` (∂u_in/∂(source a)_out). ``source`` is the unit of the
    previous layer for ``W``, ``src`` and ``wpath``. Normalisation layers: ``gamma``/``beta`` (parameters),
    ``mu``/``var`` (a statistic of group ``unit`` for batchnorm, ``sample`` for layernorm), ``xhat``, and the
    factors ``gxhat``, ``gvar``, ``gmu`` (∂L/∂x̂, ∂L/∂σ², ∂L/∂μ). Map nets (grading/conv_keys.py): ``unit`` is the
    element's flat index in its map; factors ``dx`` (∂L/∂ of a data element) and ``route`` (∂pool_out/∂in_out).

    >>> Ref("W", layer=2, unit=1, source=0).index, Ref("b", layer=1, unit=3).array
    ((0, 1), 'b1')
    """

    kind: str
    layer: int = 0
    unit: int = 0
    sample: int = 0
    source: int | None = None
    at: tuple | None = None  # a kernel element's full index (out_ch, in_ch, kh, kw): grading/conv_keys.py

    @property
    def index(self) -> tuple:
        """The element's index in its parameter array: (source, unit) for W, (unit,) for b; ``at`` when given."""
        if self.at is not None:
            return self.at
        return (self.source, self.unit) if self.kind == "W" else (self.unit,)

    @property
    def array(self) -> str:
        """The canonical array key: ``W2``, ``b1``, ``z3``, ``a1``."""
        return f"{self.kind}{self.layer}"


@dataclass(frozen=True)
class Item:
    """One answerable value of a derivation: where it goes, its names, its exact value and what it is."""

    section: str
    key: str                 # canonical, scoped: "gradients.W1[0][0]", "factors.∂L/∂k1_out", "loss"
    name: str                # display: "w_ij1", "∂L/∂k1_out", "j1_out (sample 2)"
    expected: float
    ref: Ref
    order: tuple
    old: float | None = None
    step: int | None = None  # [state] and [updated.stepN]: the step it is the value after
