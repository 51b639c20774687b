"""Hypothesis draws the same examples on every run (``derandomize``), so CI on a fresh machine is reproducible:
a property that fails, fails every time; set ``HYPOTHESIS_PROFILE=explore`` to draw new examples locally."""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
