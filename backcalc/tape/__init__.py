"""The tape: scalar :class:`Value` and numpy :class:`Tensor`, reverse mode, every chain-rule factor kept.

Every operation makes one node that keeps its rule (from :mod:`backcalc.tape.rules`), its inputs, its output
and, for each input, the local partial derivative ∂out/∂input as a number (or array). Nodes carry a
sequence number in execution order; ``backward()`` gathers the nodes the output depends on, orders
them by that number — which is the tape, in the order the operations ran — and sweeps it in reverse.
No recursion, so a chain of 100 000 operations is fine.

Conventions:

* ``backward()`` computes gradients from scratch: it first sets ``.grad`` of every node the output
  depends on to zero, so calling it twice gives the same gradients, never doubled ones. After it,
  ``x.grad`` is ∂out/∂x of the most recent ``backward()`` whose graph contains ``x``.
* Gradients of intermediate nodes are kept (``k1_out.grad`` is ∂L/∂k1_out), not only of leaves.
  A Tensor's ``.grad`` is a writeable array of its own, never memory shared with another node's
  ``.grad`` or ``.data``. (Inside ``backward()`` a gradient handed on unchanged — by ``+``, a reshape,
  a transpose — is one array for both nodes; the first reading of ``.grad`` copies it.)
* A Tensor node keeps its output, not its factors: ``backward()`` computes each local factor from the
  recorded output and inputs when it needs it, and ``.local`` does so on first reading (then keeps it).
  So change no array of a graph in place between its forward and its ``backward()``.
* Derivatives at non-differentiable points follow :mod:`backcalc.tape.rules` (relu′(0) = 0, ...).
"""

from .record import Entry, Tape
from .tensor import Tensor
from .value import Value

__all__ = ["Entry", "Tape", "Tensor", "Value"]
