"""Every command's output on every worked example, every format and both languages — and its diff against a ref.

A refactor must not change what a user sees. This script runs the CLI in-process (click's runner) over a fixed
list of invocations and writes each one's stdout, stderr and exit code to a folder::

    python benchmarks/output_diff.py snapshot OUT          # this tree's outputs into OUT/
    python benchmarks/output_diff.py diff REF              # this tree against git REF (e.g. HEAD~5 or main)

``diff`` checks REF out into a temporary worktree, snapshots both trees (each with its own ``backcalc``) and
prints ``diff -r`` of the two folders; it exits 0 when they are byte-identical, 1 otherwise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ["seed004", "tanh_net", "softmax_batch", "sigmoid_222", "deep_sigmoid_chain"]
GRAD_PROGRAMS = [
    ("sigmoid(w*x + b)", ["--at", "w=0.5,x=2,b=-1"]),
    ("y = tanh(a*b); z = y*y + log(b)", ["--at", "a=0.3,b=1.5", "--of", "z"]),
    ("exp(x)/(1+exp(x))", ["--at", "x=0.25"]),
]
VANISHING = [
    ["--depth", "4", "--width", "16", "--samples", "40"],
    ["--depth", "4", "--width", "16", "--samples", "40", "--residual"],
    ["--depth", "4", "--width", "16", "--samples", "40", "--batchnorm"],
    ["--depth", "4", "--width", "16", "--samples", "40", "--activation", "tanh", "--init", "zeros"],
    ["--depth", "3", "--width", "8", "--samples", "40", "--data", "moons", "--epochs", "2", "--loss", "bce"],
    ["--depth", "4", "--width", "16", "--samples", "40", "--compare", "sigmoid:normal:0.01,relu:he_normal"],
]

# Specs written into a temporary folder by the snapshot ("{fixtures}" in an argv is that folder): nets whose
# pages hold what the worked examples do not (the rule table's piecewise derivatives) and a class roster.
FIXTURES = {
    "piecewise.toml": 'format = 1\n[data]\nx = [[0.5, -1.0]]\ny = [[1.0]]\n[[layers]]\nactivation = "leaky_relu"\n'
                      'weights = [[1.0, -1.0], [0.5, 0.5]]\nbias = [0.0, 0.0]\n[[layers]]\nactivation = "elu"\n'
                      'weights = [[1.0], [1.0]]\nbias = [-3.0]\n[[layers]]\nactivation = "selu"\nweights = [[1.0]]\n'
                      'bias = [0.0]\n',
    "roster.csv": "id,name\ns1,Ani\ns2,Budi\n",
}


def invocations():
    """(name, argv) for every output the snapshot holds."""
    ex = "worked_examples"
    for name in EXAMPLES:
        spec = f"{ex}/{name}.toml"
        for lang in ("en", "id"):
            for fmt in ("text", "markdown", "latex", "json", "dot"):
                yield f"explain-{name}-{fmt}-{lang}", ["explain", spec, "--format", fmt, "--lang", lang]
            yield f"explain-{name}-text-{lang}-steps3-d3", ["explain", spec, "--steps", "3", "--digits", "3",
                                                           "--lang", lang]
            yield f"explain-{name}-markdown-{lang}-full", ["explain", spec, "--format", "markdown", "--full",
                                                          "--lang", lang]
        yield f"verify-{name}-text", ["verify", spec]
        yield f"verify-{name}-formulas", ["verify", spec, "--formulas"]
        yield f"verify-{name}-json", ["verify", spec, "--format", "json"]
    for lang in ("en", "id"):
        for fmt in ("text", "markdown", "latex", "html"):
            yield f"explain-piecewise-{fmt}-{lang}", ["explain", "{fixtures}/piecewise.toml", "--format", fmt,
                                                      "--lang", lang]
        yield f"verify-piecewise-formulas-{lang}", ["verify", "{fixtures}/piecewise.toml", "--formulas", "--lang", lang]
        yield f"verify-batchnorm-formulas-{lang}", ["verify", f"{ex}/batchnorm_221.toml", "--formulas", "--lang", lang]
    for name in ("seed004", "conv_pool", "rnn_last_step", "adam_first_step"):  # --order layer: a dense net, a first
        # conv, a first rnn, an optimizer whose tables follow the whole pass
        for lang in ("en", "id"):
            for fmt in ("text", "markdown", "latex", "html"):
                yield f"explain-{name}-{fmt}-{lang}-order-layer", ["explain", f"{ex}/{name}.toml", "--format", fmt,
                                                                   "--lang", lang, "--order", "layer"]
    yield "explain-default-text", ["explain"]
    yield "verify-default", ["verify"]
    for fmt in ("text", "markdown", "json"):
        for lang in ("en", "id"):
            yield f"check-seed004-student-{fmt}-{lang}", ["check", f"{ex}/seed004.toml",
                                                          f"{ex}/seed004_student.toml", "--format", fmt,
                                                          "--lang", lang]
    yield "check-seed004-student-all", ["check", f"{ex}/seed004.toml", f"{ex}/seed004_student.toml", "--all"]
    for i, (program, extra) in enumerate(GRAD_PROGRAMS):
        for fmt in ("text", "json", "latex"):
            yield f"grad-{i}-{fmt}", ["grad", program, *extra, "--format", fmt]
    for i, extra in enumerate(VANISHING):
        for fmt in ("text", "markdown", "json"):
            yield f"vanishing-{i}-{fmt}", ["vanishing", *extra, "--format", fmt]
    yield "error-missing-spec", ["explain", "no/such/file.toml"]
    yield "error-bad-format", ["explain", "--format", "nope"]
    for name, argv in _error_corpus():  # one bad input per kind of message, both languages
        for lang in ("en", "id"):
            yield f"error-{name}-{lang}", [a.replace("{f}", "{fixtures}") for a in argv] + ["--lang", lang]


def _error_corpus():
    sys.path.insert(0, str(ROOT / "tests"))
    from error_corpus import COMMANDS

    return COMMANDS


def snapshot(out: Path) -> None:
    """Run every invocation in this process's ``backcalc`` and write OUT/<name>.out."""
    from click.testing import CliRunner

    from backcalc.cli import main

    out.mkdir(parents=True, exist_ok=True)
    runner = CliRunner()
    fixtures = Path(tempfile.mkdtemp()) / "fixtures"  # a fixed name: a message may show the folder's own name
    fixtures.mkdir()
    for name, text in FIXTURES.items():
        (fixtures / name).write_text(text, encoding="utf-8")
    sys.path.insert(0, str(ROOT / "tests"))
    from error_corpus import write_files

    write_files(fixtures)
    for name, argv in invocations():
        argv = [a.replace("{fixtures}", str(fixtures)) for a in argv]
        result = runner.invoke(main, argv, catch_exceptions=True)
        stderr = result.stderr if hasattr(result, "stderr") else ""
        page = f"$ backcalc {' '.join(argv)}\n[exit {result.exit_code}]\n{result.stdout}\n--- stderr ---\n{stderr}"
        (out / f"{name}.out").write_text(page.replace(str(fixtures), "FIXTURES"), encoding="utf-8")
    for seed in (0, 7):
        folder = Path(tempfile.mkdtemp())
        result = runner.invoke(main, ["exercise", "--seed", str(seed), "--out", str(folder / "hw")])
        for f in sorted((folder / "hw").glob("*.toml")):
            (out / f"exercise-{seed}-{f.name}.out").write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
        shutil.rmtree(folder)
    for lang in ("en", "id"):  # a class: every student's files and the Moodle quiz, of several kinds of exercise
        for kind, extra in (("", []), ("conv-", ["--conv"]), ("dropout-", ["--dropout", "0.5"]),
                            ("adamw-l2-", ["--optimizer", "adamw", "--l2", "0.1"]),
                            ("batchnorm-", ["--batchnorm", "--samples", "2"])):
            folder = Path(tempfile.mkdtemp())
            runner.invoke(main, ["exercise", *extra, "--roster", str(fixtures / "roster.csv"), "--out",
                                 str(folder / "class"), "--moodle", str(folder / "quiz.xml"), "--lang", lang])
            for f in sorted((folder / "class").rglob("*.toml")) + [folder / "quiz.xml"]:
                name = "-".join(f.relative_to(folder).parts)
                (out / f"class-{kind}{lang}-{name}.out").write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
            shutil.rmtree(folder)
    shutil.rmtree(fixtures.parent)


