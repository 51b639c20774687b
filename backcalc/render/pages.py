"""`backcalc explain`'s output in any format, with its options (``--param``, ``--order``), from one spec.

>>> page = explain_page(None, "text", param="w_ij1")
>>> page.splitlines()[0]
'∂L/∂w_ij1 = ∂L/∂j1_out · ∂j1_out/∂j1_in · ∂j1_in/∂w_ij1'
"""

from __future__ import annotations

from ..errors import BackcalcError

FORMATS = ("text", "markdown", "latex", "json", "dot", "svg", "png", "html")
PARAM_FORMATS = ("text", "markdown", "html")
ORDER_FORMATS = ("text", "markdown", "latex", "html")
ORDERS = ("pass", "layer")


def explain_page(spec, fmt: str = "text", digits: int = 5, lang: str = "en", full: bool = False, param=None,
                 order: str = "pass"):
    """The page of ``spec`` (a NetSpec, path, dict or None) as ``str`` (``bytes`` for png)."""
    from ..net.derivation import explain, explain_steps
    from . import renderer

    if param is not None and fmt not in PARAM_FORMATS:
        raise BackcalcError(f"--param works with --format {', '.join(PARAM_FORMATS)}, not {fmt}")
    if order != "pass" and fmt not in ORDER_FORMATS:
        raise BackcalcError(f"--order {order} works with --format {', '.join(ORDER_FORMATS)}, not {fmt}")
    if fmt in ("svg", "png"):
        from .dot import graphviz

        graphviz(fmt)  # before any work
    d = explain(spec)
    if param is not None:
        _check_param(d, param)
    options = dict(digits=digits, lang=lang, full=full)
    if fmt in ("svg", "png"):
        from . import dot

        image = dot.to_image(dot.render(d, **options), fmt)
        return image.decode("utf-8") if fmt == "svg" else image
    if fmt == "html":
        from . import html

        steps = explain_steps(d.spec, min(d.spec.steps, html.MAX_STEPS_SHOWN)) if d.spec.steps > 1 else None
        return html.render(d, steps=steps, select=param, order=order, **options)
    if param is not None:
        from . import focus

        lines = focus.param_lines(d, param, digits, lang)
        return "\n".join(lines) + "\n" if fmt == "text" else "```\n" + "\n".join(lines) + "\n```\n"
    if order == "layer" and fmt == "latex":
        from . import latex

        return latex.render(d, order=order, **options)
    if order == "layer":
        from . import bylayer

        return bylayer.render(d, fmt=fmt, **options)
    return renderer(fmt).render(d, **options)


def _check_param(d, param):
    try:
        d.term(param)
    except KeyError:
        names = [t.name for t in d.terms]
        shown = ", ".join(names[:8]) + (", …" if len(names) > 8 else "")
        raise BackcalcError(f"--param: no parameter named {param!r} in this net (its parameters: {shown})") from None
