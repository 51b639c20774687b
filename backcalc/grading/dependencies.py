"""What an answerable value depends on, first step first: the keys before it in its chain of factors, so the
checker can name the first wrong step of a wrong answer ("first wrong step: ∂L/∂k1_out = …").

:class:`~backcalc.grading.keys.AnswerSpace` takes these methods; they read its items and arrays only.
"""

from __future__ import annotations

# the tables the keys an answer of each table depends on come from (held against depends() by the tests)
_SECTIONS_BEFORE = {"gradients": ("factors",), "updated": ("factors", "gradients"), "factors": ("factors", "forward"),
                    "forward": ("forward",), "loss": ("forward",), "loss_after": ("updated",)}


class Dependencies:
    """The dependency walk of an answer space (``factor_key``, ``forward_item``, ``name_items`` and the arrays
    ``local`` and ``drop`` come from :class:`~backcalc.grading.keys.AnswerSpace`)."""

    def depends_sections(self, item) -> tuple:
        """The tables every key of :meth:`depends` comes from, without walking them: an answer whose tables the
        student left empty has nothing before it to blame.

        >>> from backcalc.grading.keys import AnswerSpace
        >>> from backcalc.net.derivation import explain
        >>> sp = AnswerSpace(explain())
        >>> sp.depends_sections(sp.resolve("updated.w_ij1")[0])
        ('factors', 'gradients')
        """
        return _SECTIONS_BEFORE.get(item.section, ())

    def depends(self, item):
        for chain in self.depends_chains(item):
            yield from chain

    def depends_chains(self, item):
        """:meth:`depends` in pieces: tuples of keys, each upstream chain one tuple made once and shared by
        every item that reaches it (so a search over them can be done once per chain)."""
        ref = item.ref
        kind = ref.kind
        if item.section in ("gradients", "updated"):
            n, c = ref.layer, ref.unit
            for s in range(self.S):
                yield self._chain(n, c, s, True, False)
                if kind == "W":
                    yield (self.factor_key("src", n, c, s, ref.source),)
                else:
                    yield (self.factor_key("one", n, c, s),)
            if item.section == "updated":
                yield ("gradients." + item.key.split(".", 1)[1],)
        elif item.section == "factors":
            n, c, s = ref.layer, ref.unit, ref.sample
            if kind in ("out", "delta"):
                yield self._chain(n, c, s, kind == "delta", True)
            else:
                yield tuple(self._depends_flat(item))
        else:
            yield tuple(self._depends_flat(item))

    def _chain(self, n, c, s, own, skip_delta) -> tuple:
        """The keys of :meth:`_upstream_of`, worked out once per argument set."""
        memo = self.__dict__.setdefault("_chains", {})
        key = (n, c, s, own, skip_delta)
        chain = memo.get(key)
        if chain is None:
            chain = memo[key] = tuple(self._upstream_of(n, c, s, own=own, skip_delta=skip_delta))
        return chain

    def _depends_flat(self, item):
        ref = item.ref
        kind = ref.kind
        if item.section == "factors":
            n, c, s = ref.layer, ref.unit, ref.sample
            if kind in ("out", "delta"):
                yield from self._upstream_of(n, c, s, own=(kind == "delta"), skip_delta=True)
            elif kind == "local":
                yield self.forward_item("z", n, s, c).key
                yield self.forward_item("a", n, s, c).key
            elif kind == "src" and n > 1:
                yield self.forward_item("drop" if n - 1 in self.drop else "a", n - 1, s, ref.source).key
        elif item.section == "forward":
            n, s, c = ref.layer, ref.sample, ref.unit
            for m in range(1, n):
                for u in range(self.spec.layers[m - 1].units):
                    yield self.forward_item("z", m, s, u).key
                    yield self.forward_item("a", m, s, u).key
                    if m in self.drop:
                        yield self.forward_item("drop", m, s, u).key
            if kind in ("a", "drop"):
                yield self.forward_item("z", n, s, c).key
            if kind == "drop":
                yield self.forward_item("a", n, s, c).key
        elif item.section == "loss":
            for s in range(self.S):
                for c in range(self.spec.layers[-1].units):
                    yield self.forward_item("a", self.N, s, c).key
        elif item.section == "loss_after":
            for section in ("updated",):
                for name in self.params:
                    yield self.name_items(section, name)[0].key

    def _upstream_of(self, n, c, s, own, skip_delta=False):
        """Factor keys from the loss down to unit c of layer n (its own ∂L/∂out, ∂out/∂in, δ when ``own``)."""
        for m in range(self.N, n, -1):
            for v in range(self.spec.layers[m - 1].units):
                yield from self._unit_chain(m, v, s)
                if m == n + 1 and m not in self.norm:
                    yield self.factor_key("wpath", m, v, s, c)
            if m == n + 1 and m in self.norm and self.norm[m].grad_xhat is not None:  # the three paths into unit c
                nk = self.norm[m]
                yield from (item.key for item in self.grad_stat_item("gxhat", m, c) if item.ref.sample == s)
                g = c if nk.axis == 0 else s
                yield self.grad_stat_item("gvar", m, g)[0].key
                yield self.grad_stat_item("gmu", m, g)[0].key
        if own:
            yield from self._unit_chain(n, c, s, delta=not skip_delta)

    def _unit_chain(self, n, c, s, delta=True):
        """Factor keys of unit c of layer n, sample s: ∂L/∂out (after dropout ∂L/∂drop and the mask first), ∂out/∂in
        and δ (when ``delta``)."""
        if n in self.drop:
            yield self.factor_key("dout", n, c, s)
            yield self.factor_key("mask", n, c, s)
        yield self.factor_key("out", n, c, s)
        if self.local[n] is not None:
            yield self.factor_key("local", n, c, s)
        if delta:
            yield self.factor_key("delta", n, c, s)