def _snapshot_tree(tree: Path, out: Path) -> None:
    env = dict(os.environ, BACKCALC_TREE=str(tree), PYTHONHASHSEED="0")
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "snapshot", str(out)], cwd=tree, env=env,
                   check=True)


def diff(ref: str) -> int:
    """Snapshot this tree and REF's tree; print the diff; 0 when identical."""
    work = Path(tempfile.mkdtemp(prefix="backcalc-outdiff-"))
    try:
        subprocess.run(["git", "worktree", "add", "--detach", str(work / "ref"), ref], cwd=ROOT, check=True,
                       capture_output=True)
        # the reference tree runs this script's invocations, not its own copy of it
        _snapshot_tree(work / "ref", work / "before")
        _snapshot_tree(ROOT, work / "after")
        done = subprocess.run(["diff", "-r", str(work / "before"), str(work / "after")])
        count = len(list((work / "after").iterdir()))
        print(f"{count} outputs compared against {ref}: {'identical' if done.returncode == 0 else 'DIFFERENT'}")
        return 0 if done.returncode == 0 else 1
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(work / "ref")], cwd=ROOT, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "snapshot":
        sys.path.insert(0, os.environ.get("BACKCALC_TREE", str(ROOT)))
        snapshot(Path(sys.argv[2]))
    elif len(sys.argv) == 3 and sys.argv[1] == "diff":
        sys.exit(diff(sys.argv[2]))
    else:
        sys.exit(__doc__)
