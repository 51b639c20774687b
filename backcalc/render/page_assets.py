"""The HTML page's style and script, inline (the page loads nothing from the network).

The script only shows what the page already holds: it follows the picture's ``data-src`` → ``data-dst``
edges from the clicked parameter or unit to the loss, marks them ``path``, copies the prepared
``<template data-for="param:NAME">`` into ``#details`` and marks the derivation's rows of the same name.
"""

CSS = """
.backcalc{font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1f2328;
  max-width:1100px;margin:0 auto;padding:0 12px}
.backcalc h1{font-size:1.5em;margin:.6em 0 .2em}.backcalc h2{font-size:1.2em;margin:1.2em 0 .3em;
  border-bottom:1px solid #d0d7de}.backcalc h3{font-size:1em;margin:.9em 0 .3em}
.backcalc .picture{overflow-x:auto;border:1px solid #d0d7de;border-radius:8px;background:#fff}
.backcalc svg.circuit{width:100%;min-width:520px;height:auto;display:block}
.backcalc svg text{font-size:12px;font-family:inherit;pointer-events:none}
.backcalc svg .name{font-weight:600;fill:#1f2328}.backcalc svg .value{fill:#1a7f37}
.backcalc svg .grad{fill:#cf222e}.backcalc svg .small{fill:#57606a;font-size:10px}
.backcalc svg .wlabel{fill:#1a7f37;font-size:10px}.backcalc svg .bname{fill:#57606a;font-size:10px}
.backcalc svg .node rect{fill:#fff;stroke:#57606a;stroke-width:1.2}.backcalc svg .node{cursor:pointer}
.backcalc svg .sep{stroke:#8c959f}.backcalc svg .wire{stroke:#8c959f;stroke-width:1.3;pointer-events:none}
.backcalc svg .skip .wire{stroke:#0969da;stroke-dasharray:6 4;fill:none}.backcalc svg .norm .wire{stroke-dasharray:2 3;fill:none}
.backcalc svg .hit{stroke:transparent;stroke-width:12}.backcalc svg .edge,.backcalc svg .bias{cursor:pointer}
.backcalc svg .bias rect{fill:#f6f8fa;stroke:#8c959f}
.backcalc svg .path .wire{stroke:#bf8700;stroke-width:3}.backcalc svg .node.path rect{stroke:#bf8700;stroke-width:3}
.backcalc svg .selected .wire{stroke:#8250df;stroke-width:4}.backcalc svg .selected rect{stroke:#8250df;stroke-width:3}
.backcalc .details{border:1px solid #d0d7de;border-left:4px solid #8250df;border-radius:6px;padding:.4em .8em;
  margin:.6em 0;background:#fbfaff;position:sticky;bottom:0;max-height:38vh;overflow:auto;
  box-shadow:0 -2px 8px rgba(31,35,40,.12)}
.backcalc .eq{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.88em;
  white-space:pre-wrap;overflow-wrap:anywhere;padding:1px 4px;border-radius:4px}
.backcalc .eq[data-node],.backcalc tr[data-param]{cursor:pointer}
.backcalc .hl{background:#fff8c5}
.backcalc .scroll{overflow-x:auto}.backcalc table{border-collapse:collapse;font-size:.88em}
.backcalc th,.backcalc td{border-bottom:1px solid #d0d7de;padding:2px 8px;text-align:left;white-space:nowrap}
.backcalc pre{overflow-x:auto;font-size:.85em}.backcalc .hint,.backcalc .caption{color:#57606a;font-size:.9em}
.backcalc .sample{font-style:italic;margin:.3em 0 0}
@media (max-width:600px){.backcalc{font-size:15px;padding:0 6px}.backcalc .eq{font-size:.8em}}
"""

SCRIPT = """
(function () {
  var root = document.getElementById("ROOT_ID");
  if (!root) return;
  var details = root.querySelector(".details");
  var current = null;
  function active() { return root.querySelector("section.step:not([hidden])"); }
  function esc(s) { return window.CSS && CSS.escape ? CSS.escape(s) : s.replace(/["\\\\]/g, "\\\\$&"); }
  function clear(scope) {
    scope.querySelectorAll(".path,.selected,.hl").forEach(function (e) {
      e.classList.remove("path", "selected", "hl");
    });
  }
  function paths(scope, start) {
    var edges = Array.prototype.slice.call(scope.querySelectorAll("svg .edge[data-src]"));
    var seen = {}, todo = [start];
    seen[start] = true;
    while (todo.length) {
      var u = todo.pop();
      edges.forEach(function (e) {
        if (e.getAttribute("data-src") === u) {
          e.classList.add("path");
          var v = e.getAttribute("data-dst");
          if (!seen[v]) { seen[v] = true; todo.push(v); }
        }
      });
    }
    Object.keys(seen).forEach(function (n) {
      var node = scope.querySelector('svg [data-node="' + esc(n) + '"]');
      if (node) node.classList.add("path");
    });
  }
  function select(kind, name) {
    var scope = active();
    if (!scope) return;
    clear(root);
    current = [kind, name];
    var attr = kind === "param" ? "data-param" : "data-node";
    var el = scope.querySelector("svg [" + attr + '="' + esc(name) + '"]');
    if (el) {
      el.classList.add("selected");
      paths(scope, kind === "param" ? el.getAttribute("data-dst") : name);
    }
    scope.querySelectorAll(".derivation [" + attr + '="' + esc(name) + '"]').forEach(function (r) {
      r.classList.add("hl");
    });
    var t = scope.querySelector('template[data-for="' + esc(kind + ":" + name) + '"]');
    if (t) { details.innerHTML = t.innerHTML; }
  }
  root.addEventListener("click", function (ev) {
    var t = ev.target.closest("[data-param],[data-node]");
    if (!t || !root.contains(t)) return;
    if (t.hasAttribute("data-param")) select("param", t.getAttribute("data-param"));
    else select("node", t.getAttribute("data-node"));
  });
  var sel = root.querySelector(".step-select");
  if (sel) sel.addEventListener("change", function () {
    root.querySelectorAll("section.step").forEach(function (s) {
      s.hidden = s.getAttribute("data-step") !== sel.value;
    });
    if (current) select(current[0], current[1]);
  });
  if (root.getAttribute("data-select")) select("param", root.getAttribute("data-select"));
})();
"""
