"""Grading: the answer keys of a spec, the answers reader, the mistake catalogue, the check, exercises."""
