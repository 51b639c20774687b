"""The class workflow: roster → exercise variants → sheets → grade → gradebook CSV, Moodle XML, fingerprints."""

import csv
import io
import json
import os
import re
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from backcalc.cli import main
from backcalc.grading.classroom import parse_roster, variant_seed
from backcalc.grading.grade import check_answers
from backcalc.errors import BackcalcError

ROSTER = "id,name,email\ns01,Ani Lestari,ani@example.edu\ns02,Budi Santoso,budi@example.edu\ns03,=cmd(),c@x.edu\n"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    (root / "roster.csv").write_text(ROSTER, encoding="utf-8")
    res = run("exercise", "--roster", root / "roster.csv", "--out", root / "hw", "--seed", 7,
              "--moodle", root / "quiz.xml")
    assert res.exit_code == 0, res.output
    return root


def key_values(path):
    """The key's numbers by (section, name), read with a plain TOML parser."""
    import tomllib

    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    return doc


def test_roster_columns_separators_and_errors():
    assert [s.email for s in parse_roster("\ufeffid;name;email\nA1;X;x@y\n")] == ["x@y"]
    assert parse_roster("name,id\nX,7\n")[0].id == "7"
    for text, message in [("id,email\n1,a\n", "no column 'name'"), ("id,name\n../x,A\n", "id '../x'"),
                          ("id,name\na,A\nA,B\n", "given twice"), ("id,name,phone\na,A,1\n", "unknown column 'phone'"),
                          ("id,name\n", "no students"), ("id,name\na,A,extra\n", "3 fields"),
                          ("id,name\nsolutions,A\n", "not 'solutions'")]:
        with pytest.raises(BackcalcError, match=re.escape(message)):
            parse_roster(text, "r.csv")


def test_a_bad_roster_exits_2_with_one_line(tmp_path):
    (tmp_path / "r.csv").write_text("id,name\na,A\na,B\n", encoding="utf-8")
    res = run("exercise", "--roster", tmp_path / "r.csv", "--out", tmp_path / "hw")
    assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1 and "line 3" in res.stderr
    assert not (tmp_path / "hw").exists()


def test_each_student_gets_a_folder_solutions_and_a_variant_of_their_own(klass):
    hw = klass / "hw"
    assert sorted(os.listdir(hw)) == ["roster.csv", "s01", "s02", "s03", "solutions"]
    assert sorted(os.listdir(hw / "solutions")) == [f"s0{i}{x}" for i in (1, 2, 3) for x in (".md", ".tex")]
    specs = {sid: (hw / sid / "exercise.toml").read_text(encoding="utf-8") for sid in ("s01", "s02", "s03")}
    assert len(set(specs.values())) == 3 and variant_seed(7, "s01") != variant_seed(7, "s02")
    sheet = key_values(hw / "s01" / "sheet.toml")
    key = key_values(hw / "s01" / "key.toml")
    assert sheet["id"] == key["id"] == "s01" and sheet["student"] == "Ani Lestari"
    assert sheet["fingerprint"] == key["fingerprint"] and len(sheet["fingerprint"]) == 10
    r = check_answers(hw / "s01" / "exercise.toml", hw / "s01" / "key.toml")
    assert r.ok and r.correct == r.total and r.id == "s01" and r.student == "Ani Lestari"


def test_the_same_roster_and_seed_give_byte_identical_files(klass, tmp_path):
    res = run("exercise", "--roster", klass / "roster.csv", "--out", tmp_path / "again", "--seed", 7)
    assert res.exit_code == 0, res.output
    for sid in ("s01", "s03"):
        for name in ("exercise.toml", "sheet.toml", "key.toml"):
            assert (tmp_path / "again" / sid / name).read_bytes() == (klass / "hw" / sid / name).read_bytes()
    assert (tmp_path / "again" / "solutions" / "s02.tex").read_bytes() == \
        (klass / "hw" / "solutions" / "s02.tex").read_bytes()


def test_check_refuses_a_sheet_made_for_another_exercise(klass):
    hw = klass / "hw"
    res = run("check", hw / "s02" / "exercise.toml", hw / "s01" / "key.toml")
    fp1 = key_values(hw / "s01" / "key.toml")["fingerprint"]
    fp2 = key_values(hw / "s02" / "key.toml")["fingerprint"]
    assert res.exit_code == 2 and fp1 in res.stderr and fp2 in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    res = run("check", hw / "s01" / "exercise.toml", hw / "s01" / "key.toml", "--format", "json")
    d = json.loads(res.stdout)
    assert (d["id"], d["student"], d["fingerprint"]) == ("s01", "Ani Lestari", fp1)
    assert "Ani Lestari" in run("check", hw / "s01" / "exercise.toml", hw / "s01" / "sheet.toml").stdout


