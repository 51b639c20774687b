"""The layer-kind interface: a new kind is one module, read by the spec, the tape, explain, verify and check.

``scale_layer`` (a toy kind, in this folder) is registered here under ``kind = "scale"`` in the net's and the
checker's registries, and flows through every command with no other module changed. Its numbers are confirmed
independently: by central differences of a loss written out in plain numpy in this file.
"""

import ast
import json
import re
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import scale_layer
from backcalc.check import layers as check_layers
from backcalc.check.verify import verify
from backcalc.cli import main
from backcalc.errors import SpecError
from backcalc.grading.grade import check_answers
from backcalc.net import layers
from backcalc.net.derivation import explain
from backcalc.net.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]

SPEC = {"format": 1, "title": "dense → scale → dense",
        "data": {"x": [[0.5, -1.0], [1.5, 0.25]], "y": [[0.3], [-0.2]], "input_name": "i"},
        "layers": [{"name": "h", "activation": "tanh", "weights": [[0.4, -0.3], [0.2, 0.6]], "bias": [0.1, -0.1]},
                   {"name": "s", "kind": "scale", "activation": "sigmoid", "gamma": [1.5, -0.5], "beta": [0.2, 0.3]},
                   {"name": "o", "activation": "linear", "weights": [[0.7], [-1.2]], "bias": [0.05]}],
        "loss": {"kind": "half_sse"}, "train": {"learning_rate": 0.5}}


@pytest.fixture
def scale(monkeypatch):
    """``kind = "scale"`` in both registries, for this test only."""
    monkeypatch.setitem(layers.KINDS, "scale", "scale_layer")
    monkeypatch.setitem(check_layers.BUILDERS, "scale", "scale_layer")


def by_hand_loss(p: dict) -> float:
    """The net of SPEC in plain numpy: tanh dense, then σ(h ⊙ gamma + beta), then a linear dense; ½Σ(o − y)²."""
    x, y = np.array(SPEC["data"]["x"]), np.array(SPEC["data"]["y"])
    h = np.tanh(x @ p["W1"] + p["b1"])
    s = 1 / (1 + np.exp(-(h * p["gamma2"] + p["beta2"])))
    o = s @ p["W3"] + p["b3"]
    return float(0.5 * ((o - y) ** 2).sum())


def by_hand_gradients(eps=1e-6) -> dict:
    """Every ∂L/∂parameter by central differences of :func:`by_hand_loss` (element keys)."""
    L = SPEC["layers"]
    p = {"W1": L[0]["weights"], "b1": L[0]["bias"], "gamma2": L[1]["gamma"], "beta2": L[1]["beta"],
         "W3": L[2]["weights"], "b3": L[2]["bias"]}
    p = {k: np.array(v, dtype=float) for k, v in p.items()}
    return central_differences(by_hand_loss, p, eps), by_hand_loss(p)


def central_differences(loss, p: dict, eps: float) -> dict:
    """∂loss/∂(each element of each array of ``p``) by central differences, by element key (``W1[0][1]``)."""
    out = {}
    for name, arr in p.items():
        for idx in np.ndindex(arr.shape):
            plus, minus = dict(p), dict(p)
            plus[name], minus[name] = arr.copy(), arr.copy()
            plus[name][idx] += eps
            minus[name][idx] -= eps
            out[name + "".join(f"[{i}]" for i in idx)] = (loss(plus) - loss(minus)) / (2 * eps)
    return out


# ── the registry ──

def test_dense_is_the_default_kind_and_unknown_kinds_are_refused():
    spec = load_spec(SPEC | {"layers": [SPEC["layers"][0], SPEC["layers"][2]]})
    assert [layer.kind for layer in spec.layers] == ["dense", "dense"]
    with pytest.raises(SpecError, match=r"<spec>: layers\[2\] kind: unknown layer kind 'scale'; expected one of dense"):
        load_spec(SPEC)
    bad = SPEC | {"layers": [SPEC["layers"][0] | {"kind": "dens"}, SPEC["layers"][2]]}
    with pytest.raises(SpecError, match=r"unknown layer kind 'dens' \(did you mean 'dense'\?\)"):
        load_spec(bad)


