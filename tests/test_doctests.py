"""Every docstring example in backcalc runs and gives what it shows (the docs cannot drift from the code)."""

import doctest
import importlib
import pkgutil

import pytest

import backcalc

MODULES = sorted(m.name for m in pkgutil.walk_packages(backcalc.__path__, "backcalc."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    if module.__name__ != name:
        pytest.skip(f"{name} is {module.__name__} under a public name (its examples run there)")
    failed, attempted = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False, report=False)
    assert failed == 0, f"{failed} of {attempted} docstring examples of {name} fail (python -m doctest -v)"


def test_the_examples_are_found():
    # a doctest run that silently finds nothing would pass: the layer interface's examples are counted
    for name in ("backcalc.net.layers", "backcalc.net.layers.dense", "backcalc.check.layers", "backcalc.net.spec"):
        tests = doctest.DocTestFinder().find(importlib.import_module(name))
        assert sum(len(t.examples) for t in tests) >= 2, name
