"""The answer space of a net with convolution, pooling and flatten layers: every key an answers file can give.

A map layer's output per sample is channels × height × width (× length in 1-D); here each is held flat, one
column per element in C order, so the dense machinery (items, tolerance, blame) reads it as a layer of
``units`` elements. Canonical keys keep the tensors' shapes: ``W1[0][0][1][1]`` (a kernel element),
``b1[0]`` (a conv bias, one per output channel), ``z1[0][0][1][0]``, ``a2[0][0][0][0]`` (samples × channels ×
height × width). Display names are those the derivation prints: ``w_c1122``, ``b_c1``, ``c121_in``,
``p111_out``; the factors ``∂L/∂c112_out``, ``∂c112_out/∂c112_in``, ``∂L/∂c112_in``, a kernel element's
factor at one output position ``∂c112_in/∂w_c1122`` (the input under it there), ``∂c112_in/∂b_c1`` (1),
``∂c112_in/∂x122`` (the kernel element joining them), a pool's routing ``∂p111_out/∂c112_out`` (1 for the
window's maximum, 0 for the others, 1/size for an average) and, when a conv reads the data, ``∂L/∂x122``.

>>> from backcalc.net.derivation import explain
>>> sp = MapSpace(explain("worked_examples/conv_pool.toml"))
>>> [(i.key, i.expected) for i in sp.resolve("gradients.w_c1122") + sp.resolve("factors.∂p111_out/∂c112_out")]
[('gradients.W1[0][0][1][1]', 0.75), ('factors.∂p111_out/∂c112_out', 1.0)]
"""

from __future__ import annotations

import numpy as np

from ..errors import SpecError
from ..net.names import array_key, element_key, node_in, node_out, parse_key
from .items import LOSS_NAMES, SECTIONS, Item, Ref, factor_parts
from .keys import AnswerSpace
from .state_keys import split_scope

_RANK = ("out", "route", "local", "delta", "src", "one", "wpath", "dx")


def has_maps(spec) -> bool:
    """A net with a conv, pool or flatten layer (their outputs, or inputs, are maps)."""
    return any(hasattr(layer, "out_shape") or layer.kind == "flatten" for layer in spec.layers)


def is_map(layer) -> bool:
    """A conv or pool layer: its output is a map (flatten's is a row of features)."""
    return hasattr(layer, "out_shape")


def is_conv(layer) -> bool:
    return is_map(layer) and layer.n_parameters > 0