def test_a_kind_validates_its_own_keys(scale):
    bad = json.loads(json.dumps(SPEC))
    bad["layers"][1]["gama"] = [1.0, 1.0]
    with pytest.raises(SpecError, match=r"layers\[2\]: unknown key 'gama' \(did you mean 'gamma'\?\)"):
        load_spec(bad)
    bad["layers"][1].pop("gama")
    bad["layers"][1]["gamma"] = [1.0]
    with pytest.raises(SpecError, match=r'layers\[2\] \("s"\) gamma: expected 2 numbers'):
        load_spec(bad)
    bad["layers"][1]["weights"] = [[1.0]]  # a dense key is not a scale key
    with pytest.raises(SpecError, match="unknown key 'weights'"):
        load_spec(bad)


# ── a new kind flows through explain, verify and check ──

def test_the_toy_kind_runs_on_the_tape_and_matches_central_differences(scale):
    spec = load_spec(SPEC)
    assert [layer.kind for layer in spec.layers] == ["dense", "scale", "dense"]
    d = explain(spec)
    expected, loss = by_hand_gradients()
    assert math.isclose(d.loss, loss, rel_tol=1e-12)
    assert [t.key for t in d.terms] == list(expected)  # every parameter element, in the spec's order
    for t in d.terms:
        assert math.isclose(t.value, expected[t.key], rel_tol=1e-6, abs_tol=1e-9), t.key
        assert math.isclose(sum(c.value for c in t.chains), t.value, rel_tol=1e-12, abs_tol=1e-15), t.key
    assert d.term("gamma_s1").key == "gamma2[0]" and d.term("beta2[1]").name == "beta_s2"
    assert sorted(d.gradients) == ["W1", "W3", "b1", "b3", "beta2", "gamma2"]
    assert np.allclose(d.updated["gamma2"], np.array([1.5, -0.5]) - 0.5 * np.array(d.gradients["gamma2"]))
    # the sum over paths of layer h goes through the scale layer's one path per unit
    up = next(u for u in d.upstream if u.unit == "h1" and u.sample == 1)
    assert [(p.via, p.weight_name, p.weight) for p in up.paths] == [("s1", "gamma_s1", 1.5)]


def test_the_toy_kind_renders_in_every_format_and_language(scale, tmp_path):
    path = tmp_path / "scale.json"
    path.write_text(json.dumps(SPEC))
    runner = CliRunner()
    for fmt in ("text", "markdown", "latex", "json", "dot"):
        for lang in ("en", "id"):
            result = runner.invoke(main, ["explain", str(path), "--format", fmt, "--lang", lang])
            assert result.exit_code == 0, (fmt, lang, result.output)
            # NaN as a number, not the letters inside a word (the Indonesian "turunan", derivative)
            assert "gamma" in result.output and not re.search(r"\bnan\b", result.output.lower()), (fmt, lang)
    text = runner.invoke(main, ["explain", str(path)]).output
    assert "s1_in = gamma_s1·h1_out + beta_s1" in text


def test_verify_checks_the_toy_kind_three_ways_and_catches_a_wrong_derivative(scale, monkeypatch):
    result = verify(SPEC, formulas=True)
    assert result.ok and result.numeric_checked
    assert [r.key for r in result.rows][6:10] == ["gamma2[0]", "gamma2[1]", "beta2[0]", "beta2[1]"]
    expected, _ = by_hand_gradients()
    for r in result.rows:
        assert math.isclose(r.symbolic, expected[r.key], rel_tol=1e-6, abs_tol=1e-9), r.key
    formulas = dict(result.formulas)
    assert "gamma_s1" in formulas and "h1_out" in formulas["gamma_s1"]
    # the checker's own builder, wrong on purpose: ∂z/∂gamma = 2·x — verify must fail every gamma row
    real = scale_layer.Symbolic.__init__

    def wrong(self, layer, sp):
        real(self, layer, sp)
        self.dz_dg = 2 * self.x

    monkeypatch.setattr(scale_layer.Symbolic, "__init__", wrong)
    broken = verify(SPEC)
    assert not broken.ok
    assert {r.key for r in broken.failures()} == {"gamma2[0]", "gamma2[1]"}


