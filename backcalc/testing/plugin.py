"""The pytest plugin installed with backcalc (``pytest11`` entry point): the ``backcalc`` fixture.

Off unless used: it adds no options and no output, and imports nothing more until a test asks for the
fixture. The fixture is :mod:`backcalc.testing` itself, so a teacher's test reads

    def test_sigmoid_backward(backcalc):
        backcalc.check_backward(sigmoid_forward, sigmoid_backward, x, op="sigmoid", cache="output")

Failures of these helpers are :class:`backcalc.errors.Mismatch` (an ``AssertionError``) whose message is
the explanation: expected and given values, the derivation, a hint. So that the message is what one reads,
such failures are shown in pytest's short traceback style (the helpers' own frames hidden) unless ``--tb``
was chosen on the command line; every other failure is left alone. ``pytest -p no:backcalc`` disables it.
"""

import sys

import pytest


@pytest.fixture(scope="session")
def backcalc():
    """backcalc's grading helpers: ``golden``, ``assert_matches``, ``check_backward`` (:mod:`backcalc.testing.golden_values`)."""
    from backcalc import testing

    return testing


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    testing = sys.modules.get("backcalc.testing.golden_values")  # not imported: no Mismatch can have been raised
    if testing is None or call.excinfo is None or not isinstance(call.excinfo.value, testing.Mismatch):
        return
    report = outcome.get_result()
    short = getattr(item, "_repr_failure_py", None)
    if report.failed and short is not None and item.config.getoption("tbstyle", "auto") == "auto":
        report.longrepr = short(call.excinfo, style="short")
