"""A corpus of bad inputs, one per kind of error message: spec and answers files that are wrong in one way each,
and command lines (``{f}`` is the folder the files are written to). tests/test_indonesian_errors.py runs each in
both languages; benchmarks/output_diff.py snapshots each line, so a change of wording shows in its diff.
"""

import json
from pathlib import Path

BASE = {"format": 1, "data": {"x": [[1.0, 2.0]], "y": [[1.0]]},
        "layers": [{"name": "h", "activation": "relu", "weights": [[1.0, 0.5], [0.5, 1.0]], "bias": [0.0, 0.0]},
                   {"activation": "linear", "weights": [[1.0], [1.0]], "bias": [0.0]}]}


def _spec(change):
    doc = json.loads(json.dumps(BASE))
    change(doc)
    return json.dumps(doc)


def _layer(i, **keys):
    return lambda d: d["layers"][i].update(keys)


def _units(doc, init, seed):
    """The first layer drawn from ``init`` instead of written out (with a top-level seed or without)."""
    layer = doc["layers"][0]
    del layer["weights"], layer["bias"]
    layer.update(units=2, init=init)
    if seed:
        doc["seed"] = 0


FILES = {  # name: text of a bad spec (or answers) file
    "toml_equals.toml": "format = 1\n[data]\nx [[1.0]]\n",
    "toml_twice.toml": "format = 1\nformat = 1\n",
    "toml_array.toml": "format = 1\nx = [1.0, 2.0\n",
    "toml_string.toml": 'format = 1\ntitle = "abc\n',
    "json_comma.json": '{"format": 1,, "data": {}}',
    "json_value.json": '{"format": }',
    "empty.toml": "",
    "spec.yaml": "format: 1\n",
    "format2.json": _spec(lambda d: d.update(format=2)),
    "no_format.json": _spec(lambda d: d.pop("format")),
    "extra_key.json": _spec(lambda d: d.update(extra=1)),
    "typo_key.json": _spec(_layer(0, activaton="relu")),
    "typo_activation.json": _spec(_layer(0, activation="sigmoidd")),
    "weights_shape.json": _spec(_layer(1, weights=[[1.0], [1.0], [1.0]])),
    "bias_length.json": _spec(_layer(0, bias=[0.0])),
    "ragged.json": _spec(_layer(0, weights=[[1.0, 0.5], [0.5]])),
    "not_number.json": _spec(_layer(0, weights=[[1.0, "a"], [0.5, 1.0]])),
    "boolean.json": _spec(_layer(0, weights=[[1.0, True], [0.5, 1.0]])),
    "out_of_range.json": _spec(_layer(0, weights=[[1.0, 1e9], [0.5, 1.0]])),
    "y_shape.json": _spec(lambda d: d["data"].update(y=[[1.0, 2.0]])),
    "x_shape.json": _spec(lambda d: d["data"].update(x=[[1.0, 2.0, 3.0]])),
    "loss_kind.json": _spec(lambda d: d.update(loss={"kind": "hinge"})),
    "reduction.json": _spec(lambda d: d.update(loss={"kind": "half_sse", "reduction": "max"})),
    "steps_zero.json": _spec(lambda d: d.update(train={"steps": 0})),
    "lr_negative.json": _spec(lambda d: d.update(train={"learning_rate": -1})),
    "optimizer.json": _spec(lambda d: d.update(train={"optimizer": "adamm"})),
    "name_twice.json": _spec(_layer(1, name="h")),
    "no_layers.json": _spec(lambda d: d.pop("layers")),
    "softmax_one.json": _spec(_layer(1, activation="softmax")),
    "layer_kind.json": _spec(_layer(0, kind="dens")),
    "init_unknown.json": _spec(lambda d: _units(d, "xavierr", seed=True)),
    "init_no_seed.json": _spec(lambda d: _units(d, "he_normal", seed=False)),
    "both_weights_units.json": _spec(_layer(0, units=2, init="he_normal")),
    "bias_true.json": _spec(_layer(0, bias=True)),
    "dropout_output.json": _spec(_layer(1, dropout=0.5)),
    "dropout_p.json": _spec(_layer(0, dropout=1.5)),
    "dropout_seed.json": _spec(_layer(0, dropout=0.5)),
    "ce_flat.json": _spec(lambda d: d.update(loss={"kind": "cross_entropy"})),
    "bce_output.json": _spec(lambda d: d.update(loss={"kind": "bce"}) or d["layers"][1].update(activation="relu")),
    "skip_unknown.json": _spec(_layer(1, skip="zz")),
    "title_lines.json": _spec(lambda d: d.update(title="a\nb")),
    "seed_negative.json": _spec(lambda d: d.update(seed=-1)),
    "top_list.json": "[1, 2]",
    "rnn_first.json": _spec(lambda d: d["layers"].insert(1, {"kind": "rnn", "units": 2, "init": "he_normal"})),
    "pool_size.json": _spec(lambda d: d["layers"].insert(0, {"kind": "maxpool1d"})),
    "norm_eps.json": _spec(lambda d: d["layers"].insert(1, {"kind": "batchnorm", "gamma": [1.0, 1.0],
                                                           "beta": [0.0, 0.0], "eps": -1})),
    "answers_top.json": "[1]",
    "answers_format.toml": "format = 2\n",
    "answers_decimal.toml": "loss = 0,5\n",
    "roster_empty.csv": "",
    "roster_columns.csv": "id,nama\ns1,Ani\n",
    "roster_twice.csv": "id,name\ns1,Ani\ns1,Budi\n",
}
SEED = "worked_examples/seed004.toml"

