"""The layering contract, checked on the source: each package imports only the layers below it
(every import counts: module level, inside functions, under TYPE_CHECKING).

The emulator's contract holds in full. The harness's subpackages still form one knot (lab,
procedures, reporting, firmware, testbed: issue 23), so its contract is not asserted yet; the
drivers and the emulator's independence are.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: The virtual chassis, top to bottom: a package may import those after it, never those before.
EMULATOR = (
    ("virtual_chassis.__main__",),
    ("virtual_chassis",),  # its __init__: a docstring
    ("virtual_chassis.api", "virtual_chassis.replay"),
    ("virtual_chassis.endpoints",),
    ("virtual_chassis.cli",),
    ("virtual_chassis.model",),
    ("virtual_chassis.hardware", "virtual_chassis.noise", "virtual_chassis.protocol"),
)


def _module_names(root: str) -> dict[str, Path]:
    names = {}
    for path in (ROOT / root).rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def _imports(module: str, path: Path) -> set[str]:
    """Every module name ``module`` imports, relative imports resolved."""
    found = set()
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            found.add(".".join(base + ([node.module] if node.module else [])))
    return found


def _layer_of(name: str, layers: tuple[tuple[str, ...], ...]) -> int | None:
    """The index of the layer holding ``name``: the one naming its longest prefix."""
    best: tuple[int, int] | None = None
    for index, layer in enumerate(layers):
        for package in layer:
            if (name == package or name.startswith(package + ".")) and (best is None or len(package) > best[1]):
                best = (index, len(package))
    return None if best is None else best[0]


def violations(root: str, layers: tuple[tuple[str, ...], ...]) -> list[str]:
    """One line per import that goes up (or is in no layer), ``importer -> imported``."""
    found = []
    for module, path in sorted(_module_names(root).items()):
        mine = _layer_of(module, layers)
        if mine is None:
            found.append(f"{module}: in no layer of the contract")
            continue
        for target in sorted(_imports(module, path)):
            theirs = _layer_of(target, layers) if target.startswith(root) else len(layers)
            if theirs is not None and theirs < mine:
                found.append(f"{module} -> {target}: imports a layer above its own")
    return found


def test_the_emulator_imports_only_downwards():
    assert violations("virtual_chassis", EMULATOR) == []


def test_the_emulator_imports_nothing_of_the_harness_or_the_drivers():
    for module, path in _module_names("virtual_chassis").items():
        assert not {t for t in _imports(module, path) if t.split(".")[0] in ("harness", "drivers")}, module


def test_the_drivers_import_nothing_of_the_harness_or_the_emulator():
    for module, path in _module_names("drivers").items():
        assert not {t for t in _imports(module, path) if t.split(".")[0] in ("harness", "virtual_chassis")}, module


def test_an_import_going_up_is_named():
    upside_down = (("virtual_chassis.model",), ("virtual_chassis.cli",))  # the CLI does import the model
    found = violations("virtual_chassis", upside_down)
    assert "virtual_chassis.cli.commands -> virtual_chassis.model.chassis: imports a layer above its own" in found
    assert "virtual_chassis.endpoints.server: in no layer of the contract" in found
