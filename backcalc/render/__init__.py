"""Renderers: each formats records into one output format and computes nothing."""

import importlib

DERIVATION_FORMATS = ("text", "markdown", "latex", "json", "dot", "html")  # modules; svg and png go through dot


def renderer(fmt: str):
    """The renderer module for a format name (imported on first use, so start-up stays light)."""
    return importlib.import_module(f"{__name__}.{fmt}")
