"""Files: read only what was asked, write only what was asked (issue #13, class "files").

Each example of the issue is a test; a hypothesis test throws every kind of path at every reading and
writing command and requires exit 0 or 2, one line, no traceback, nothing written outside the folder.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from backcalc.cli import main
from backcalc.errors import BackcalcError
from backcalc.files import check_output, read_text, write_bytes

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "worked_examples" / "seed004.toml"
SMALL = ["vanishing", "--depth", "2", "--width", "2", "--samples", "4", "--features", "2"]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line_2(res):
    assert res.exit_code == 2, res.output
    assert res.output.startswith("backcalc: error:") and res.output.strip().count("\n") == 0, res.output
    return res.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_spec_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "spec.toml"
    os.mkfifo(fifo)
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "backcalc.cli", "explain", str(fifo)], capture_output=True,
                          text=True, timeout=20, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert time.monotonic() - start < 15
    assert proc.returncode == 2 and "FIFO" in proc.stderr and "regular file" in proc.stderr


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_link_to_a_device_is_refused(tmp_path, device):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    link = tmp_path / "spec.toml"
    link.symlink_to(device)
    assert "character device" in one_line_2(run("explain", link))
    assert "character device" in one_line_2(run("check", SEED, link))


def test_reads_are_bounded(tmp_path):
    path = tmp_path / "big.toml"
    path.write_text("# " + "x" * 2_000_000)
    assert "over the limit" in one_line_2(run("explain", path))
    with pytest.raises(BackcalcError, match="over the limit of 10 bytes"):
        read_text(path, 10)


def test_a_bom_is_read_as_text(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SEED.read_bytes())
    assert run("explain", path).exit_code == 0


def test_exercise_never_writes_through_a_dangling_symlink(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    hw = tmp_path / "hw"
    hw.mkdir()
    (hw / "exercise.toml").symlink_to(outside / "stolen.toml")
    for extra in ([], ["--force"]):
        out = one_line_2(run("exercise", "--out", hw, *extra))
        assert "exercise.toml" in out
    assert list(outside.iterdir()) == []


def test_exercise_refuses_an_empty_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert "empty" in one_line_2(run("exercise", "--out", ""))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name, words", [("grads", "must end in"), ("/dev/full", "must end in"), ("figs", "must end in"),
                                         ("folder.png", "folder"), ("missing/x.png", "does not exist"),
                                         ("link.png", "symbolic link"), ("", "empty")])
def test_plot_paths_are_checked_before_the_work(tmp_path, monkeypatch, name, words):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder.png").mkdir()
    (tmp_path / "figs").mkdir()  # --plot figs with a folder figs/: the figs.png is never written
    (tmp_path / "link.png").symlink_to(tmp_path / "elsewhere.png")
    res = run(*SMALL, "--plot", name)
    assert words in one_line_2(res)
    assert "Vanishing" not in res.output  # refused before the run
    assert not (tmp_path / "grads.png").exists() and not (tmp_path / "elsewhere.png").exists()
    assert not (tmp_path / "figs.png").exists() and list((tmp_path / "figs").iterdir()) == []


def test_plot_writes_exactly_the_path_given(tmp_path):
    pytest.importorskip("matplotlib")
    res = run(*SMALL, "--plot", tmp_path / "g.svg")
    assert res.exit_code == 0 and (tmp_path / "g.svg").read_text().lstrip().startswith("<?xml")
    # exactly the documented files: the path given, and the other figures named after it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g-activations.svg", "g-histograms.svg", "g.svg"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("args", [["explain"], ["explain", "--format", "json"], SMALL,
                                  ["grad", "x*x", "--at", "x=2"]])
def test_a_full_disk_is_one_line_and_exit_2(args):
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "backcalc.cli", *args], stdout=full, stderr=subprocess.PIPE,
                              text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 2
    assert proc.stderr == "backcalc: error: cannot write output: no space left on the device\n"


def test_write_bytes_refuses_links_devices_and_existing_files(tmp_path):
    target = tmp_path / "t"
    (tmp_path / "l").symlink_to(target)
    with pytest.raises(BackcalcError, match="symbolic link"):
        write_bytes(tmp_path / "l", b"x")
    assert not target.exists()
    write_bytes(tmp_path / "f", b"1")
    with pytest.raises(BackcalcError, match="already exists"):
        write_bytes(tmp_path / "f", b"2", force=False)
    assert (tmp_path / "f").read_bytes() == b"1"
    if os.path.exists("/dev/full"):
        with pytest.raises(BackcalcError, match="character device"):
            check_output("/dev/full", "--plot")


_KINDS = st.sampled_from(["missing", "dir", "fifo", "dangling", "link_dir", "device", "empty", "regular",
                          "newline_name", "escape_name", "long_name"])


def _make(tmp_path, kind, suffix):
    name = {"newline_name": "a\nb", "escape_name": "a\x1b]0;x\x07", "long_name": "n" * 200}.get(kind, "f")
    path = tmp_path / f"{name}{suffix}"
    if kind == "dir":
        path.mkdir()
    elif kind == "fifo" and hasattr(os, "mkfifo"):
        os.mkfifo(path)
    elif kind == "dangling":
        path.symlink_to(tmp_path / "nowhere")
    elif kind == "link_dir":
        path.symlink_to(tmp_path)
    elif kind == "device" and os.path.exists("/dev/zero"):
        path.symlink_to("/dev/zero")
    elif kind == "empty":
        path.write_text("")
    elif kind in ("regular", "newline_name", "escape_name", "long_name"):
        path.write_text('format = 1\ntitle = "t"\n')
    return path


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=_KINDS, suffix=st.sampled_from([".toml", ".json", ".png", ""]),
       command=st.sampled_from(["explain", "verify", "check_spec", "check_answers", "plot", "exercise"]))
def test_fuzz_every_path_kind_every_command(tmp_path_factory, kind, suffix, command):
    tmp_path = tmp_path_factory.mktemp("p")
    path = _make(tmp_path, kind, suffix)
    args = {"explain": ["explain", path], "verify": ["verify", path], "check_spec": ["check", path, SEED],
            "check_answers": ["check", SEED, path], "plot": SMALL + ["--plot", path],
            "exercise": ["exercise", "--out", path]}[command]
    before = {p: p.lstat() for p in tmp_path.rglob("*")}
    res = run(*args)
    assert res.exit_code in (0, 1, 2), res.output
    if res.exit_code == 2:
        err = res.output.strip().splitlines()[-1]
        assert err.startswith("backcalc: error:") and "\x1b" not in err and "Traceback" not in res.output
    assert "\x1b" not in res.output
    for p, st_before in before.items():  # nothing outside what was asked changed
        if p != path:
            assert p.lstat().st_mtime_ns == st_before.st_mtime_ns