def test_verify_refuses_a_kind_the_checker_cannot_build(monkeypatch):
    monkeypatch.setitem(layers.KINDS, "scale", "scale_layer")  # the net knows it, the checker does not
    with pytest.raises(SpecError, match=r'layers\[2\] \("s"\): verify has no independent check for layer kind '
                                        r"'scale'"):
        verify(SPEC)
    result = CliRunner().invoke(main, ["verify", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0


def test_check_grades_answers_of_the_toy_kind(scale):
    d = explain(SPEC)
    right = {"loss": d.loss, "forward": {"z2": d.forward["z2"], "s1_out": [row[0] for row in d.forward["a2"]]},
             "gradients": {"W1": d.gradients["W1"], "b3": d.gradients["b3"]}}
    r = check_answers(SPEC, right)
    assert r.ok and r.correct == r.total


def test_check_grades_wrong_answers_of_the_toy_kind(scale):
    # the mistake catalogue (grading/mistakes.py) models dense layers only: wrong, never a crash, no diagnosis
    d = explain(SPEC)
    wrong = {"loss": d.loss * 1.5, "forward": {"z2": [[v + 1 for v in row] for row in d.forward["z2"]]}}
    r = check_answers(SPEC, wrong)
    assert not r.ok and r.correct == 0 and all(row.verdict == "wrong" and not row.mistakes for row in r.rows)


# ── a kind that reads two layers (a skip connection): the interface's reads/earlier path ──

SKIP_SPEC = {"format": 1, "data": {"x": [[0.5, -1.0], [1.5, 0.25]], "y": [[0.3], [-0.2]]},
             "layers": [{"name": "h", "activation": "tanh", "weights": [[0.4, -0.3], [0.2, 0.6]], "bias": [0.1, -0.1]},
                        {"name": "g", "activation": "sigmoid", "weights": [[0.5, 0.9], [-0.8, 0.3]], "bias": [0.0, 0.2]},
                        {"name": "s", "kind": "scale", "activation": "tanh", "gamma": [1.5, -0.5], "beta": [0.2, 0.3],
                         "skip": "h"},
                        {"name": "o", "activation": "linear", "weights": [[0.7], [-1.2]], "bias": [0.05]}]}


def skip_by_hand_loss(p: dict, data=SKIP_SPEC["data"]) -> float:
    """h = tanh(x W1 + b1), g = σ(h W2 + b2), s = tanh(g ⊙ gamma + beta) + h, o = s W4 + b4; ½Σ(o − y)²."""
    x, y = np.array(data["x"]), np.array(data["y"])
    h = np.tanh(x @ p["W1"] + p["b1"])
    g = 1 / (1 + np.exp(-(h @ p["W2"] + p["b2"])))
    s = np.tanh(g * p["gamma3"] + p["beta3"]) + h
    return float(0.5 * ((s @ p["W4"] + p["b4"] - y) ** 2).sum())


def skip_by_hand_gradients(data=SKIP_SPEC["data"], eps=1e-6) -> dict:
    L = SKIP_SPEC["layers"]
    p = {"W1": L[0]["weights"], "b1": L[0]["bias"], "W2": L[1]["weights"], "b2": L[1]["bias"],
         "gamma3": L[2]["gamma"], "beta3": L[2]["beta"], "W4": L[3]["weights"], "b4": L[3]["bias"]}
    p = {k: np.array(v, dtype=float) for k, v in p.items()}
    return central_differences(lambda q: skip_by_hand_loss(q, data), p, eps)


def test_a_kind_that_reads_two_layers_flows_through_explain_and_verify(scale):
    expected = skip_by_hand_gradients()
    d = explain(SKIP_SPEC)
    assert [t.key for t in d.terms] == list(expected)
    for t in d.terms:
        assert math.isclose(t.value, expected[t.key], rel_tol=1e-6, abs_tol=1e-9), t.key
    # h1 feeds g (two weights) and s (the skip): its sum over paths has all three, and they add up
    up = next(u for u in d.upstream if u.unit == "h1" and u.sample == 2)
    assert [p.via for p in up.paths] == ["g1", "g2", "s1"] and up.paths[-1].weight_name == "1"
    assert math.isclose(sum(p.grad * p.weight for p in up.paths), up.value, rel_tol=1e-12)
    result = verify(SKIP_SPEC, formulas=True)
    assert result.ok and result.numeric_checked
    for r in result.rows:
        assert math.isclose(r.symbolic, expected[r.key], rel_tol=1e-6, abs_tol=1e-9), r.key
    assert set(dict(result.formulas)) == {name for name, _ in load_spec(SKIP_SPEC).param_names()}


def test_the_closed_forms_of_a_skip_net_evaluate_to_the_gradients(scale):
    # verify --formulas in node names, evaluated at one sample's values, against central differences
    import sympy

    from backcalc.check.formulas import closed_form_expressions

    data = {"x": [[0.5, -1.0]], "y": [[0.3]]}
    spec = load_spec(SKIP_SPEC | {"data": data})
    d = explain(spec)
    values = {"x1": 0.5, "x2": -1.0, "t": 0.3}
    params = spec.parameters()
    for name, key in spec.param_names():
        array, _, rest = key.partition("[")
        values[name] = float(params[array][tuple(int(i) for i in rest.rstrip("]").split("]["))])
    for row in d.forward_rows:
        values[f"{row.unit}_in"], values[f"{row.unit}_out"] = row.z, row.a
        values[f"tanh({row.unit}_in)"] = math.tanh(row.z)
    expected = skip_by_hand_gradients(data)
    for name, expr in closed_form_expressions(spec, sympy).items():
        value = float(expr.subs({s: values[s.name] for s in expr.free_symbols}))
        key = dict(spec.param_names())[name]
        assert math.isclose(value, expected[key], rel_tol=1e-6, abs_tol=1e-9), (name, str(expr))


def test_the_skip_source_must_be_an_earlier_layer_of_as_many_units(scale):
    bad = json.loads(json.dumps(SKIP_SPEC))
    bad["layers"][2]["skip"] = "o"
    with pytest.raises(SpecError, match=r'layers\[3\] \("s"\) skip: expected the name of an earlier layer'):
        load_spec(bad)


# ── nothing switches on a kind's name; the checker never loads the tape ──

def _python_files(*folders):
    for folder in folders:
        yield from sorted((ROOT / "backcalc" / folder).rglob("*.py"))


def test_no_module_switches_on_a_kind_name():
    registries = {ROOT / "backcalc/net/layers/__init__.py", ROOT / "backcalc/check/layers/__init__.py",
                  ROOT / "backcalc/net/spec.py"}  # the registries, and the spec's default kind
    for path in _python_files("."):
        if path in registries or path.parent.name == "layers":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value == "dense":
                pytest.fail(f"{path.relative_to(ROOT)}:{node.lineno} names the dense kind")


def test_no_module_of_the_checker_imports_the_tape():
    for path in _python_files("check"):
        body = ast.parse(path.read_text(encoding="utf-8")).body  # module level: what importing it loads
        imported = {node.module or "" for node in body if isinstance(node, ast.ImportFrom)}
        imported |= {a.name for node in body if isinstance(node, ast.Import) for a in node.names}
        bad = {m for m in imported if "tape" in m.split(".") or m.endswith("net.layers") or ".layers." in m
               and "check" not in m or m in ("network", "derivation") or m.endswith((".network", ".derivation"))}
        assert not bad, (path.relative_to(ROOT), bad)
