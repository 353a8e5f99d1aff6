"""The import graph of `proxy/` and `plugins/`: no cycles, the core never imports a plugin,
and no plugin package imports another one.

Every `import` / `from ... import` statement counts, wherever it is: module level,
function-local, or under `if TYPE_CHECKING:`. Dynamic loading (`importlib.import_module`
with a computed name, as `proxy.registry` and the CLI do) is not an import edge.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("proxy", "plugins")


def _modules() -> dict[str, Path]:
    """Dotted module name -> file, for every .py under proxy/ and plugins/."""
    out: dict[str, Path] = {}
    for top in PACKAGES:
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The internal module `name` names (itself if it is one), else None (external)."""
    return name if name in modules else None


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Internal modules imported anywhere in one module."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    package = name if _is_package(path) else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _resolve(alias.name, modules)
                if target is not None:
                    found.add(target)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                if node.level > 1:
                    base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts)
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            for alias in node.names:
                sub = _resolve(f"{source}.{alias.name}", modules)
                if sub is not None:  # `from pkg import submodule`
                    found.add(sub)
                    continue
                target = _resolve(source, modules)
                if target is not None:
                    found.add(target)
    found.discard(name)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _plugin_of(module: str) -> str | None:
    """`plugins.cache.key` -> "cache"; None for the core and for `plugins` itself."""
    parts = module.split(".")
    return parts[1] if parts[0] == "plugins" and len(parts) > 1 else None


def test_graph_covers_both_packages() -> None:
    graph = import_graph()
    assert "proxy.app" in graph and "plugins.example" in graph
    assert graph["proxy.app"], "the graph found no imports at all: the parser is broken"


def test_no_import_cycles() -> None:
    cycles = _cycles(import_graph())
    assert cycles == [], "import cycles (each a set of modules that reach each other):\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_core_never_imports_plugins() -> None:
    bad = sorted(f"{m} -> {t}" for m, targets in import_graph().items() if m.split(".")[0] == "proxy"
                 for t in targets if t.split(".")[0] == "plugins")
    assert bad == [], "the core imports plugins:\n" + "\n".join(bad)


def test_plugins_never_import_each_other() -> None:
    bad = []
    for m, targets in import_graph().items():
        mine = _plugin_of(m)
        if mine is None:
            continue
        for t in targets:
            other = _plugin_of(t)
            if other is not None and other != mine:
                bad.append(f"{m} -> {t}")
    assert sorted(bad) == [], "a plugin imports another plugin:\n" + "\n".join(sorted(bad))


def test_internal_imports_name_real_modules() -> None:
    """An import of `proxy.*` / `plugins.*` (absolute or relative) that names no module here
    would be an edge the graph silently skips: every one must resolve."""
    modules = _modules()
    missing = []
    for name, path in modules.items():
        package = name if _is_package(path) else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - (node.level - 1)])
                    source = f"{base}.{node.module}" if node.module else base
                else:
                    source = node.module or ""
                if source.split(".")[0] not in PACKAGES:
                    continue
                if source not in modules:
                    missing.append(f"{name}: from {'.' * node.level}{node.module or ''} import ...")
                elif not node.module or _is_package(modules[source]):
                    # `from pkg import x`: x is a submodule or a name the package defines.
                    tree = ast.parse(modules[source].read_text("utf-8"))
                    defined = {t.id for n in ast.walk(tree) if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
                    defined |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
                    defined |= {a.asname or a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
                    for alias in node.names:
                        if f"{source}.{alias.name}" not in modules and alias.name not in defined and alias.name != "*":
                            missing.append(f"{name}: from {source} import {alias.name}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in PACKAGES and alias.name not in modules:
                        missing.append(f"{name}: import {alias.name}")
    assert missing == [], "imports of modules that do not exist:\n" + "\n".join(missing)


def test_the_checks_see_a_cycle_and_a_cross_plugin_import() -> None:
    """The graph helpers themselves: a made-up graph with one cycle and one bad edge."""
    graph = {"proxy.a": {"proxy.b"}, "proxy.b": {"proxy.a", "plugins.x"}, "plugins.x": {"plugins.y.z"}, "plugins.y.z": set()}
    assert _cycles(graph) == [["proxy.a", "proxy.b"]]
    assert _plugin_of("plugins.x") == "x" and _plugin_of("plugins.y.z") == "y" and _plugin_of("plugins") is None