def test_exercise_never_writes_through_a_symbolic_link(klass, tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    (tmp_path / "hw").mkdir()
    os.symlink(target, tmp_path / "hw" / "s01")
    res = run("exercise", "--roster", klass / "roster.csv", "--out", tmp_path / "hw", "--force")
    assert res.exit_code == 2 and "symbolic link" in res.stderr and os.listdir(target) == []


def _fill(hw, sid, edit=None):
    text = (hw / sid / "key.toml").read_text(encoding="utf-8").replace('title = "answer key"\n', "")
    (hw / sid / "sheet.toml").write_text(edit(text) if edit else text, encoding="utf-8")


def test_grade_writes_a_gradebook_and_a_class_report(klass, tmp_path):
    hw = klass / "hw"
    _fill(hw, "s01")
    flip = lambda m: m.group(1) + ("w_ij1 = " if m.group(2) else "w_ij1 = -")  # noqa: E731
    _fill(hw, "s02", lambda t: re.sub(r"(\n\[gradients\]\n#[^\n]*\n)w_ij1 = (-?)", flip, t))  # one sign flipped
    (hw / "s03" / "sheet.toml").write_text("not [toml", encoding="utf-8")
    out = tmp_path / "gradebook.csv"
    res = run("grade", hw, "--out", out)
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["id", "name", "email", "score", "correct", "answered", "total", "forward", "loss",
                             "factors", "gradients", "updated", "error"]
    by = {r["id"]: r for r in rows}
    assert by["s01"]["score"] == "100.0" and by["s01"]["email"] == "ani@example.edu" and by["s01"]["error"] == ""
    assert float(by["s02"]["score"]) < 100 and by["s02"]["gradients"] != "100.0"
    assert by["s03"]["score"] == "" and "invalid TOML" in by["s03"]["error"]
    assert by["s03"]["name"] == "'=cmd()"  # never a spreadsheet formula
    assert "Mistakes named" in res.stdout and "s03:" in res.stdout
    d = json.loads(run("grade", hw, "--format", "json").stdout)
    assert {"id", "name", "score", "correct", "answered", "total", "error"} <= set(d["students"][0])
    assert {"key", "correct_rate"} <= set(d["questions"][0])
    (sign,) = [m for m in d["mistakes"] if m["mistake"] == "sign"]
    assert sign["students"] == 1 and sign["keys"] == ["w_ij1"]
    assert "Laporan kelas" in run("grade", hw, "--lang", "id").stdout
    assert run("grade", hw, "--format", "markdown").stdout.startswith("## Class report")


def test_grade_of_a_folder_that_is_not_a_class_exits_2(tmp_path):
    res = run("grade", tmp_path)
    assert res.exit_code == 2 and "roster.csv" in res.stderr


def test_moodle_xml_parses_back_with_one_cloze_question_per_student(klass):
    root = ET.parse(klass / "quiz.xml").getroot()
    assert root.tag == "quiz"
    questions = [q for q in root if q.get("type") == "cloze"]
    assert [q.findtext("idnumber") for q in questions] == ["s01", "s02", "s03"]
    for q, sid in zip(questions, ("s01", "s02", "s03")):
        key = key_values(klass / "hw" / sid / "key.toml")
        assert key["fingerprint"] in q.findtext("name/text")
        html = q.findtext("questiontext/text")
        blanks = re.findall(r"<td>([^<]*)</td><td>\{1:NUMERICAL:=([^:}]+):([^:}]+)\}</td>", html)
        values = {label: (float(v), float(t)) for label, v, t in blanks}
        assert values["L"][0] == pytest.approx(key["loss"], rel=1e-15)
        assert values["∂L/∂w_k1o"][0] == pytest.approx(key["gradients"]["w_k1o"], rel=1e-15)
        assert values["new b_o"][0] == pytest.approx(key["updated"]["b_o"], rel=1e-15)
        assert len(blanks) == 1 + 7 + 2 * 21 + 1 and all(t > 0 for _, t in values.values())
        v, t = values["L"]
        assert abs(float(f"{v:.4g}") - v) <= t  # a loss right to 4 significant digits is inside Moodle's ±
