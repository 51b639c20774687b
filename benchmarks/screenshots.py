"""Render every picture format of backcalc and save what a person should look at.

    python benchmarks/screenshots.py [OUT_DIR]        # default: docs/

Writes OUT_DIR/html.png (the interactive page in headless Chromium, w_ij1 clicked), OUT_DIR/html-phone.png
(a 390 px wide phone, softmax batch, Indonesian), OUT_DIR/graph.png (explain --format png, Graphviz) and
OUT_DIR/latex.png (the first page of the compiled LaTeX), OUT_DIR/html-working.png and html-im2col.png (the conv/pool net's symbolic
working and its im2col matrix form) and html-working-phone.png (the rnn's working in Indonesian on a phone). Each part is skipped, with a line saying so, when
its tool (playwright + chromium, Graphviz, pdflatex + pdftoppm) is missing.
"""

import contextlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backcalc.net.derivation import explain, explain_steps  # noqa: E402
from backcalc.render import dot, html, latex  # noqa: E402

SOFTMAX = str(ROOT / "worked_examples" / "softmax_batch.toml")


@contextlib.contextmanager
def chromium(part: str):
    """A headless Chromium launched by playwright, or None when either is missing (a line says the part is skipped)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print(f"skip {part}: playwright not installed (pip install 'backcalc[browser]')")
        yield None
        return
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if exe is None:
        print(f"skip {part}: no chromium")
        yield None
        return
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe)
        yield browser
        browser.close()


def shoot_html(out: Path, tmp: Path):
    with chromium("html") as browser:
        if browser is None:
            return
        (tmp / "seed.html").write_text(html.render(explain()), encoding="utf-8")
        (tmp / "batch.html").write_text(html.render(explain(SOFTMAX, steps=3), lang="id",
                                                    steps=explain_steps(SOFTMAX, 3)), encoding="utf-8")
        page = browser.new_page(viewport={"width": 1100, "height": 760})
        page.goto((tmp / "seed.html").as_uri())
        page.click('svg [data-param="w_ij1"] .hit')
        page.screenshot(path=str(out / "html.png"))
        phone = browser.new_page(viewport={"width": 390, "height": 780}, device_scale_factor=1)
        phone.goto((tmp / "batch.html").as_uri())
        phone.click('section.step:not([hidden]) svg [data-param="b_h1"]')
        phone.screenshot(path=str(out / "html-phone.png"))
    print(f"wrote {out / 'html.png'} and {out / 'html-phone.png'}")


def shoot_working(out: Path, tmp: Path):
    """The layer kinds' working and the im2col form as a student sees them in the HTML page."""
    with chromium("working") as browser:
        if browser is None:
            return
        conv, rnn = (str(ROOT / "worked_examples" / f"{name}.toml") for name in ("conv_pool", "rnn_last_step"))
        (tmp / "conv.html").write_text(html.render(explain(conv)), encoding="utf-8")
        (tmp / "rnn.html").write_text(html.render(explain(rnn), lang="id"), encoding="utf-8")
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto((tmp / "conv.html").as_uri())
        page.locator("p.topic", has_text="max pooling").scroll_into_view_if_needed()
        page.screenshot(path=str(out / "html-working.png"))
        page.locator("pre.working", has_text="im2col").scroll_into_view_if_needed()
        page.screenshot(path=str(out / "html-im2col.png"))
        phone = browser.new_page(viewport={"width": 390, "height": 780})
        phone.goto((tmp / "rnn.html").as_uri())
        phone.locator("p.topic", has_text="lapisan rekuren").scroll_into_view_if_needed()
        phone.screenshot(path=str(out / "html-working-phone.png"))
    print(f"wrote {out / 'html-working.png'}, {out / 'html-im2col.png'} and {out / 'html-working-phone.png'}")


def shoot_graph(out: Path):
    if shutil.which("dot") is None:
        return print("skip graph: Graphviz not installed")
    src = dot.render(explain()).replace("rankdir=LR,", "rankdir=LR, dpi=60,")
    (out / "graph.png").write_bytes(dot.to_image(src, "png"))
    print(f"wrote {out / 'graph.png'}")


def shoot_latex(out: Path, tmp: Path):
    if shutil.which("pdflatex") is None or shutil.which("pdftoppm") is None:
        return print("skip latex: pdflatex or pdftoppm not installed")
    (tmp / "seed.tex").write_text(latex.render(explain()), encoding="utf-8")
    subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "seed.tex"], cwd=tmp,
                   capture_output=True, check=True, timeout=120)
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "2", "seed.pdf", "page"], cwd=tmp, check=True)
    pages = sorted(tmp.glob("page-*.png"))
    try:
        from PIL import Image
    except ImportError:
        shutil.copy(pages[0], out / "latex.png")
    else:
        images = [Image.open(p) for p in pages]
        sheet = Image.new("RGB", (sum(i.width for i in images), max(i.height for i in images)), "white")
        x = 0
        for image in images:
            sheet.paste(image, (x, 0))
            x += image.width
        sheet.save(out / "latex.png")
    print(f"wrote {out / 'latex.png'}")


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        shoot_html(out, Path(tmp))
        shoot_graph(out)
        shoot_latex(out, Path(tmp))
        shoot_working(out, Path(tmp))


if __name__ == "__main__":
    main()
