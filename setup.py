"""The one compiled piece of backcalc, optional: the scalar tape's backward sweep (backcalc/tape/_value_sweep.c).

Everything else is in pyproject.toml. Without a C compiler the build goes on without it and the scalar tape
runs the same sweep in Python (backcalc/tape/value_sweep.py), with the same results to the last bit.
"""

import sys

from setuptools import Extension, setup

# no fused multiply-add: each product and sum rounded on its own, as Python's float arithmetic does
FLAGS = [] if sys.platform == "win32" else ["-ffp-contract=off"]

setup(ext_modules=[Extension("backcalc.tape._value_sweep", ["backcalc/tape/_value_sweep.c"],
                             extra_compile_args=FLAGS, optional=True)])
