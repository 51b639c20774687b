"""backcalc's own imports point one way: a walk over every module's AST (top-level and function-level imports;
not those under ``if TYPE_CHECKING:``, which never run) finds no cycle, and no module imports a private
(``_x``) name from another package."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "backcalc"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, modules: dict):
    """(imported module, imported names) for each import statement of one module, resolved to backcalc modules."""
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and _is_type_checking(node.test)
                   for stmt in node.body for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules:
                    yield alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[:len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target not in modules:
                continue
            names = []
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in modules:
                    yield sub, ()
                else:
                    names.append(alias.name)
            if names:
                yield target, tuple(names)


def _is_type_checking(test) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def import_graph() -> dict:
    """{module: {module it imports, ...}} over backcalc's own modules."""
    modules = _modules()
    return {name: {t for t, _ in _imports(name, path, modules) if t != name} for name, path in modules.items()}


def find_cycle(graph: dict):
    """One cycle as a list of modules (first == last), or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def _package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2])


def test_the_import_graph_has_no_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle)


def test_the_cycle_finder_finds_a_cycle():
    graph = import_graph()
    graph["backcalc.tape.rules"] = graph["backcalc.tape.rules"] | {"backcalc.render.text"}
    graph["backcalc.render.text"] = graph.get("backcalc.render.text", set()) | {"backcalc.tape.rules"}
    assert find_cycle(graph) is not None


def test_no_private_name_is_imported_across_packages():
    modules = _modules()
    crossing = []
    for name, path in modules.items():
        for target, names in _imports(name, path, modules):
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private and _package(target) != _package(name):
                crossing.append(f"{name} imports {', '.join(private)} from {target}")
    assert not crossing, "\n".join(crossing)


def test_the_readme_map_names_every_package():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How the code is organised", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"^- `backcalc/([a-z_]+)(?:/|\.py)`", section, flags=re.M))
    on_disk = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists() and p.name != "examples"}
    assert on_disk <= named, on_disk - named
    assert {"cli", "errors"} <= named
