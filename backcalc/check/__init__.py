"""The independent checker of `verify`: its own sympy forward and sympy.diff, and central differences.

Shares nothing with the tape: importing it loads neither backcalc.tape nor its rule table.
"""
