"""What the Moodle quiz shows of the net: every layer kind the spec accepts says what it gives, a dropout layer its
p and mask, a training exercise its optimizer and penalty — all in explain's words, in both languages."""

from __future__ import annotations

import html
import re

import pytest
from click.testing import CliRunner

from backcalc.cli import main
from backcalc.grading.exercise import make_exercise
from backcalc.grading.moodle import net_html, quiz_xml
from backcalc.net.layers import KINDS
from backcalc.net.spec import load_spec
from backcalc.render.labels_working import working_labels
from test_indonesian import english_words

EX = "worked_examples"
MAP = [[[1.0, 2.0, 0.0, 1.0], [0.0, 1.0, 3.0, -1.0], [2.0, 1.0, 1.0, 0.5]]]   # 1 channel × 3 × 4
SIGNAL = [[1.0, 0.0, -1.0, 2.0, 0.5, 1.0]]                                   # 1 channel × 6


def _spec(x, y, layers):
    return load_spec({"format": 1, "seed": 0, "data": {"x": x, "y": y}, "layers": layers})


def _pooled(kind, size, stride, x, conv):
    return _spec([x], [[1.0]], [{"kind": conv, "name": "c", "units": 1, "kernel": 2, "init": "normal:0.5",
                                 "activation": "relu", "stride": 2, "padding": 1},
                                {"kind": kind, "name": "p", "size": size, "stride": stride},
                                {"kind": "flatten", "name": "h"},
                                {"name": "o", "activation": "linear", "units": 1, "init": "normal:0.5"}])


def specs():
    """(name, spec): together every kind of ``KINDS``."""
    return [("conv_pool", load_spec(f"{EX}/conv_pool.toml")),
            ("conv1d_two_channel", load_spec(f"{EX}/conv1d_two_channel.toml")),
            ("avgpool2d", _pooled("avgpool2d", [1, 2], [1, 1], MAP, "conv2d")),
            ("maxpool1d", _pooled("maxpool1d", 2, 1, SIGNAL, "conv1d")),
            ("batchnorm_221", load_spec(f"{EX}/batchnorm_221.toml")),
            ("layernorm", load_spec(f"{EX}/layernorm.toml")),
            ("rnn_last_step", load_spec(f"{EX}/rnn_last_step.toml")),
            ("seed004", load_spec(f"{EX}/seed004.toml"))]


def items(page: str) -> dict:
    """Each layer's list item as text, by the layer's name: ``{"p": "maxpool2d): the stride s = 2, …"}``."""
    found = re.findall(r"<li>[^<]*? \d+ \(([^,]+), (.*?)</li>", page)
    return {name: html.unescape(rest) for name, rest in found}


@pytest.mark.parametrize("lang", ["en", "id"])
def test_every_layer_kind_says_what_it_gives(lang):
    seen = set()
    for name, spec in specs():
        lines = items(net_html(spec, lang))
        assert len(lines) == len(spec.layers), name
        for layer in spec.layers:
            seen.add(layer.kind)
            head, _, given = lines[layer.name].partition("): ")
            assert given.strip() and not given.rstrip().endswith(":"), (name, layer.kind, lines[layer.name])
    assert seen == set(KINDS)  # a new kind joins this test


def test_a_pool_and_a_flatten_in_the_words_of_explains_working():
    lines = items(net_html(load_spec(f"{EX}/conv_pool.toml")))
    assert lines["p"] == "maxpool2d): the stride s = 2, the window's size K = (2, 2)"
    assert lines["h"] == "flatten): each sample's map as one row of features, in row-major order: 1×1×1 → 1"
    lines = items(net_html(load_spec(f"{EX}/conv1d_two_channel.toml"), "id"))
    assert lines["p"] == "avgpool1d): langkah geser s = 2, ukuran jendela K = 2"
    assert lines["h"] == "flatten): peta tiap sampel sebagai satu baris fitur, menurut urutan baris: 2×2 → 4"
    assert lines["c"].startswith("tanh): bobot [[[0.5, -0.5], [1.0, 0.0]], [[0.0, 1.0], [-0.5, 0.5]]], bias [0.0, 0.1]")
    for lang in ("en", "id"):
        reasons = working_labels(lang)["reason"]
        lines = items(net_html(_pooled("avgpool2d", [1, 2], [1, 1], MAP, "conv2d"), lang))
        assert lines["p"].endswith(f"{reasons['stride']} s = 1, {reasons['window_size']} K = (1, 2)")
        # a conv's stride and padding where they are not 1 and 0 (the kernel's size is its weights' shape)
        assert lines["c"].endswith(f"{reasons['stride']} s = 2, {reasons['padding']} p = 1")
    assert "stride" not in items(net_html(load_spec(f"{EX}/conv_pool.toml")))["c"]


