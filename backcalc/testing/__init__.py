"""Helpers for graders' test suites: golden values that explain themselves, and checks of backward code.

``golden``, ``assert_matches`` (:mod:`backcalc.testing.golden_values`) and ``check_backward``
(:mod:`backcalc.testing.backward_check`); :mod:`backcalc.testing.plugin` is the pytest plugin. Names load
on first use, so the plugin costs a test run nothing until a test asks for the ``backcalc`` fixture.
"""

__all__ = ["golden", "assert_matches", "check_backward", "Golden", "Resolved", "Mismatch", "UnknownKey",
           "BackwardReport"]

_HOME = {"check_backward": "backward_check", "BackwardReport": "backward_check"}


def __getattr__(name):
    if name in __all__:
        import importlib

        value = getattr(importlib.import_module(f"{__name__}.{_HOME.get(name, 'golden_values')}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
