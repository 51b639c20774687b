"""The interactive page: self-contained, every parameter and unit clickable, tested in a real browser when one
is installed (headless Chromium driven by Playwright; skipped otherwise)."""

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from backcalc.cli import main
from backcalc.net.derivation import explain, explain_steps
from backcalc.net.spec import load_spec
from backcalc.render import focus, html
from backcalc.render.format import num

ROOT = Path(__file__).resolve().parents[1]
SOFTMAX = str(ROOT / "worked_examples" / "softmax_batch.toml")


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_the_page_is_self_contained():
    page = run("explain", "--format", "html").output
    assert page.startswith("<!DOCTYPE html>") and '<meta name="viewport"' in page
    without_ns = page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    for needle in ("http:", "https:", " src=", "href=", "@import", "url(", "<link", "<img", "<iframe"):
        assert needle not in without_ns, needle


def test_every_parameter_and_unit_is_in_the_picture_with_its_details():
    d = explain()
    page = html.render(d)
    picture = page[page.index("<svg"):page.index("</svg>")]
    for t in d.terms:
        assert f'data-param="{t.name}"' in picture, t.name
        assert f'<template data-for="param:{t.name}">' in page
    for unit in ("j1", "j2", "j3", "j4", "k1", "k2", "o", "L"):
        assert f'data-node="{unit}"' in picture, unit
    template = page[page.index('<template data-for="param:w_ij1">'):]
    template = template[:template.index("</template>")]
    for line in focus.param_lines(d, "w_ij1"):
        assert html._h(line) in template, line
    # the derivation below links its rows to the picture
    assert '<tr data-param="w_ij1">' in page and '<div class="eq" data-node="k1">' in page


def test_steps_give_a_selector_and_a_batch_names_its_sample():
    page = html.render(explain(SOFTMAX, steps=3), lang="id", steps=explain_steps(SOFTMAX, 3))
    assert page.count('<section class="step"') == 3 and 'class="step-select"' in page
    assert "langkah 3" in page and "sampel 1 dari 2" in page and 'lang="id"' in page


def test_user_strings_are_escaped():
    d = explain()
    object.__setattr__(d, "title", '<script>alert("x")</script>')
    page = html.render(d)
    assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)" in page


def test_jupyter_shows_the_page_inline():
    frag = explain()._repr_html_()
    assert frag.startswith("<style>") and "<html" not in frag and 'data-param="w_ij1"' in frag


def test_param_focus_and_layer_order_from_the_cli():
    r = run("explain", "--param", "w_ij1")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[1] == "∂L/∂w_ij1 = (-0.0012476) · 1 · 2 = -0.0024952"  # see test_derivation.py
    assert "∂L/∂j1_out = ∂L/∂k1_in·w_j1k1 + ∂L/∂k2_in·w_j1k2" in r.output and "w_ij1 = 0.25 → 0.25062" in r.output
    bad = run("explain", "--param", "w_zz")
    assert bad.exit_code == 2 and "w_zz" in bad.output and bad.output.count("\n") == 1
    assert run("explain", "--param", "w_ij1", "--format", "latex").exit_code == 2
    layered = run("explain", "--order", "layer").output
    first, second = layered.index("Layer 3 (o, linear): gradients"), layered.index("Layer 2 (k, sigmoid): gradients")
    assert first < layered.index("w_k1o        1", first) < second  # the output layer's update before layer 2
    assert layered.rstrip().endswith("(was 0.12793)")


def _browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright not installed")
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if exe is None:
        pytest.skip("no Chromium installed")
    return sync_playwright, exe


def _highlighted(page):
    return sorted((e.get_attribute("data-src"), e.get_attribute("data-dst"))
                  for e in page.query_selector_all("section.step:not([hidden]) svg .edge.path"))