def test_the_working_and_the_quiz_give_a_pool_the_same_stride_and_window():
    from backcalc.net.derivation import explain
    from backcalc.render import text

    spec = _pooled("maxpool2d", [2, 1], [1, 2], MAP, "conv2d")
    page = text.render(explain(spec))
    assert "s = (1, 2)    [the stride]" in page and "K = (2, 1)    [the window's size]" in page
    assert items(net_html(spec))["p"] == "maxpool2d): the stride s = (1, 2), the window's size K = (2, 1)"


@pytest.mark.parametrize("lang", ["en", "id"])
def test_the_conv_exercise_quiz_lists_its_pool_and_flatten(tmp_path, lang):
    (tmp_path / "r.csv").write_text("id,name\ns01,Ani\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["exercise", "--conv", "--pool", "avg", "--roster", str(tmp_path / "r.csv"),
                                    "--out", str(tmp_path / "hw"), "--moodle", str(tmp_path / "q.xml"),
                                    "--lang", lang])
    assert res.exit_code == 0, res.output
    import xml.etree.ElementTree as ET

    page = ET.parse(tmp_path / "q.xml").getroot().find("question[@type='cloze']").findtext("questiontext/text")
    lines = items(page)
    reasons = working_labels(lang)["reason"]
    assert lines["p"] == f"avgpool2d): {reasons['stride']} s = 2, {reasons['window_size']} K = (2, 2)"
    assert lines["h"] == f"flatten): {reasons['flatten']}: 1×1×2 → 2"
    if lang == "id":
        assert english_words(re.sub(r"\b(maxpool2d|avgpool2d|flatten|relu|linear|bias|loss|learning rate|SGD)\b",
                                    " ", html.unescape(page))) == []


def test_a_dense_exercise_quiz_is_unchanged_by_the_settings():
    xml = quiz_xml([(None, make_exercise(seed=1))])
    assert "weights [[" in xml and "stride" not in xml and "row-major" not in xml


def question_text(ex, lang="en") -> str:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(quiz_xml([(None, ex)], lang))
    return html.unescape(root.find("question[@type='cloze']").findtext("questiontext/text"))


@pytest.mark.parametrize("lang", ["en", "id"])
def test_a_dropout_exercise_gives_each_layers_p_and_mask(lang):
    from backcalc.render.labels import labels

    ex = make_exercise(seed=3, dropout=0.5, lang=lang)
    page = question_text(ex, lang)
    dropped = [layer for layer in ex.spec.layers if getattr(layer, "dropout", None) is not None]
    assert len(dropped) == 2
    for layer in dropped:
        words = labels(lang)["dropout"].format(p="0.5", mask=layer.dropout.mask.astype(int).tolist(), drawn="")
        assert words in items(page)[layer.name], (layer.name, items(page)[layer.name])


@pytest.mark.parametrize("lang", ["en", "id"])
def test_a_training_exercise_names_its_optimizer_and_penalty(lang):
    from backcalc.render.labels import labels

    T = labels(lang)["train"]
    page = question_text(make_exercise(seed=4, optimizer="adamw", l2=0.1, lang=lang), lang)
    intro = page.split("</p>")[0]
    assert " AdamW " in intro and "SGD" not in intro
    assert T["update"].format(settings="AdamW (lr 0.25, β1 0.9, β2 0.999, ε 1e-08, λ 0.01)") in page
    assert T["decoupled"].format(lam="0.01") in page
    assert T["penalty"].format(arrays="W1, W2, W3") + f" L = {T['data_loss']} + λ₂·Σw² (λ₂ = 0.1)" in page
    plain = question_text(make_exercise(seed=4, lang=lang), lang)
    assert " SGD " in plain.split("</p>")[0] and T["update"].split(":")[0] not in plain and "λ₂" not in plain


@pytest.mark.parametrize("lang", ["en", "id"])
def test_a_normalisation_layer_says_what_its_statistics_are_taken_over(lang):
    from backcalc.render.labels import labels

    L = labels(lang)
    for path, kind, n, word in ((f"{EX}/layernorm.toml", "layernorm", 3, "layernorm"),
                                (f"{EX}/batchnorm_221.toml", "batchnorm", 2, "batchnorm")):
        spec = load_spec(path)
        layer = next(layer for layer in spec.layers if layer.kind == kind)
        line = items(net_html(spec, lang))[layer.name]
        counted = L["norm_count"][kind]["many"].format(n=n)
        words = L["norm_stats"][kind].format(n=counted, eps="1e-05")  # the biased variance, as explain's page
        assert f"): {words}, gamma{layer.index} = [" in line, line


def test_the_task_names_the_optimizer_in_a_sentence_that_reads():
    # "one step of SGD with momentum on this net", not "one SGD with momentum step of this net"
    page = question_text(make_exercise(seed=4, optimizer="momentum", lang="en"), "en")
    assert "Work out by hand one step of SGD with momentum on this net;" in page.split("</p>")[0]
    plain = question_text(make_exercise(seed=4, lang="en"), "en")
    assert "Work out by hand one step of SGD on this net;" in plain.split("</p>")[0]
