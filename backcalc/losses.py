"""The public ``backcalc.losses`` (INTERFACE): the very module :mod:`backcalc.tape.losses`, under its public name."""

import sys

from .tape import losses as _losses

sys.modules[__name__] = _losses
