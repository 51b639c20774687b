"""`explain --order layer` shows ∂L/∂x of the data wherever the whole-pass order does (a first conv, pool or rnn
layer), after layer 1's part, in every format that has the order and in both languages; a layer without
parameters is named by its kind and has no chain-rule or update table."""

from __future__ import annotations

import re

import numpy as np
import pytest
from click.testing import CliRunner

from backcalc.cli import main
from backcalc.net.derivation import explain
from backcalc.net.spec import load_spec
from backcalc.render.format import num
from backcalc.render.labels import labels

EX = "worked_examples"
POOL_FIRST = {"format": 1, "data": {"x": [[[[1.0, 3.0, -1.0], [0.5, 2.0, 4.0], [-2.0, 1.5, 0.25]]]], "y": [[1.0, -1.0]]},
              "layers": [{"kind": "maxpool2d", "name": "p", "size": 2, "stride": 1},
                         {"kind": "flatten", "name": "f"},
                         {"name": "o", "activation": "tanh", "weights": [[0.5, -1.0], [0.25, 0.5], [-0.75, 1.0],
                                                                         [1.0, 0.25]], "bias": [0.1, -0.2]}],
              "loss": {"kind": "half_sse"}}
SPECS = [f"{EX}/conv_pool.toml", f"{EX}/conv1d_two_channel.toml", f"{EX}/rnn_last_step.toml",
         f"{EX}/rnn_every_step.toml", "pool_first"]


def page(spec, fmt, lang, order):
    args = ["explain", spec, "--format", fmt, "--lang", lang, "--order", order]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def specs(tmp_path):
    import json

    (tmp_path / "pool_first.json").write_text(json.dumps(POOL_FIRST), encoding="utf-8")
    return {name: str(tmp_path / "pool_first.json") if name == "pool_first" else name for name in SPECS}


def data_rows(path):
    d = explain(load_spec(path))
    rows = [u for u in d.upstream if u.layer == 0]
    assert rows, path  # every net here shows ∂L/∂x on the whole-pass page
    return d, rows


@pytest.mark.parametrize("lang", ["en", "id"])
@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_the_text_pages_show_every_data_row_after_layer_one(specs, fmt, lang):
    L = labels(lang)
    for name, path in specs.items():
        d, rows = data_rows(path)
        text = page(path, fmt, lang, "layer")
        title = L["data_backward"].format(name=d.spec.input_name)
        first = L["layer_backward"].split("{n}")[0] + "1 ("  # the last "Layer 1 (" heading: layer 1's part
        assert text.count(title) == 1 and text.index(title) > text.rindex(first), name
        after = text[text.index(title):]
        for u in rows:  # each row once, with the value the whole-pass page gives it
            lines = [line for line in text.splitlines() if line.strip().startswith(f"{u.name} = ")]
            assert len(lines) == 1 and lines[0].endswith(f"= {num(u.value, 5)}") and lines[0] in after, (name, u.name)


@pytest.mark.parametrize("lang", ["en", "id"])
def test_latex_and_html_show_as_many_data_rows_as_the_whole_pass(specs, lang):
    for name, path in specs.items():
        d, rows = data_rows(path)
        for fmt, pattern in (("latex", r"\frac{{\partial L}}{{\partial {unit}}} &="),
                             ("html", '<div class="eq" data-node="{unit}">')):
            whole, layered = page(path, fmt, lang, "pass"), page(path, fmt, lang, "layer")
            title = labels(lang)["data_backward"].format(name=d.spec.input_name)
            for u in rows:
                mark = pattern.format(unit=u.unit)
                assert whole.count(mark) == layered.count(mark) == sum(r.unit == u.unit for r in rows), (name, fmt, u.unit)
                assert layered.index(mark) > layered.index(title.split(":")[0]), (name, fmt, u.unit)


def test_a_pool_first_nets_data_gradient_matches_central_differences(specs):
    """The rows shown are the loss's slope in each data element (max pooling: no tie in any window)."""
    x = np.array(POOL_FIRST["data"]["x"])
    text = page(specs["pool_first"], "text", "en", "layer")
    shown = {m.group(1): float(m.group(2)) for m in re.finditer(r"^  ∂L/∂(x\d+) = .* = (-?[\d.e-]+)$", text, re.M)}
    assert len(shown) == x.size
    h = 1e-6
    for flat, name in enumerate(sorted(shown)):
        idx = np.unravel_index(flat, x.shape[1:])
        losses = []
        for sign in (1, -1):
            moved = x.copy()
            moved[(0, *idx)] += sign * h
            losses.append(explain(load_spec({**POOL_FIRST, "data": {"x": moved.tolist(), "y": POOL_FIRST["data"]["y"]}})).loss)
        assert shown[name] == pytest.approx((losses[0] - losses[1]) / (2 * h), abs=1e-5), name


@pytest.mark.parametrize("lang", ["en", "id"])
def test_a_layer_without_parameters_is_named_by_its_kind_and_has_no_tables(lang):
    L = labels(lang)
    for fmt in ("text", "latex", "html"):
        text = page(f"{EX}/conv_pool.toml", fmt, lang, "layer")
        for n, name, kind in ((2, "p", "maxpool2d"), (3, "h", "flatten")):
            assert L["layer_gradients"].format(n=n, name=name, activation=kind) in text, (fmt, kind)
            assert L["layer_backward"].format(n=n, name=name, activation="linear") not in text, (fmt, kind)
        assert text.count(L["terms"]) == 2 and text.count(L["update"].split(":")[0]) == 2, fmt  # layers o and c


def test_a_dense_net_has_no_data_part():
    for lang in ("en", "id"):
        text = page(f"{EX}/seed004.toml", "text", lang, "layer")
        assert labels(lang)["data_backward"].split(" ")[0] + " x" not in text and "∂L/∂x" not in text


@pytest.mark.parametrize("fmt", ["text", "markdown", "latex", "html"])
@pytest.mark.parametrize("lang", ["en", "id"])
def test_under_an_optimizer_no_layer_title_promises_its_update_right_after(fmt, lang):
    # Adam's tables (its state per step) follow the whole pass: the titles and the order's heading say so, and
    # plain SGD keeps "gradients, then the update"
    L = labels(lang)
    adam = page(f"{EX}/adam_first_step.toml", fmt, lang, "layer")
    sgd = page(f"{EX}/seed004.toml", fmt, lang, "layer")
    then, later = L["layer_backward"].split("): ")[1], L["layer_gradients_later"].split("): ")[1]
    esc = (lambda t: t) if fmt != "html" else (lambda t: t.replace("'", "&#x27;"))  # the page's escaping
    assert then not in adam and adam.count(esc(later)) == 3
    assert esc(L["order_layer_later"]) in adam and esc(L["order_layer"]) not in adam
    assert then in sgd and esc(later) not in sgd and esc(L["order_layer"]) in sgd
