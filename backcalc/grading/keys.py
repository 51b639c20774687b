"""The answer space of a derivation: every key an answers file can give, with its name, value and dependencies."""

from __future__ import annotations

import re

import numpy as np

from ..errors import SpecError
from ..net.names import array_key, bias_name, element_key, node_drop, node_in, node_out, parse_key, weight_name
from .dependencies import Dependencies
from .dropout_keys import dropout_arrays, drop_names, node_kind
from .items import (ANSWERABLE, LOSS_NAMES, SECTIONS, STATS, Item, Ref, answer_key,  # noqa: F401 (the package's names)
                    factor_parts)
from .norm_keys import NormItems, NormKeys
from .state_keys import split_scope, split_scoped_key, training_value

_TABLES = ("forward", "factors", "gradients", "updated")
_SAMPLE = re.compile(r"^(.*?)\[(\d+)\]\Z")


class AnswerSpace(NormItems, Dependencies):
    """Every answerable key of one derivation: names, canonical keys, expected values, dependencies."""

    def __init__(self, d):
        self.d = d
        spec = self.spec = d.spec
        maps = [layer for layer in spec.layers if getattr(layer, "out_shape", None) or getattr(layer, "in_shape", None)]
        if maps:  # conv, pool and flatten nets have their own space (grading/conv_keys.py; grading.spaces picks)
            raise SpecError(f'{spec.source}: layers[{maps[0].index}] ("{maps[0].name}"): check, grade and exercise '
                            f"answer nets of dense layers only so far, not kind {maps[0].kind!r}")
        for layer in spec.layers:  # a kind whose answers the keys cannot judge yet says so (checkable = False)
            if not getattr(layer, "checkable", True):
                raise SpecError(f'{spec.source}: layers[{layer.index}] ("{layer.name}"): check cannot judge answers '
                                f'for {layer.kind} layers yet')
        self.N = len(spec.layers)
        self.S = spec.samples
        self.lr = spec.learning_rate
        self.old = spec.parameters()
        self.a = {0: np.asarray(spec.x, dtype=float)}
        self.z = {}
        self.norm = {}  # layer → NormKeys of a normalisation layer (batchnorm, layernorm)
        for n in range(1, self.N + 1):
            self.a[n] = np.asarray(d.forward[array_key("a", n)], dtype=float)
            if array_key("z", n) in d.forward:
                self.z[n] = np.asarray(d.forward[array_key("z", n)], dtype=float)
            else:  # a normalisation unit's _in is gamma·x̂ + beta, as the tape computed it
                self.norm[n] = NormKeys(spec.layers[n - 1], d, self.old)
                self.z[n] = self.norm[n].z
        self.scale, self.drop, self.g_drop = dropout_arrays(d)  # dropout layers: mask/(1 − p), u_drop, ∂L/∂u_drop
        self.grads = {k: np.asarray(v, dtype=float) for k, v in d.gradients.items()}
        self.updated = {k: np.asarray(v, dtype=float) for k, v in d.updated.items()}
        self.units = {}
        for c, u in enumerate(spec.input_unit_names):
            self.units[u] = (0, c)
        for layer in spec.layers:
            for c, u in enumerate(layer.unit_names):
                self.units[u] = (layer.index, c)
        self.params = {}
        self.pnames = {}  # canonical element key → display name
        for name, key in spec.param_names():
            k = parse_key(key)
            self.params[name] = Ref(k.kind, k.layer, unit=k.index[-1], source=k.index[0] if k.kind == "W" else None)
            self.pnames[key] = name
        self.stat_names = {}  # "mu_n1", "var_n_s2", "xhat_n1" → (kind, layer, group or unit)
        for n, nk in self.norm.items():
            for g, name in enumerate(nk.groups):
                self.stat_names[f"mu_{name}"], self.stat_names[f"var_{name}"] = ("mu", n, g), ("var", n, g)
            for c, u in enumerate(spec.layers[n - 1].unit_names):
                self.stat_names[f"xhat_{u}"] = ("xhat", n, c)
        self.g_out, self.delta, self.local = {}, {}, {}
        for layer in spec.layers:
            shape = (self.S, layer.units)
            self.g_out[layer.index] = np.zeros(shape)
            self.delta[layer.index] = np.zeros(shape)
            self.local[layer.index] = np.zeros(shape) if layer.activation != "softmax" else None
        for u in d.upstream:
            if not u.name.endswith("_drop"):
                self.g_out[u.layer][u.sample - 1, self.units[u.unit][1]] = u.value
        self._read_deltas(d)

    def _read_deltas(self, d):
        """δ and the local factor ∂out/∂in of every unit and sample, from the derivation's records."""
        for x in d.deltas:
            c = self.units[x.unit][1]
            self.delta[x.layer][x.sample - 1, c] = x.value
            if self.local[x.layer] is not None:
                self.local[x.layer][x.sample - 1, c] = x.local

    def array_dims(self, kind, n):
        """(shape, what) of a canonical array of more than two axes (a conv kernel, a map), else None."""
        return None

    def source(self, n):
        """What layer n + 1 reads from layer n: u_drop after dropout, else u_out (the data for n = 0)."""
        return self.drop.get(n, self.a[n])

    def _sent(self, n) -> str:
        return "_drop" if n in self.drop else "_out"

    # ── names ──
    def wname(self, n, a, c):
        return weight_name(self.spec.unit_names(n - 1)[a], self.spec.unit_names(n)[c])

    def node(self, text: str):
        """("k1", "out") for "k1_out" (also "k1out", "K1_Out"); ("i", "out") for an input unit; else None."""
        m = re.fullmatch(r"(.+?)_?(out|in|drop)", text, flags=re.IGNORECASE)
        candidates = [(m.group(1), m.group(2).lower())] if m else []
        candidates.append((text, "out"))
        for unit, kind in candidates:
            hit = self.units.get(unit)
            if hit is None:
                folded = [u for u in self.units if u.lower() == unit.lower()]
                hit = self.units.get(folded[0]) if len(folded) == 1 else None
                unit = folded[0] if hit else unit
            if hit is not None and not (hit[0] == 0 and kind != "out") and (kind != "drop" or hit[0] in self.drop):
                return unit, kind
        return None

    def _suffix(self, s):
        return f"[{s}]" if self.S > 1 else ""

    def _sample_name(self, s):
        return f" (sample {s + 1})" if self.S > 1 else ""

    # ── items ──
    def loss_item(self, which):
        d = self.d
        return Item(which, which, which, d.loss if which == "loss" else d.loss_after, Ref(which),
                     (SECTIONS.index(which),))

    def param_item(self, section, kind, n, *idx):
        if kind == "W":
            a, c = idx
            name, key = self.wname(n, a, c), element_key("W", n, a, c)
            order = (n, 0, a, c)
        else:  # a bias, or a normalisation layer's gamma or beta
            (c,) = idx
            key = element_key(kind, n, c)
            name = self.pnames[key]
            order = (n, 0 if kind == "gamma" else 1, c, 0)
        arr = array_key(kind, n)
        source = self.grads if section == "gradients" else self.updated
        old = float(self.old[arr][idx]) if section == "updated" else None
        return Item(section, f"{section}.{key}", name, float(source[arr][idx]),
                    Ref(kind, n, unit=idx[-1], source=idx[0] if kind == "W" else None),
                     (SECTIONS.index(section),) + order, old)

    def training_item(self, scope, kind, n, idx):
        """A parameter element in a training scope: ``state.exp_avg``, ``state.step1.momentum_buffer``,
        ``updated.step2`` (grading/state_keys.py)."""
        found = training_value(self, scope, kind, n, idx)
        if found is None:  # the last step's [updated]
            return self.param_item("updated", kind, n, *idx)
        section, key, name, value, old, step, rank = found
        order = (n, 0, *idx) if kind == "W" else (n, 1, idx[0], 0)
        return Item(section, key, name, value, self.param_ref(kind, n, idx),
                    (SECTIONS.index(section), step) + rank + order, old, step)

    def param_ref(self, kind, n, idx) -> Ref:
        """The :class:`Ref` of parameter element ``idx`` of array ``kind`` of layer ``n`` (a weight's is ``(source,
        unit)``)."""
        return Ref(kind, n, unit=idx[-1], source=idx[0] if kind == "W" else None)

    def forward_item(self, kind, n, s, c):
        unit = self.spec.layers[n - 1].unit_names[c]
        if kind == "xhat":
            return Item("forward", f"forward.xhat{n}[{s}][{c}]", f"xhat_{unit}{self._sample_name(s)}",
                        float(self.norm[n].xhat[s, c]), Ref(kind, n, unit=c, sample=s),
                        (SECTIONS.index("forward"), s, n, c, -1))
        value = {"z": self.z, "a": self.a, "drop": self.drop}[kind][n][s, c]
        name = f"{unit}_{ {'z': 'in', 'a': 'out', 'drop': 'drop'}[kind]}{self._sample_name(s)}"
        return Item("forward", f"forward.{kind}{n}[{s}][{c}]", name, float(value), Ref(kind, n, unit=c, sample=s),
                     (SECTIONS.index("forward"), s, n, c, kind == "a"))

    def factor_item(self, kind, n, c, s, a=None):
        """kind: out (∂L/∂u_out), local (∂u_out/∂u_in), delta (∂L/∂u_in), src (∂u_in/∂w_au), one (∂u_in/∂b_u),
        wpath (∂u_in/∂(source a)_out or _drop); with dropout dout (∂L/∂u_drop) and mask (∂u_drop/∂u_out)."""
        if kind == "dout":
            value = self.g_drop[n][s, c]
        elif kind == "mask":
            value = self.scale[n][s, c]
        elif kind == "out":
            value = self.g_out[n][s, c]
        elif kind == "delta":
            value = self.delta[n][s, c]
        elif kind == "local":
            if self.local[n] is None:
                u = self.spec.layers[n - 1].unit_names[c]
                raise KeyError(f"∂{node_out(u)}/∂{node_in(u)}: a softmax unit's output depends on every unit's input, so "
                               f"there is no single factor; give ∂L/∂{node_in(u)} instead")
            value = self.local[n][s, c]
        elif kind == "src":  # ∂u_in/∂w_au = the source's value; ∂u_in/∂gamma_u = x̂_u
            value = self.norm[n].xhat[s, c] if n in self.norm else self.source(n - 1)[s, a]
        elif kind == "one":
            value = 1.0
        else:  # wpath
            value = self.spec.layers[n - 1].weights[a, c]
        name = self._factor_name(kind, n, c, a)
        rank = ("dout", "mask", "out", "local", "delta", "src", "one", "wpath").index(kind)
        return Item("factors", f"factors.{name}{self._suffix(s)}", name + self._sample_name(s), float(value),
                     Ref(kind, n, unit=c, sample=s, source=a),
                     (SECTIONS.index("factors"), -n, c, rank, a if a is not None else -1, s))

    def factor_key(self, kind, n, c, s, a=None) -> str:
        """The scoped key of :meth:`factor_item` without making the item (the blame search asks for many).

        >>> from backcalc.net.derivation import explain
        >>> sp = AnswerSpace(explain())
        >>> sp.factor_key("src", 2, 0, 0, 1) == sp.factor_item("src", 2, 0, 0, 1).key
        True
        """
        return f"factors.{self._factor_name(kind, n, c, a)}{self._suffix(s)}"

    def _factor_name(self, kind, n, c, a=None) -> str:
        memo = self.__dict__.setdefault("_factor_names", {})  # the same names are asked for every sample
        name = memo.get((kind, n, c, a))
        if name is None:
            name = memo[(kind, n, c, a)] = self._make_factor_name(kind, n, c, a)
        return name

    def _make_factor_name(self, kind, n, c, a) -> str:
        u = self.spec.layers[n - 1].unit_names[c]
        if kind == "src":
            param = self.pnames[element_key("gamma", n, c)] if n in self.norm else self.wname(n, a, c)
            return f"∂{node_in(u)}/∂{param}"
        if kind == "one":
            return f"∂{node_in(u)}/∂{self.pnames[element_key('beta' if n in self.norm else 'b', n, c)]}"
        if kind == "wpath":
            src = self.spec.unit_names(n - 1)[a]
            return f"∂{node_in(u)}/∂{src if n == 1 else src + self._sent(n - 1)}"
        return {"dout": f"∂L/∂{node_drop(u)}", "mask": f"∂{node_drop(u)}/∂{node_out(u)}", "out": f"∂L/∂{node_out(u)}",
                "delta": f"∂L/∂{node_in(u)}", "local": f"∂{node_out(u)}/∂{node_in(u)}"}[kind]

    # ── resolving a scoped key: "gradients.W1[0][0]", "updated.b_o", "factors.dL/dk1_out", "loss" ──
    def resolve(self, scoped: str) -> list:
        scoped = scoped.strip()
        if scoped in ("loss", "loss_after"):
            return [self.loss_item(scoped)]
        training = split_scoped_key(scoped)
        section, _, rest = scoped.partition(".") if training is None else (training[0], ".", training[1])
        if (section not in _TABLES and training is None) or not rest:
            raise KeyError(f"{scoped!r}: expected loss, loss_after or a key scoped by its table "
                           f"(forward., factors., gradients., updated.), like gradients.W1[0][0] or gradients.w_ij1")
        k = answer_key(rest)
        if k and k.index and section != "factors":
            for item in self.array_items(section, k.kind, k.layer):
                if item.key == f"{section}.{rest}":
                    return [item]
            raise KeyError(f"{scoped!r}: no such element (indices are 0-based, as in numpy)")
        sample = None
        items = self.name_items(section, rest, quiet=True)
        if not items:
            sm = _SAMPLE.match(rest)
            if not sm:
                self.name_items(section, rest)  # raises, naming the key
            items, sample = self.name_items(section, sm.group(1)), int(sm.group(2))
            if len(items) != self.S or sample >= self.S:
                raise KeyError(f"{scoped!r}: sample {sample} does not exist (0-based; the net has {self.S})")
            items = [items[sample]]
        if len(items) != 1:
            raise KeyError(f"{scoped!r}: the net has {self.S} samples; add the 0-based sample, e.g. {scoped}[0]")
        return items

    def array_items(self, section, kind, n):
        """Every element of a canonical array (W2, b1, z1, a3), in order."""
        if not 1 <= n <= self.N:
            raise KeyError(f"layer {n} does not exist (the net has layers 1 to {self.N})")
        layer = self.spec.layers[n - 1]
        norm = n in self.norm
        if split_scope(section) is not None and not norm and (kind == "W" or kind == "b" and layer.bias is not None):
            idxs = np.ndindex(layer.fan_in, layer.units) if kind == "W" else ((c,) for c in range(layer.units))
            return [self.training_item(section, kind, n, idx) for idx in idxs]
        if section == "forward" and (kind == "a" or kind == "z" and not norm or kind == "drop" and n in self.drop
                                     or kind == "xhat" and norm):
            return [self.forward_item(kind, n, s, c) for s in range(self.S) for c in range(layer.units)]
        if section == "forward" and kind in STATS and norm:
            return [self.stat_item(kind, n, g) for g in range(len(self.norm[n].groups))]
        if section in ("gradients", "updated") and kind == "W" and not norm:
            return [self.param_item(section, "W", n, a, c) for a in range(layer.fan_in) for c in range(layer.units)]
        if section in ("gradients", "updated") and (kind == "b" and not norm and layer.bias is not None
                                                     or kind in ("gamma", "beta") and norm):
            return [self.param_item(section, kind, n, c) for c in range(layer.units)]
        raise KeyError(f"{kind}{n} does not belong under [{section}]" + (
            f" (layer {n} is a {layer.kind} layer: gamma{n}, beta{n}; forward mu{n}, var{n}, xhat{n}, a{n})"
            if norm else ""))

    def name_items(self, section, name, quiet=False):
        """The items a display name stands for (one per sample for node values and factors)."""
        try:
            if split_scope(section) is not None:
                p = self.params.get(name)
                if p is None:
                    raise KeyError(name)
                return [self.training_item(section, p.kind, p.layer, p.index)]
            if section in ("gradients", "updated"):
                p = self.params.get(name)
                if p is None:
                    raise KeyError(name)
                return [self.param_item(section, p.kind, p.layer, *p.index)]
            if section == "forward" and name in self.stat_names:
                kind, n, k = self.stat_names[name]
                if kind == "xhat":
                    return [self.forward_item("xhat", n, s, k) for s in range(self.S)]
                return [self.stat_item(kind, n, k)]
            if section == "forward":
                node = self.node(name)
                if node is None or self.units[node[0]][0] == 0:
                    raise KeyError(name)
                n, c = self.units[node[0]]
                return [self.forward_item(node_kind(node[1]), n, s, c) for s in range(self.S)]
            if section == "factors":
                return self.factor_items(name)
        except KeyError:
            if quiet:
                return []
            raise
        raise KeyError(name)

    def factor_items(self, text):
        num, den = factor_parts(text)
        if num in LOSS_NAMES:
            if den in self.stat_names:  # ∂L/∂xhat_n1, ∂L/∂var_n1, ∂L/∂mu_n1: the factors of the three paths
                kind, n, k = self.stat_names[den]
                if self.norm[n].grad_xhat is None:
                    raise KeyError(f"{text}: not recorded (layer {n} reads the data, or the net is too large for "
                                   f"per-unit records)")
                return self.grad_stat_item("g" + kind, n, k)
            if den in self.params:
                p = self.params[den]
                return [self.param_item("gradients", p.kind, p.layer, *p.index)]
            node = self.node(den)
            if node is None or self.units[node[0]][0] == 0:
                raise KeyError(text)
            n, c = self.units[node[0]]
            kind = {"out": "out", "in": "delta", "drop": "dout"}[node[1]]
            return [self.factor_item(kind, n, c, s) for s in range(self.S)]
        top = self.node(num)
        if top is None or self.units[top[0]][0] == 0:
            raise KeyError(text)
        n, c = self.units[top[0]]
        if top[1] == "drop":
            if self.node(den) == (top[0], "out"):
                return [self.factor_item("mask", n, c, s) for s in range(self.S)]
            raise KeyError(text)
        if top[1] == "out":
            low = self.node(den)
            if low == (top[0], "in"):
                return [self.factor_item("local", n, c, s) for s in range(self.S)]
            raise KeyError(text)
        p = self.params.get(den)
        if p is not None and p.layer == n and p.unit == c:
            if p.kind in ("b", "beta"):
                return [self.factor_item("one", n, c, s) for s in range(self.S)]
            return [self.factor_item("src", n, c, s, p.source) for s in range(self.S)]
        low = self.node(den)
        if low is not None and self.units[low[0]][0] == n - 1 and "_" + low[1] == (self._sent(n - 1) if n > 1 else "_out"):
            if n in self.norm:
                u = self.spec.layers[n - 1].unit_names[c]
                raise KeyError(f"{text}: a normalisation unit reads its input by three paths (through xhat, var and "
                               f"mu), not one weight; give ∂L/∂xhat_{u}, ∂L/∂var_…, ∂L/∂mu_… instead")
            return [self.factor_item("wpath", n, c, s, self.units[low[0]][1]) for s in range(self.S)]
        raise KeyError(text)

    def names(self, section) -> list:
        """Valid keys of a table, for did-you-mean suggestions."""
        out = []
        if section == "forward":
            for n, layer in enumerate(self.spec.layers, start=1):
                arrays = [f"mu{n}", f"var{n}", f"xhat{n}"] if n in self.norm else [f"z{n}"]
                out += arrays + [f"a{n}"] + [f"{u}_{k}" for u in layer.unit_names for k in ("in", "out")]
            out += list(self.stat_names)
        elif section in ("gradients", "updated") or split_scope(section) is not None:
            out = [f"{k}{n}" for n, layer in enumerate(self.spec.layers, start=1)
                   for k in (("gamma", "beta") if n in self.norm else "Wb")
                   if k != "b" or layer.bias is not None] + list(self.params)
        elif section == "factors":
            for layer in self.spec.layers:
                for u in layer.unit_names:
                    out += [f"∂L/∂{node_out(u)}", f"∂{node_out(u)}/∂{node_in(u)}", f"∂L/∂{node_in(u)}", f"dL/d{node_out(u)}", f"dL/d{node_in(u)}"]
            out += [f"∂L/∂{name}" for name in self.stat_names]
        return out + (drop_names(self.spec) if section in ("forward", "factors") else [])