class MapSpace(AnswerSpace):
    """:class:`~backcalc.grading.keys.AnswerSpace` of a net with maps (made by ``AnswerSpace(d)`` itself)."""

    def __init__(self, d):
        self.d = d
        spec = self.spec = d.spec
        for layer in spec.layers:
            if getattr(layer, "dropout", None) is not None or getattr(layer, "skip", None) or layer.kind in (
                    "batchnorm", "layernorm", "rnn"):
                raise SpecError(f'{spec.source}: layers[{layer.index}] ("{layer.name}"): check answers conv and pool '
                                f"nets of conv, pool, flatten and dense layers without dropout or skips so far, not "
                                f"{'dropout' if getattr(layer, 'dropout', None) is not None else layer.kind}")
        self.N, self.S, self.lr = len(spec.layers), spec.samples, spec.learning_rate
        self.old = spec.parameters()
        self.a = {0: np.asarray(spec.x, dtype=float).reshape(self.S, -1)}
        self.z = {}
        for n in range(1, self.N + 1):
            self.a[n] = np.asarray(d.forward[array_key("a", n)], dtype=float).reshape(self.S, -1)
            if array_key("z", n) in d.forward:
                self.z[n] = np.asarray(d.forward[array_key("z", n)], dtype=float).reshape(self.S, -1)
        self.norm, self.scale, self.drop, self.g_drop, self.stat_names = {}, {}, {}, {}, {}
        self.grads = {k: np.asarray(v, dtype=float) for k, v in d.gradients.items()}
        self.updated = {k: np.asarray(v, dtype=float) for k, v in d.updated.items()}
        self.units = {u: (0, c) for c, u in enumerate(spec.input_unit_names)}
        for layer in spec.layers:
            self.units.update({u: (layer.index, c) for c, u in enumerate(layer.unit_names)})
        self.params, self.pnames = {}, {}
        for name, key in spec.param_names():
            k = parse_key(key)
            if k.kind == "W" and is_conv(spec.layers[k.layer - 1]):
                self.params[name] = Ref("W", k.layer, unit=k.index[0], at=k.index)
            elif k.kind == "W":
                self.params[name] = Ref("W", k.layer, unit=k.index[1], source=k.index[0])
            else:
                self.params[name] = Ref("b", k.layer, unit=k.index[0])
            self.pnames[key] = name
        self._read_records(d)

    def _read_records(self, d):
        """∂L/∂out, ∂out/∂in, δ of every element, ∂L/∂x of the data, and each pool's routing, as the tape
        recorded them (the derivation's records)."""
        self.g_out, self.delta, self.local = {}, {}, {}
        for layer in self.spec.layers:
            shape = (self.S, layer.units)
            self.g_out[layer.index] = np.zeros(shape)
            self.delta[layer.index] = np.zeros(shape)
            activated = layer.index in self.z and layer.activation != "softmax"
            self.local[layer.index] = np.zeros(shape) if activated else None
        self.g_x = None
        self.route = {}  # (pool layer, sample, pool element, input element) → ∂pool_out/∂in_out
        for u in d.upstream:
            n, c = self.units[u.unit]
            if n == 0:
                if self.g_x is None:
                    self.g_x = np.zeros(self.a[0].shape)
                self.g_x[u.sample - 1, c] = u.value
            else:
                self.g_out[n][u.sample - 1, c] = u.value
            if n < self.N and not is_conv(self.spec.layers[n]) and is_map(self.spec.layers[n]):
                for p in u.paths:
                    self.route[(n + 1, u.sample - 1, self.units[p.via][1], c)] = p.weight
        self._read_deltas(d)

    # ── shapes ──
    def array_dims(self, kind, n):
        """(shape, what) of a canonical array of more than two axes (a kernel, a map), else None."""
        layer = self.spec.layers[n - 1]
        if kind == "W" and is_conv(layer):
            return tuple(layer.weights.shape), "kernel"
        if kind in ("z", "a") and is_map(layer):
            return (self.S, *layer.out_shape), "map"
        return None

    def array_shape(self, kind, n) -> tuple:
        layer = self.spec.layers[n - 1]
        if kind == "b" and is_conv(layer):
            return layer.bias.size, 0, "channel"
        return super().array_shape(kind, n)

    # ── items ──
    def param_item(self, section, kind, n, *idx):
        layer = self.spec.layers[n - 1]
        if not is_conv(layer):
            return super().param_item(section, kind, n, *idx)
        key = element_key(kind, n, *idx)
        arr = array_key(kind, n)
        source = self.grads if section == "gradients" else self.updated
        old = float(self.old[arr][idx]) if section == "updated" else None
        order = (SECTIONS.index(section), n, 0 if kind == "W" else 1, *idx)
        return Item(section, f"{section}.{key}", self.pnames[key], float(source[arr][idx]),
                    self.param_ref(kind, n, idx), order, old)

    def param_ref(self, kind, n, idx) -> Ref:
        """A conv layer's kernel element keeps its full index (out_ch, in_ch, kh[, kw]); a bias is per channel."""
        if not is_conv(self.spec.layers[n - 1]):
            return super().param_ref(kind, n, idx)
        return Ref("W", n, unit=idx[0], at=tuple(idx)) if kind == "W" else Ref("b", n, unit=idx[0])

    def forward_item(self, kind, n, s, c):
        layer = self.spec.layers[n - 1]
        unit = layer.unit_names[c]
        idx = (s, *np.unravel_index(c, layer.out_shape)) if is_map(layer) else (s, c)
        value = (self.z if kind == "z" else self.a)[n][s, c]
        name = (node_in(unit) if kind == "z" else node_out(unit)) + self._sample_name(s)
        return Item("forward", f"forward.{element_key(kind, n, *map(int, idx))}", name, float(value),
                    Ref(kind, n, unit=c, sample=s), (SECTIONS.index("forward"), s, n, c, kind == "a"))

    def factor_item(self, kind, n, c, s, a=None):
        """The dense kinds, and for map layers: ``route`` (∂pool_out/∂in_out of input element ``a``), ``src``
        (∂pos_in/∂w of kernel element ``a`` of the position's channel, flat in W[o]), ``one``, ``wpath`` (∂pos_in
        of source element ``a``), ``dx`` (∂L/∂ data element ``c``; ``n`` is 0)."""
        if kind == "dx":
            u = self.spec.input_unit_names[c]
            name, value = f"∂L/∂{u}", self.g_x[s, c]
        else:
            layer = self.spec.layers[n - 1]
            if not is_map(layer) and kind != "route":
                return super().factor_item(kind, n, c, s, a)
            u = layer.unit_names[c]
            if kind in ("out", "local", "delta"):
                return super().factor_item(kind, n, c, s, a)
            if kind == "route":
                name, value = f"∂{node_out(u)}/∂{self._src_name(n, a)}", self.route[(n, s, c, a)]
            else:
                o, pos = divmod(c, layer.positions)
                if kind == "one":
                    name, value = f"∂{node_in(u)}/∂{self.pnames[element_key('b', n, o)]}", 1.0
                else:
                    k = int(np.prod(layer.weights.shape[2:]))
                    taps = self._taps(n)
                    spatial = int(np.prod(layer.in_shape[1:]))
                    if kind == "src":
                        ch, off = divmod(a, k)
                        tap = taps[off, pos]
                        w = self.pnames[element_key("W", n, o, *np.unravel_index(a, layer.weights.shape[1:]))]
                        name = f"∂{node_in(u)}/∂{w}"
                        value = self.a[n - 1][s, ch * spatial + tap] if tap >= 0 else 0.0
                    else:  # wpath: source element a = channel·spatial + r, under offset off at this position
                        ch, r = divmod(a, spatial)
                        hits = np.nonzero(taps[:, pos] == r)[0]
                        if not hits.size:
                            raise KeyError(f"{self._src_name(n, a)} is not under {u}'s window")
                        name = f"∂{node_in(u)}/∂{self._src_name(n, a)}"
                        value = layer.weights[(o, ch, *np.unravel_index(int(hits[0]), layer.weights.shape[2:]))]
        rank = _RANK.index(kind)
        return Item("factors", f"factors.{name}{self._suffix(s)}", name + self._sample_name(s), float(value),
                    Ref(kind, n, unit=c, sample=s, source=a),
                    (SECTIONS.index("factors"), -n, c, rank, a if a is not None else -1, s))

    def _src_name(self, n, a) -> str:
        """The source element a layer n reads: ``x122`` from the data, ``c112_out`` from a layer."""
        u = self.spec.unit_names(n - 1)[a]
        return u if n == 1 else node_out(u)

    def _taps(self, n) -> np.ndarray:
        memo = self.__dict__.setdefault("_tap_memo", {})
        if n not in memo:
            memo[n] = self.spec.layers[n - 1].taps()
        return memo[n]

    def array_items(self, section, kind, n):
        if not 1 <= n <= self.N:
            raise KeyError(f"layer {n} does not exist (the net has layers 1 to {self.N})")
        layer = self.spec.layers[n - 1]
        training = split_scope(section) is not None  # [state.NAME], [updated.stepN]: grading/state_keys.py
        if not is_map(layer) and layer.kind != "flatten" and (section in ("forward", "gradients", "updated")
                                                              or training):
            if kind in ("W", "b", "z", "a"):
                return super().array_items(section, kind, n)
        if training and is_conv(layer) and kind in ("W", "b"):
            shape = layer.weights.shape if kind == "W" else layer.bias.shape
            return [self.training_item(section, kind, n, idx) for idx in np.ndindex(shape)]
        if section == "forward" and (kind == "a" or kind == "z" and n in self.z):
            return [self.forward_item(kind, n, s, c) for s in range(self.S) for c in range(layer.units)]
        if section in ("gradients", "updated") and is_conv(layer) and kind in ("W", "b"):
            shape = layer.weights.shape if kind == "W" else layer.bias.shape
            return [self.param_item(section, kind, n, *idx) for idx in np.ndindex(shape)]
        raise KeyError(f"{kind}{n} does not belong under [{section}] (layer {n} is a {layer.kind} layer" +
                       (": W{0}, b{0}; forward z{0}, a{0})".format(n) if is_conv(layer) else ": forward a{})".format(n)))

    def name_items(self, section, name, quiet=False):
        if section == "forward":
            node = self.node(name)
            if node is not None and node[1] == "in" and self.units[node[0]][0] not in self.z:
                if quiet:
                    return []
                raise KeyError(name)  # a pool or flatten element has no _in
        return super().name_items(section, name, quiet)

    def factor_items(self, text):
        num, den = factor_parts(text)
        for end in (num, den):  # a pool or flatten element has no _in: no ∂out/∂in, no δ
            node = self.node(end)
            if node is not None and node[1] == "in" and self.units[node[0]][0] not in self.z:
                raise KeyError(text)
        if num in LOSS_NAMES:
            hit = self.units.get(den)
            if hit is not None and hit[0] == 0:
                if self.g_x is None:
                    raise KeyError(f"{text}: ∂L/∂ of the data is worked out when a conv layer reads the data")
                return [self.factor_item("dx", 0, hit[1], s) for s in range(self.S)]
            return super().factor_items(text)
        top = self.node(num)
        if top is None or self.units[top[0]][0] == 0:
            raise KeyError(text)
        n, c = self.units[top[0]]
        layer = self.spec.layers[n - 1]
        if layer.kind == "flatten":
            raise KeyError(text)  # ∂f1_out/∂p111_out is 1: no factor to ask
        if not is_map(layer):
            return super().factor_items(text)
        low = self.node(den) or ()
        src = self.units.get(low[0]) if low else None
        reads = src is not None and src[0] == n - 1 and (low[1] == "out")
        if not is_conv(layer):  # a pool: ∂p111_out/∂c112_out
            if top[1] == "out" and reads and all((n, s, c, src[1]) in self.route for s in range(self.S)):
                return [self.factor_item("route", n, c, s, src[1]) for s in range(self.S)]
            raise KeyError(text)
        if top[1] == "out":
            if low == (top[0], "in"):
                return [self.factor_item("local", n, c, s) for s in range(self.S)]
            raise KeyError(text)
        p = self.params.get(den)
        o = c // layer.positions
        if p is not None and p.layer == n and p.unit == o:
            if p.kind == "b":
                return [self.factor_item("one", n, c, s) for s in range(self.S)]
            a = int(np.ravel_multi_index(p.at[1:], layer.weights.shape[1:]))
            return [self.factor_item("src", n, c, s, a) for s in range(self.S)]
        if reads and (n > 1 or den == low[0]):
            return [self.factor_item("wpath", n, c, s, src[1]) for s in range(self.S)]
        raise KeyError(text)

    def names(self, section) -> list:
        out = []
        for n, layer in enumerate(self.spec.layers, start=1):
            if section == "forward":
                out += ([f"z{n}"] if n in self.z else []) + [f"a{n}"]
                out += [node_out(u) for u in layer.unit_names] + ([node_in(u) for u in layer.unit_names] if n in self.z else [])
            elif section in ("gradients", "updated"):
                out += [f"W{n}", f"b{n}"] if layer.n_parameters else []
            elif section == "factors":
                out += [f"∂L/∂{node_out(u)}" for u in layer.unit_names]
                out += [f"∂L/∂{node_in(u)}" for u in layer.unit_names] if n in self.z else []
        if section in ("gradients", "updated"):
            out += list(self.params)
        if section == "factors" and self.g_x is not None:
            out += [f"∂L/∂{u}" for u in self.spec.input_unit_names]
        return out

    # ── dependencies (the first wrong step of a chain) ──
    def depends_chains(self, item):
        ref = item.ref
        layer = self.spec.layers[ref.layer - 1] if ref.layer else None
        if item.section in ("gradients", "updated") and layer is not None and is_conv(layer):
            P = layer.positions
            for s in range(self.S):
                for pos in range(P):
                    yield self._chain(ref.layer, ref.unit * P + pos, s, True, False)
            if item.section == "updated":
                yield ("gradients." + item.key.split(".", 1)[1],)
            return
        if ref.kind == "dx":
            yield tuple(self._upstream_of(0, ref.unit, ref.sample, own=False))
            return
        if ref.kind in ("route", "src", "one", "wpath"):
            return
        yield from super().depends_chains(item)

    def _upstream_of(self, n, c, s, own, skip_delta=False):
        """Factor keys from the loss down to element c of layer n: every ∂L/∂out, ∂out/∂in and δ above it."""
        routes = self.__dict__.setdefault("_routes", {})
        if not routes:
            for (m, t, v, a) in self.route:
                routes.setdefault((m, t, v), []).append(a)
        for m in range(self.N, n, -1):
            for v in range(self.spec.layers[m - 1].units):
                yield self.factor_item("out", m, v, s).key
                if self.local[m] is not None:
                    yield self.factor_item("local", m, v, s).key
                if m in self.z:
                    yield self.factor_item("delta", m, v, s).key
                for a in routes.get((m, s, v), ()):  # a pool: the routing of each window input
                    yield self.factor_item("route", m, v, s, a).key
        if own:
            yield self.factor_item("out", n, c, s).key
            if self.local[n] is not None:
                yield self.factor_item("local", n, c, s).key
            if not skip_delta and n in self.z:
                yield self.factor_item("delta", n, c, s).key

    def _depends_flat(self, item):
        ref = item.ref
        if item.section != "forward":
            yield from super()._depends_flat(item)
            return
        n, s, c = ref.layer, ref.sample, ref.unit
        for m in range(1, n):
            for u in range(self.spec.layers[m - 1].units):
                if m in self.z:
                    yield self.forward_item("z", m, s, u).key
                yield self.forward_item("a", m, s, u).key
        if ref.kind == "a" and n in self.z:
            yield self.forward_item("z", n, s, c).key


