"""The formulas of an optimizer step as a student is shown them: one :class:`Formula` per quantity, in order.

:func:`formulas` reads a :class:`~backcalc.net.optim.Settings` and returns the templates for exactly the rule
it describes (PyTorch's or a textbook variant); the renderers fill in names and numbers.

>>> from backcalc.net.optim import settings
>>> [f.quantity for f in formulas(settings("momentum", lr=0.1, momentum=0.9))]
['momentum_buffer', 'param']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the step's numbers live in optim.py, its words here
    from .optim import Settings


# ─────────────────────────── the formulas shown to the student, one home ───────────────────────────
# Templates name quantities and hyperparameters as ${...}: ``g`` (the gradient the rule uses: after clipping and
# weight decay), ``dL`` (∂L/∂θ after clipping), ``w_old``/``w`` (the parameter before/after), ``X_old``/``X``
# (state X before/after), ``w_decayed``, ``exp_avg_hat``, ``exp_avg_sq_hat``, ``t`` and the settings' names.

@dataclass(frozen=True)
class Formula:
    """How one quantity of a step is computed: its name (a key of :attr:`Update.values`) and templates."""

    quantity: str
    text: str
    latex: str


# Symbols per placeholder: (text, LaTeX). The parameter's own name replaces "w" when a page knows it.
SYMBOLS = {
    "g": ("g", "g_t"), "dL": ("∂L/∂w", "\\frac{\\partial L}{\\partial w}"), "w_old": ("w", "w_{t-1}"), "w": ("w", "w_t"),
    "w_decayed": ("w′", "w'_t"),
    "momentum_buffer": ("v", "v_t"), "momentum_buffer_old": ("v", "v_{t-1}"),
    "velocity": ("v", "v_t"), "velocity_old": ("v", "v_{t-1}"),
    "exp_avg": ("m", "m_t"), "exp_avg_old": ("m", "m_{t-1}"),
    "exp_avg_sq": ("v", "v_t"), "exp_avg_sq_old": ("v", "v_{t-1}"),
    "max_exp_avg_sq": ("v_max", "v^{\\max}_t"), "max_exp_avg_sq_old": ("v_max", "v^{\\max}_{t-1}"),
    "square_avg": ("s", "s_t"), "square_avg_old": ("s", "s_{t-1}"),
    "grad_avg": ("ḡ", "\\bar g_t"), "grad_avg_old": ("ḡ", "\\bar g_{t-1}"),
    "sum": ("s", "s_t"), "sum_old": ("s", "s_{t-1}"),
    "exp_avg_hat": ("m̂", "\\hat m_t"), "exp_avg_sq_hat": ("v̂", "\\hat v_t"),
    "lr": ("lr", "\\eta"), "momentum": ("μ", "\\mu"), "beta1": ("β1", "\\beta_1"), "beta2": ("β2", "\\beta_2"),
    "alpha": ("α", "\\alpha"), "eps": ("ε", "\\varepsilon"), "weight_decay": ("λ", "\\lambda"), "t": ("t", "t"),
}


def _f(quantity, text, latex):
    return Formula(quantity, text, latex)


def _momentum_formulas(s: Settings) -> list:
    if s.momentum_form == "cs231n":
        out = [_f("velocity", "${velocity} ← ${momentum}·${velocity_old} − ${lr}·${g}",
                  "${velocity} = ${momentum}\\,${velocity_old} - ${lr}\\,${g}")]
        if s.optimizer == "nesterov":
            return out + [_f("param", "${w} ← ${w_old} − ${momentum}·${velocity_old} + (1 + ${momentum})·${velocity}",
                             "${w} = ${w_old} - ${momentum}\\,${velocity_old} + (1 + ${momentum})\\,${velocity}")]
        return out + [_f("param", "${w} ← ${w_old} + ${velocity}", "${w} = ${w_old} + ${velocity}")]
    if s.momentum_form == "ema":
        buf = _f("momentum_buffer", "${momentum_buffer} ← ${momentum}·${momentum_buffer_old} + (1 − ${momentum})·${g}",
                 "${momentum_buffer} = ${momentum}\\,${momentum_buffer_old} + (1 - ${momentum})\\,${g}")
    else:
        buf = _f("momentum_buffer", "${momentum_buffer} ← ${momentum}·${momentum_buffer_old} + ${g}",
                 "${momentum_buffer} = ${momentum}\\,${momentum_buffer_old} + ${g}")
    if s.optimizer == "nesterov":
        return [buf, _f("param", "${w} ← ${w_old} − ${lr}·(${g} + ${momentum}·${momentum_buffer})",
                        "${w} = ${w_old} - ${lr}\\,(${g} + ${momentum}\\,${momentum_buffer})")]
    return [buf, _f("param", "${w} ← ${w_old} − ${lr}·${momentum_buffer}",
                    "${w} = ${w_old} - ${lr}\\,${momentum_buffer}")]


def _root(s: Settings, inner: str, inner_tex: str) -> tuple[str, str]:
    """The denominator √x + ε (PyTorch) or √(x + ε) (eps_form = "inside")."""
    if s.eps_form == "inside":
        return f"√({inner} + ${{eps}})", f"\\sqrt{{{inner_tex} + ${{eps}}}}"
    return f"(√{inner} + ${{eps}})", f"\\sqrt{{{inner_tex}}} + ${{eps}}"


def _adaptive_formulas(s: Settings) -> list:
    if s.optimizer == "adagrad":
        den, den_tex = _root(s, "${sum}", "${sum}")
        return [_f("sum", "${sum} ← ${sum_old} + ${g}²", "${sum} = ${sum_old} + ${g}^2"),
                _f("param", f"${{w}} ← ${{w_old}} − ${{lr}}·${{g}}/{den}", f"${{w}} = ${{w_old}} - \\frac{{${{lr}}\\,${{g}}}}{{{den_tex}}}")]
    out = [_f("square_avg", "${square_avg} ← ${alpha}·${square_avg_old} + (1 − ${alpha})·${g}²",
              "${square_avg} = ${alpha}\\,${square_avg_old} + (1 - ${alpha})\\,${g}^2")]
    inner, inner_tex = "${square_avg}", "${square_avg}"
    if s.centered:
        out.append(_f("grad_avg", "${grad_avg} ← ${alpha}·${grad_avg_old} + (1 − ${alpha})·${g}",
                      "${grad_avg} = ${alpha}\\,${grad_avg_old} + (1 - ${alpha})\\,${g}"))
        inner, inner_tex = "(${square_avg} − ${grad_avg}²)", "${square_avg} - ${grad_avg}^2"
    den, den_tex = _root(s, inner, inner_tex)
    if s.momentum:
        return out + [_f("momentum_buffer", f"${{momentum_buffer}} ← ${{momentum}}·${{momentum_buffer_old}} + ${{g}}/{den}",
                         f"${{momentum_buffer}} = ${{momentum}}\\,${{momentum_buffer_old}} + \\frac{{${{g}}}}{{{den_tex}}}"),
                      _f("param", "${w} ← ${w_old} − ${lr}·${momentum_buffer}", "${w} = ${w_old} - ${lr}\\,${momentum_buffer}")]
    return out + [_f("param", f"${{w}} ← ${{w_old}} − ${{lr}}·${{g}}/{den}", f"${{w}} = ${{w_old}} - \\frac{{${{lr}}\\,${{g}}}}{{{den_tex}}}")]


def _adam_formulas(s: Settings) -> list:
    out = []
    start = "${w_old}"
    if s.optimizer == "adamw":
        out.append(_f("decayed", "${w_decayed} ← ${w_old}·(1 − ${lr}·${weight_decay})",
                      "${w_decayed} = ${w_old}\\,(1 - ${lr}\\,${weight_decay})"))
        start = "${w_decayed}"
    out += [_f("exp_avg", "${exp_avg} ← ${beta1}·${exp_avg_old} + (1 − ${beta1})·${g}",
               "${exp_avg} = ${beta1}\\,${exp_avg_old} + (1 - ${beta1})\\,${g}"),
            _f("exp_avg_sq", "${exp_avg_sq} ← ${beta2}·${exp_avg_sq_old} + (1 − ${beta2})·${g}²",
               "${exp_avg_sq} = ${beta2}\\,${exp_avg_sq_old} + (1 - ${beta2})\\,${g}^2")]
    second = "${exp_avg_sq}"
    if s.amsgrad:
        out.append(_f("max_exp_avg_sq", "${max_exp_avg_sq} ← max(${max_exp_avg_sq_old}, ${exp_avg_sq})",
                      "${max_exp_avg_sq} = \\max(${max_exp_avg_sq_old}, ${exp_avg_sq})"))
        second = "${max_exp_avg_sq}"
    den, den_tex = _root(s, "${exp_avg_sq_hat}", "${exp_avg_sq_hat}")
    return out + [
        _f("exp_avg_hat", "${exp_avg_hat} = ${exp_avg}/(1 − ${beta1}^${t})", "${exp_avg_hat} = \\frac{${exp_avg}}{1 - ${beta1}^{${t}}}"),
        _f("exp_avg_sq_hat", f"${{exp_avg_sq_hat}} = {second}/(1 − ${{beta2}}^${{t}})",
           f"${{exp_avg_sq_hat}} = \\frac{{{second}}}{{1 - ${{beta2}}^{{${{t}}}}}}"),
        _f("param", f"${{w}} ← {start} − ${{lr}}·${{exp_avg_hat}}/{den}",
           f"${{w}} = {start} - \\frac{{${{lr}}\\,${{exp_avg_hat}}}}{{{den_tex}}}")]


def formulas(s: Settings) -> tuple[Formula, ...]:
    """The quantities of one step of ``s`` in the order computed, each with its formula (weight decay first).

    >>> from backcalc.net.optim import settings
    >>> [f.quantity for f in formulas(settings("adam", amsgrad=True))]
    ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq', 'exp_avg_hat', 'exp_avg_sq_hat', 'param']
    >>> formulas(settings("rmsprop"))[-1].text
    '${w} ← ${w_old} − ${lr}·${g}/(√${square_avg} + ${eps})'
    """
    out = []
    if s.weight_decay and s.optimizer != "adamw":
        out.append(_f("grad", "${g} ← ${dL} + ${weight_decay}·${w_old}", "${g} = ${dL} + ${weight_decay}\\,${w_old}"))
    if s.optimizer == "sgd":
        out.append(_f("param", "${w} ← ${w_old} − ${lr}·${g}", "${w} = ${w_old} - ${lr}\\,${g}"))
    elif s.optimizer in ("momentum", "nesterov"):
        out += _momentum_formulas(s)
    elif s.optimizer in ("adagrad", "rmsprop"):
        out += _adaptive_formulas(s)
    else:
        out += _adam_formulas(s)
    return tuple(out)
