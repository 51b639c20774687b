"""The CLI's commands, one module per capability; :mod:`backcalc.cli` assembles them into ``backcalc``."""
