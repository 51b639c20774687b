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
* Intermediate nodes have gradients too (``k1_out.grad`` is ∂L/∂k1_out), not only leaves. A Value
  keeps them; a Tensor's ``backward()`` keeps those of the leaves, of its own tensor, of every node someone
  holds and of nodes marked ``retain_grad()``, frees the others once handed on and fills them all, bit for
  bit, by sweeping again when one is read (``backward(keep_grads=True)`` keeps them all: :mod:`backcalc.tape.sweep`).
  A Tensor's ``.grad`` is a writeable array of its own, never memory shared with another node's
  ``.grad`` or ``.data``. (Inside ``backward()`` a gradient handed on unchanged — by ``+``, a reshape,
  a transpose — is one array for both nodes; the first reading of ``.grad`` copies it.)
* A Value node of ``+``, ``−`` or ``·`` stores no factors: they are constants or an input's ``.data``, read
  from the rule and the inputs when ``backward()`` or ``.local`` needs them (:mod:`backcalc.tape.value_sweep`);
  every other Value node stores its factors when recorded. So change no ``.data`` of a graph between its
  forward and its ``backward()``.
* A Tensor node keeps its output, not its factors: ``backward()`` computes each local factor from the
  recorded output and inputs when it needs it, and ``.local`` does so on first reading (then keeps it).
  Some outputs no one else holds are dropped and recomputed when read (:mod:`backcalc.tape.keep`).
  So change no array of a graph in place between its forward and its ``backward()`` or the reading of
  a recomputed ``.grad`` or ``.data``.
* Derivatives at non-differentiable points follow :mod:`backcalc.tape.rules` (relu′(0) = 0, ...).
"""

from .record import Entry, Tape
from .tensor import Tensor
from .value import Value

__all__ = ["Entry", "Tape", "Tensor", "Value"]
