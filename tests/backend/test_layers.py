"""The ranking app's layers, as docs/architecture.md draws them, held by its imports.

Each module of ``backend_site/rankings/`` belongs to a layer (its package, or ``root`` for the
modules at the top of the app); a module may import its own layer and the ones below it,
never one above. The few arrows the floor plan allows across that order are listed here by
name, so a new one is a decision, not an accident. Pure: it reads the source, imports
nothing of it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "backend_site" / "rankings"
PREFIX = "backend_site.rankings"

# Top to bottom. A layer may import the layers after it (and itself).
ORDER = [
    ("api", "admin", "management"),  # entry points: nothing imports them
    ("reads", "writes"),
    ("webhooks",),  # the outbox every write may add to, and its deliverer
    ("ranking_index",),
    ("calendar",),
    ("db",),
    ("root",),  # values, operators, names, fields, errors, acting, models
]
# Arrows allowed across the order, each for a reason the floor plan gives.
ALLOWED = {
    # A read first takes what fell due with time (periods archived, sanctions ended).
    ("reads", f"{PREFIX}.writes.due"),
    # A board names its periods; periods.py is pure (no model, no database).
    ("root", f"{PREFIX}.calendar.periods"),
}
SIDEWAYS = {
    ("reads", "writes"),
    ("api", "admin"),
    ("api", "management"),
    ("webhooks", "ranking_index"),  # the outbox and its deliverer talk to no Redis
}


def _rank(layer: str) -> int:
    return next(i for i, layers in enumerate(ORDER) if layer in layers)


def _layer_of(module: str) -> str | None:
    """The layer of a dotted module of the app, or None for one outside it."""
    if not module.startswith(PREFIX + "."):
        return None
    first = module[len(PREFIX) + 1 :].split(".")[0]
    if first == "migrations":
        return None
    return first if (APP / first).is_dir() and first != "unicode" else "root"


def _imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == PREFIX:  # from backend_site.rankings import fields
                found += [f"{PREFIX}.{alias.name}" for alias in node.names]
            else:  # the module and the name: a name may be a sub-module
                found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(APP.rglob("*.py")):
        parts = path.relative_to(APP).with_suffix("").parts
        if parts[0] == "migrations":
            continue
        found.append((".".join((PREFIX, *parts)), path))
    return found


def _arrow_allowed(source: str, target_module: str) -> bool:
    target = _layer_of(target_module)
    if target is None or target == source:
        return True
    if any(layer == source and target_module.startswith(allowed) for layer, allowed in ALLOWED):
        return True
    if (source, target) in SIDEWAYS or (target, source) in SIDEWAYS:
        return False
    return _rank(target) > _rank(source)


def _upward_arrows() -> list[str]:
    wrong = []
    for module, path in _modules():
        source = _layer_of(module)
        for imported in _imports(path):
            if not _arrow_allowed(source, imported):
                wrong.append(f"{path.relative_to(APP)} ({source}) imports {imported}")
    return sorted(set(wrong))


def test_every_import_of_the_app_points_down_its_layers():
    assert _upward_arrows() == []


def test_every_package_of_the_app_has_a_layer():
    packages = {
        path.name
        for path in APP.iterdir()
        if path.is_dir() and (path / "__init__.py").exists() and path.name != "migrations"
    }
    placed = {layer for layers in ORDER for layer in layers}
    assert packages - placed == set()


@pytest.mark.parametrize(
    ("source", "imported", "allowed"),
    [
        ("api", f"{PREFIX}.writes.services", True),
        ("writes", f"{PREFIX}.api.views", False),  # upward
        ("reads", f"{PREFIX}.writes.due", True),  # the named exception
        ("reads", f"{PREFIX}.writes.sanctions", False),  # sideways, not the exception
        ("writes", f"{PREFIX}.reads.selectors", False),
        ("calendar", f"{PREFIX}.ranking_index.layout", False),
        ("ranking_index", f"{PREFIX}.calendar.boards", True),
        ("db", f"{PREFIX}.calendar.periods", False),
        ("root", f"{PREFIX}.calendar.periods", True),
        ("root", f"{PREFIX}.calendar.boards", False),
        ("admin", f"{PREFIX}.api.inputs", False),  # one entry point through another's
        ("management", "django.db", True),
        ("writes", f"{PREFIX}.webhooks.outbox", True),
        ("webhooks", f"{PREFIX}.writes.services", False),  # the outbox is below every write
        ("webhooks", f"{PREFIX}.ranking_index.sync", False),  # sideways: no Redis in it
    ],
)
def test_the_rule_itself_tells_down_from_up(source, imported, allowed):
    assert _arrow_allowed(source, imported) is allowed
