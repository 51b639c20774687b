"""A flatten layer's forward part: every feature is defined on the page as the map element it is
(``h1_out = p11_out = 0.68363``), so no later line uses a name the page has not given. Checked against the
tape's own arrays (feature k of a sample is element k of its map in C order, as ``torch.flatten(x, 1)``), in
every format and both languages, and as a property of every worked example: each ``…_out`` a weighted sum
reads is defined above it."""

from __future__ import annotations

import glob
import re

import numpy as np
import pytest
from click.testing import CliRunner

from backcalc.cli import main
from backcalc.net.derivation import explain
from backcalc.net.spec import load_spec
from backcalc.render.format import num

EX = "worked_examples"
CONV = [f"{EX}/conv_pool.toml", f"{EX}/conv1d_two_channel.toml"]


def page(spec, fmt="text", lang="en", order="pass"):
    result = CliRunner().invoke(main, ["explain", spec, "--format", fmt, "--lang", lang, "--order", order])
    assert result.exit_code == 0, result.output
    return result.stdout


def flatten_features(path):
    """(feature name, the map element it is, its value) of every flatten layer and sample, from the tape's arrays."""
    spec = load_spec(path)
    d = explain(spec)
    out = []
    for n, layer in enumerate(spec.layers, start=1):
        if layer.kind != "flatten":
            continue
        before = spec.layers[n - 2]
        maps = np.asarray(d.forward[f"a{n - 1}"], dtype=float).reshape(spec.samples, -1)  # C order
        flat = np.asarray(d.forward[f"a{n}"], dtype=float)
        assert np.array_equal(flat, maps)  # the flatten's output is its input map, element for element
        for s in range(spec.samples):
            for k, unit in enumerate(layer.unit_names):
                out.append((unit, before.unit_names[k], maps[s, k]))
    assert out
    return out


@pytest.mark.parametrize("path", CONV)
@pytest.mark.parametrize("order", ["pass", "layer"])
@pytest.mark.parametrize("lang", ["en", "id"])
def test_every_flatten_feature_is_defined_as_its_map_element(path, order, lang):
    text = page(path, lang=lang, order=order)
    for unit, source, value in flatten_features(path):
        assert f"  {unit}_out = {source}_out = {num(value, 5)}\n" in text, (unit, source)


@pytest.mark.parametrize("fmt", ["markdown", "latex", "html"])
def test_the_flatten_rows_are_in_every_format(fmt):
    text = page(CONV[1], fmt=fmt)
    for unit, source, value in flatten_features(CONV[1]):
        if fmt == "latex":
            assert re.search(rf"{unit}_{{\\text{{out}}}} &= {source}_{{\\text{{out}}}} = {re.escape(num(value, 5))}", text)
        else:
            assert f"{unit}_out = {source}_out = {num(value, 5)}" in text


@pytest.mark.parametrize("path", sorted(p for p in glob.glob(f"{EX}/*.toml") if not p.endswith("_student.toml")))
def test_every_name_a_weighted_sum_reads_is_defined_above_it(path):
    text = page(path)
    forward = text.split("\nForward pass\n", 1)[1].split("\nLoss\n", 1)[0]
    defined = set()
    for line in forward.splitlines():
        m = re.match(r"\s+(\S+_(?:out|drop))\s+=", line)
        if m:
            defined.add(m.group(1))
        m = re.match(r"\s+\S+_in\s+=\s+(.*)$", line)
        if m:
            used = set(re.findall(r"\b(\w+_(?:out|drop))\b", m.group(1)))
            assert used <= defined, (path, line, sorted(used - defined))


@pytest.mark.parametrize("path", CONV)
def test_golden_explain_writes_a_flatten_feature(path):
    # the graders' helper explains a feature's value as the page does (it found no row for one before)
    from backcalc.testing import golden

    g = golden(path)
    for unit, source, value in flatten_features(path):
        if load_spec(path).samples == 1:
            assert g.explain(f"forward.{unit}_out") == f"{unit}_out = {source}_out = {num(value, 5)}"
