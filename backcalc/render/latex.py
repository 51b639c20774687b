"""LaTeX rendering: a complete document (amsmath only) a student can compile or paste into a report."""

from __future__ import annotations

from .format import tex_name, tex_num
from .labels import labels

_UNICODE = {"→": r"$\rightarrow$", "×": r"$\times$", "·": r"$\cdot$", "σ": r"$\sigma$", "∂": r"$\partial$",
            "−": "-", "½": r"$\frac{1}{2}$", "Σ": r"$\Sigma$", "δ": r"$\delta$", "²": r"$^2$", "–": "--", "—": "---"}
_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
            "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def escape(text: str) -> str:
    """Plain text for LaTeX: specials escaped, the common symbols mapped, any other non-ASCII dropped."""
    out = []
    for ch in text:
        if ch in _SPECIAL:
            out.append(_SPECIAL[ch])
        elif ch in _UNICODE:
            out.append(_UNICODE[ch])
        elif ord(ch) < 128:
            out.append(ch)
        else:
            out.append("?")
    return "".join(out)


def _frac(of: str, wrt: str) -> str:
    return r"\frac{\partial " + tex_name(of) + r"}{\partial " + tex_name(wrt) + "}"


def _paren(v, digits):
    t = tex_num(v, digits)
    return f"({t})" if t.startswith("-") else t


_ACT = {"linear": "{a}", "relu": r"\max(0, {a})", "sigmoid": r"\sigma({a})", "tanh": r"\tanh {a}",
        "softmax": r"\operatorname{{softmax}}({a})", "leaky_relu": r"\operatorname{{LeakyReLU}}({a})",
        "elu": r"\operatorname{{ELU}}({a})", "selu": r"\operatorname{{SELU}}({a})"}


def render(d, digits: int = 5, lang: str = "en", full: bool = False) -> str:
    L = labels(lang)
    spec = d.spec
    detailed = d.shows_detail(full)
    out = [r"\documentclass{article}", r"\usepackage{amsmath}", r"\allowdisplaybreaks", r"\begin{document}",
           "% --- backcalc derivation: paste from here ---",
           rf"\section*{{{escape(d.title or 'backcalc')}}}"]
    if detailed:
        out += [rf"\subsection*{{{escape(L['forward'])}}}", r"\begin{align*}"]
        rows = []
        for r in d.forward_rows:
            tag = rf"\quad\text{{({escape(L['sample'].format(s=r.sample))})}}" if spec.samples > 1 else ""
            names = " + ".join(f"{tex_name(w)}\\,{tex_name(src)}" for w, _, src, _ in r.sources)
            values = " + ".join(f"{_paren(wv, digits)} \\cdot {_paren(sv, digits)}" for _, wv, _, sv in r.sources)
            rows.append(f"{tex_name(r.unit + '_in')} &= {names} + {tex_name(r.bias_name)} = {values} + "
                        f"{_paren(r.bias, digits)} = {tex_num(r.z, digits)}{tag}")
            act = _ACT.get(r.activation, r.activation + "({a})").format(a=tex_name(r.unit + "_in"))
            rows.append(f"{tex_name(r.unit + '_out')} &= {act} = {tex_num(r.a, digits)}")
        out += [" \\\\\n".join(rows), r"\end{align*}"]
    out += [rf"\subsection*{{{escape(L['loss'])}}}", r"\begin{align*}"]
    out.append(f"L &= {tex_num(d.loss, digits)}"
               rf"\quad\text{{({escape(L['loss_kind'][spec.loss])}, {escape(L['reduction'][spec.reduction])})}}")
    out += [r"\end{align*}", rf"\subsection*{{{escape(L['backward'])}}}"]
    if detailed:
        rows = []
        for u in d.upstream:
            lhs = _frac("L", f"{u.unit}_out")
            if not u.paths:
                rows.append(f"{lhs} &= {tex_num(u.value, digits)}")
                continue
            names = " + ".join(f"{_frac('L', p.via + '_in')}\\,{tex_name(p.weight_name)}" for p in u.paths)
            values = " + ".join(f"{_paren(p.grad, digits)} \\cdot {_paren(p.weight, digits)}" for p in u.paths)
            rows.append(f"{lhs} &= {names} = {values} = {tex_num(u.value, digits)}")
        out += [escape(L["upstream"]), r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}"]
        rows = []
        for t in d.terms:
            for chain in t.chains:
                names = r" \cdot ".join(_frac(f.of, f.wrt) for f in chain.factors)
                values = r" \cdot ".join(_paren(f.value, digits) for f in chain.factors)
                tag = rf"\quad\text{{({escape(L['sample'].format(s=chain.sample))})}}" if spec.samples > 1 else ""
                rows.append(f"{_frac('L', t.name)} &= {names} = {values} = {tex_num(chain.value, digits)}{tag}")
            if spec.samples > 1:
                rows.append(f"{_frac('L', t.name)} &= {tex_num(t.value, digits)}"
                            rf"\quad\text{{({escape(L['summed'].format(n=spec.samples))})}}")
        out += [escape(L["terms"]), r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}"]
    c = L["col"]
    out += [rf"\subsection*{{{escape(L['update'].format(lr=d.spec.learning_rate))}}}",
            r"\begin{tabular}{lrrr}",
            rf"{escape(c['parameter'])} & {escape(c['old'])} & {escape(c['gradient'])} & {escape(c['new'])} \\ \hline"]
    updates = d.updates if detailed or len(d.updates) <= 40 else d.updates[:40]
    for u in updates:
        out.append(f"${tex_name(u.name)}$ & ${tex_num(u.old, digits)}$ & ${tex_num(u.grad, digits)}$ & "
                   f"${tex_num(u.new, digits)}$ \\\\")
    out.append(r"\end{tabular}")
    label = L["loss_after"] if spec.steps == 1 else L["loss_after_steps"].format(steps=spec.steps)
    out += ["", rf"\noindent {escape(label)}: ${tex_num(d.loss_after, digits)}$ "
                rf"({escape(L['was'])} ${tex_num(d.loss, digits)}$)",
            "% --- to here ---", r"\end{document}"]
    return "\n".join(out) + "\n"
