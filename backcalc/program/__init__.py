"""`backcalc grad`: programs in a whitelisted expression language, run on the scalar tape and checked by sympy."""