COMMANDS = [  # (name, argv); "{f}" is the folder of FILES and of outputs
    *[(f"explain-{name}", ["explain", "{f}/" + name]) for name in FILES if name.endswith((".toml", ".json", ".yaml"))
      and not name.startswith("answers")],
    ("explain-no-file", ["explain", "{f}/tiada.toml"]),
    ("explain-folder", ["explain", "{f}"]),
    ("explain-bad-option", ["explain", "--formt", "x"]),
    ("explain-digits", ["explain", "--digits", "99"]),
    ("explain-format", ["explain", "--format", "pdf"]),
    ("explain-steps", ["explain", "--steps", "0"]),
    ("explain-param", ["explain", "--param", "w_zz"]),
    ("explain-param-format", ["explain", "--param", "w_ij1", "--format", "json"]),
    ("explain-order-format", ["explain", "--order", "layer", "--format", "json"]),
    ("explain-extra", ["explain", SEED, "x9"]),
    ("verify-formulas-rnn", ["verify", "worked_examples/rnn_last_step.toml", "--formulas"]),
    ("verify-no-file", ["verify", "{f}/tiada.toml"]),
    ("grad-syntax", ["grad", "x +* 1", "--at", "x=1"]),
    ("grad-missing", ["grad", "x + y", "--at", "x=1"]),
    ("grad-not-allowed", ["grad", "x.real", "--at", "x=1"]),
    ("grad-function", ["grad", "sin", "--at", "x=1"]),
    ("grad-arguments", ["grad", "sin(x, x)", "--at", "x=1"]),
    ("grad-assign-function", ["grad", "sin = x", "--at", "x=1"]),
    ("grad-empty", ["grad", " ", "--at", "x=1"]),
    ("grad-at-form", ["grad", "x", "--at", "x"]),
    ("grad-at-name", ["grad", "x", "--at", "1x=2"]),
    ("grad-at-number", ["grad", "x", "--at", "x=abc"]),
    ("grad-at-infinite", ["grad", "x", "--at", "x=1e999"]),
    ("grad-at-twice", ["grad", "x", "--at", "x=1", "--at", "x=2"]),
    ("grad-at-unknown", ["grad", "x", "--at", "x=1,z=2"]),
    ("grad-of", ["grad", "y = x*x", "--at", "x=1", "--of", "q"]),
    ("grad-log-zero", ["grad", "log(x)", "--at", "x=0"]),
    ("grad-sqrt-negative", ["grad", "sqrt(x)", "--at", "x=-1"]),
    ("grad-divide-zero", ["grad", "1/x", "--at", "x=0"]),
    ("grad-power", ["grad", "x**0.5", "--at", "x=-1"]),
    ("grad-bare", ["grad", "x; y = x", "--at", "x=1"]),
    ("grad-overflow", ["grad", "exp(x)", "--at", "x=1000"]),
    ("check-no-answers", ["check", SEED, "{f}/tiada.toml"]),
    ("check-answers-top", ["check", SEED, "{f}/answers_top.json"]),
    ("check-answers-format", ["check", SEED, "{f}/answers_format.toml"]),
    ("check-rtol", ["check", SEED, "worked_examples/seed004_student.toml", "--rtol", "-1"]),
    ("check-wrong", ["check", SEED, "worked_examples/seed004_student.toml"]),
    ("exercise-shape", ["exercise", "--shape", "1", "--out", "{f}/ex1"]),
    ("exercise-shape-text", ["exercise", "--shape", "1,a", "--out", "{f}/ex2"]),
    ("exercise-activations", ["exercise", "--activations", "relu,sigmoidd,linear", "--out", "{f}/ex3"]),
    ("exercise-activation-count", ["exercise", "--activations", "relu", "--out", "{f}/ex4"]),
    ("exercise-softmax-one", ["exercise", "--shape", "1,1", "--activations", "softmax", "--out", "{f}/ex5"]),
    ("exercise-lr", ["exercise", "--lr", "50", "--out", "{f}/ex6"]),
    ("exercise-out-file", ["exercise", "--out", "{f}/empty.toml"]),
    ("exercise-moodle", ["exercise", "--moodle", "{f}/q.xml", "--out", "{f}/ex7"]),
    ("exercise-roster-empty", ["exercise", "--roster", "{f}/roster_empty.csv", "--out", "{f}/ex8"]),
    ("exercise-roster-columns", ["exercise", "--roster", "{f}/roster_columns.csv", "--out", "{f}/ex9"]),
    ("exercise-roster-twice", ["exercise", "--roster", "{f}/roster_twice.csv", "--out", "{f}/ex10"]),
    ("exercise-out-exists", ["exercise", "--out", "{f}/full"]),
    ("grade-not-class", ["grade", "worked_examples"]),
    ("grade-no-folder", ["grade", "{f}/tiada"]),
    ("vanishing-depth", ["vanishing", "--depth", "0"]),
    ("vanishing-activation", ["vanishing", "--activation", "sigmoidd"]),
    ("vanishing-init", ["vanishing", "--init", "normal:-1"]),
    ("vanishing-compare", ["vanishing", "--compare", "sigmoid:normal:0.01,,"]),
    ("vanishing-budget", ["vanishing", "--epochs", "100000"]),
    ("vanishing-plot", ["vanishing", "--plot", "{f}/grads"]),
    ("vanishing-data", ["vanishing", "--data", "moonz"]),
    ("unknown-command", ["explian"]),
]


def write_files(folder: Path) -> None:
    """Write every file of :data:`FILES` into ``folder`` (and a folder that already holds an exercise)."""
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "full").mkdir()
    (folder / "full" / "exercise.toml").write_text("format = 1\n", encoding="utf-8")