def test_in_chromium_a_click_highlights_every_path_and_fills_the_details(tmp_path):
    sync_playwright, exe = _browser()
    (tmp_path / "seed.html").write_text(html.render(explain()), encoding="utf-8")
    (tmp_path / "batch.html").write_text(html.render(explain(SOFTMAX, steps=3), steps=explain_steps(SOFTMAX, 3)),
                                         encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto((tmp_path / "seed.html").as_uri())
        page.click('svg [data-param="w_ij1"] .hit')
        # w_ij1 feeds j1; j1 reaches the loss through k1 and k2, both through o
        assert _highlighted(page) == [("j1", "k1"), ("j1", "k2"), ("k1", "o"), ("k2", "o"), ("o", "L")]
        assert page.get_attribute('svg [data-param="w_ij1"]', "class") == "edge selected"
        text = page.inner_text("#details")
        assert "∂L/∂w_ij1 = (-0.0012476) · 1 · 2 = -0.0024952" in text
        assert "∂L/∂j1_out = ∂L/∂k1_in·w_j1k1 + ∂L/∂k2_in·w_j1k2 = (-0.0012476)·1 + (-0.0016814)·0" in text
        assert page.query_selector('tr[data-param="w_ij1"].hl') is not None
        page.click('svg [data-param="b_k2"]')  # a bias: only k2's path
        assert _highlighted(page) == [("k2", "o"), ("o", "L")] and "∂L/∂b_k2" in page.inner_text("#details")
        page.click('.derivation tr[data-param="w_k1o"]')  # a row of the derivation selects its edge
        assert _highlighted(page) == [("o", "L")] and "w_k1o" in page.inner_text("#details")
        phone = browser.new_page(viewport={"width": 390, "height": 800})
        phone.goto((tmp_path / "batch.html").as_uri())
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than a phone
        phone.select_option(".step-select", "2")
        visible = phone.text_content("section.step:not([hidden]) svg [data-node='L'] text.value")
        history = explain(SOFTMAX, steps=3).history
        assert visible == num(history[1][1]) != num(history[0][1])  # step 2's loss, from its own pass
        # a level edge has a box of height 0, which Playwright calls invisible: send the click to it directly
        phone.dispatch_event('section.step:not([hidden]) svg [data-param="w_x1h1"] .hit', "click")
        assert "[sample 2]" in phone.inner_text("#details")
        browser.close()


def test_docstring_examples_of_the_renderers():
    import doctest

    from backcalc.render import bylayer, circuit, dot, latex, pages, texmath

    for module in (bylayer, circuit, dot, focus, html, latex, pages, texmath):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__


def test_layer_order_groups_the_backward_pass_by_layer():
    page = html.render(explain(), order="layer")
    first = page.index("Layer 3 (o, linear): gradients, then the update")
    second = page.index("Layer 2 (k, sigmoid): gradients, then the update")
    third = page.index("Layer 1 (j, relu): gradients, then the update")
    # layer 3's own update row (w_k1o: 1 → 1.1261, tests/test_derivation.py) and matrix form come before layer 2
    assert first < page.index('<tr data-param="w_k1o"><td>w_k1o</td><td>1</td>') < second < third
    assert first < page.index("dW3 = a2ᵀ·δ3") < second
    assert page.index('<tr data-param="w_ij1"><td>w_ij1</td>') > third
    assert page.count('<tr data-param="w_ij1"><td>w_ij1</td>') == 1  # each update once, under its layer
    r = run("explain", "--order", "layer", "--format", "html", "--lang", "id")
    assert r.exit_code == 0 and "Lapisan 3 (o, linear): gradien, lalu pembaruan" in r.output


def test_in_chromium_the_layer_order_page_still_answers_a_click(tmp_path):
    sync_playwright, exe = _browser()
    (tmp_path / "layer.html").write_text(html.render(explain(), order="layer"), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto((tmp_path / "layer.html").as_uri())
        page.click('.derivation tr[data-param="w_k1o"]')
        assert _highlighted(page) == [("o", "L")] and "w_k1o" in page.inner_text("#details")
        page.screenshot(path=str(tmp_path / "layer.png"), full_page=False)
        browser.close()


def test_layer_order_works_on_every_worked_example():
    # an optimizer's page (adam_first_step) once stopped with an internal error in --order layer
    for path in sorted((ROOT / "worked_examples").glob("*.toml")):
        if "[[layers]]" not in path.read_text():
            continue
        for fmt in ("text", "markdown", "latex", "html"):
            r = run("explain", str(path), "--order", "layer", "--format", fmt)
            assert r.exit_code == 0, (path.name, fmt, r.output[-300:])
    adam = run("explain", str(ROOT / "worked_examples" / "adam_first_step.toml"), "--order", "layer").output
    assert adam.index("Layer 3 (o, linear): gradients") < adam.index("Update: Adam")


def test_layer_order_with_an_optimizer_keeps_one_update_table():
    d = explain(str(ROOT / "worked_examples" / "adam_first_step.toml"))
    page = html.render(d, order="layer")
    # no per-layer "new = old − η·gradient" table under Adam: one table after the pass, each parameter once
    assert page.count('<tr data-param="w_k1o"><td>w_k1o</td>') == 1
    assert page.index('<tr data-param="w_k1o"><td>w_k1o</td>') > page.index("Layer 1 (j, relu): gradients")
