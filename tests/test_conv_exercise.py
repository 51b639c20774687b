"""exercise --conv: friendly numbers whose answers are exact (the key equals the 40-digit reference exactly), the
key checks 100%, the blank sheet 0 answered, the same seed the same files, options that shape a dense net refused
with one line, and a class of variants graded with the conv mistakes named."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import reference
from backcalc.grading.classroom import make_class, parse_roster, write_class
from backcalc.grading.exercise import make_exercise
from backcalc.grading.grade import check_answers
from backcalc.net.documents import parse_document
from backcalc.net.spec import load_spec


class tomllib:  # noqa: N801 — backcalc's own reader (Python 3.10 has no tomllib)
    @staticmethod
    def loads(text):
        return parse_document(text, ".toml", "exercise.toml")

ROOT = Path(__file__).resolve().parents[1]


def _run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "backcalc.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


@pytest.mark.parametrize("seed, pool", [(0, "max"), (1, "max"), (5, "avg"), (9, "max")])
def test_the_key_is_exact_and_checks_correct(seed, pool):
    ex = make_exercise(seed=seed, conv=True, pool=pool)
    spec = load_spec(tomllib.loads(ex.spec_text))
    key = tomllib.loads(ex.key_text)
    # exact: every gradient of the key is the 40-digit reference's value (central differences at 40 digits, so
    # within 1e-20 of it) rounded to the nearest float, and that float is the reference's value itself
    grads = reference.gradients(spec)
    for (name, ckey) in spec.param_names():
        assert key["gradients"][name] == float(grads[ckey]), name
        assert abs(float(grads[ckey]) - grads[ckey]) < 1e-20 * max(1, abs(grads[ckey])), name
    new, _, after = reference.sgd(spec)
    assert key["loss_after"] == float(after)
    trace, total = reference.forward(spec, reference._params(spec))
    assert key["loss"] == float(total) and abs(float(total) - total) < 1e-30
    z, a = trace[0][0]
    assert [key["forward"][f"c1{i}{j}_in"] for i in (1, 2) for j in (1, 2, 3, 4)] == [float(v) for v in z]
    # friendly: short numbers (at most 8 significant digits), no relu at its kink, no max-pool tie
    numbers = [v for table in ("forward", "factors", "gradients", "updated") for v in key[table].values()]
    assert all(len(repr(v).replace("-", "").replace(".", "").strip("0")) <= 8 for v in numbers)
    assert min(abs(float(v)) for v in z) >= 0.5
    r = check_answers(spec, ex.key_text and tomllib.loads(ex.key_text))
    assert r.ok and r.correct == r.total > 80
    blank = check_answers(spec, tomllib.loads(ex.sheet_text))
    assert blank.ok and blank.answered == 0 and blank.total == r.total
    assert ex.files() == make_exercise(seed=seed, conv=True, pool=pool).files()
    assert f'kind = "{pool}pool2d"' in ex.spec_text


def test_the_command_writes_the_three_files_and_refuses_dense_options(tmp_path):
    r = _run("exercise", "--conv", "--seed", "2", "--out", str(tmp_path / "hw"))
    assert r.returncode == 0, r.stderr
    hw = tmp_path / "hw"
    r = _run("check", str(hw / "exercise.toml"), str(hw / "key.toml"), "--format", "json")
    assert r.returncode == 0 and json.loads(r.stdout)["correct"] == json.loads(r.stdout)["total"]
    for args, words in ((["--shape", "2,2,1"], "--shape"), (["--batchnorm", "--samples", "2"], "--batchnorm"),
                        (["--activations", "tanh,linear"], "--activations")):
        r = _run("exercise", "--conv", *args, "--out", str(tmp_path / "x"))
        assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
        assert "--conv draws its own net" in r.stderr and words in r.stderr
    r = _run("exercise", "--pool", "avg", "--out", str(tmp_path / "y"))
    assert r.returncode == 2 and "--pool goes with --conv" in r.stderr


@pytest.mark.parametrize("samples", [1, 2])
def test_a_kernel_gradient_counts_its_positions_and_samples_apart(samples):
    ex = make_exercise(seed=3, conv=True, samples=samples)
    positions = 8  # a 2×2 kernel on 3×5: 2 × 4 output positions per sample
    said = [line for line in ex.key_text.splitlines() if line.startswith("w_c1111 =")][0]
    assert (f"Σ over the {positions} output positions × {samples} samples of" in said if samples > 1
            else f"Σ over the {positions} output positions of" in said), said


def test_a_class_of_conv_variants_is_graded_with_the_mistakes_named(tmp_path):
    students = parse_roster("id,name\ns01,Ani\ns02,Budi\ns03,Citra\n")
    write_class(make_class(students, seed=4, conv=True), tmp_path / "hw")
    hw = tmp_path / "hw"
    (hw / "s01" / "sheet.toml").write_text((hw / "s01" / "key.toml").read_text(encoding="utf-8"), encoding="utf-8")
    key = tomllib.loads((hw / "s02" / "key.toml").read_text(encoding="utf-8"))
    sheet = {"id": "s02", "student": "Budi", "fingerprint": key["fingerprint"],
             "gradients": {"W1": np.flip(np.array([[[[key["gradients"][f"w_c11{p}{q}"] for q in (1, 2)]
                                                     for p in (1, 2)]]]), axis=(2, 3)).tolist(),
                           "b1": [key["gradients"]["b_c1"]]}}
    (hw / "s02" / "sheet.toml").write_text(json.dumps(sheet), encoding="utf-8")
    (hw / "s02" / "sheet.toml").rename(hw / "s02" / "sheet.json")
    rows = list(csv.DictReader((hw / "roster.csv").open(encoding="utf-8")))
    rows[1]["answers"] = "s02/sheet.json"
    with (hw / "roster.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()) + ["answers"] * ("answers" not in rows[0]))
        w.writeheader()
        for row in rows:
            w.writerow({k: row.get(k) or "" for k in w.fieldnames})
    r = _run("grade", str(hw), "--format", "json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    scores = {s["id"]: s["score"] for s in report["students"]}
    assert scores["s01"] == 100.0 and scores["s03"] == 0.0 and 0 < scores["s02"] < 100
    named = {m["mistake"]: m for m in report["mistakes"]}
    assert set(named) == {"kernel_gradient_flipped"} and named["kernel_gradient_flipped"]["students"] == 1


def test_the_files_in_indonesian_have_no_english():
    import re

    from test_indonesian import english_words

    ex = make_exercise(seed=2, conv=True, lang="id")
    keys = ["format", "title", "data", "layers", "activation", "weights", "bias", "loss", "kind", "train",
            "learning_rate", "steps", "name", "student", "id", "fingerprint", "size"]
    for name, text in ex.files().items():
        text = re.sub(r"^\s*(\w+) =", " =", text, flags=re.M)  # a TOML key is a name, not a word
        assert english_words(text, [], keys) == [], (name, english_words(text, [], keys)[:8])
    assert "kunci jawaban" in ex.key_text and "Konvolusi" in ex.spec_text
