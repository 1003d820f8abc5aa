"""Small cohesive modules and classes, checked on the source text.

The team's rule: a module past about 400 lines, or a class past about 25
methods, says at its top why it is that long. The reason must be written in
the module's (or class's) docstring and name the limit it passes ("400
lines", "25 methods"), so a reader meets it before the code.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PRODUCT = ("src/pmobot", "adapters", "dialogs")
MODULE_LINES = 400
CLASS_METHODS = 25


def _product_files() -> list[Path]:
    return sorted(p for folder in PRODUCT for p in (REPO / folder).rglob("*.py")
                  if "__pycache__" not in p.parts and "migrations" not in p.parts)


def long_modules(files: list[Path], root: Path = REPO) -> list[str]:
    """Modules over the line limit whose docstring gives no reason."""
    out = []
    for path in files:
        source = path.read_text(encoding="utf-8")
        if source.count("\n") <= MODULE_LINES:
            continue
        doc = ast.get_docstring(ast.parse(source)) or ""
        if f"{MODULE_LINES} lines" not in doc:
            out.append(f"{path.relative_to(root)}: {source.count(chr(10))} lines and no reason at its top")
    return out


def big_classes(files: list[Path], root: Path = REPO) -> list[str]:
    """Classes over the method limit whose docstring gives no reason."""
    out = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            methods = [n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
            if len(methods) > CLASS_METHODS and f"{CLASS_METHODS} methods" not in (ast.get_docstring(node) or ""):
                out.append(f"{path.relative_to(root)}: class {node.name} has {len(methods)} methods and no reason")
    return out


def test_every_long_module_says_why() -> None:
    assert long_modules(_product_files()) == []


def test_every_big_class_says_why() -> None:
    assert big_classes(_product_files()) == []


def test_the_checks_can_fail(tmp_path: Path) -> None:
    long = tmp_path / "long.py"
    long.write_text('"""A module."""\n' + "x = 1\n" * 450, encoding="utf-8")
    big = tmp_path / "big.py"
    big.write_text("class Big:\n" + "".join(f"    def m{i}(self) -> None: ...\n" for i in range(30)), encoding="utf-8")
    assert long_modules([long], tmp_path) == ["long.py: 451 lines and no reason at its top"]
    assert big_classes([big], tmp_path) == ["big.py: class Big has 30 methods and no reason"]
    long.write_text('"""A module.\n\n(Longer than our usual 400 lines: one grammar.)\n"""\n' + "x = 1\n" * 450,
                    encoding="utf-8")
    big.write_text('class Big:\n    """One facade (past 25 methods: each is one platform call)."""\n'
                   + "".join(f"    def m{i}(self) -> None: ...\n" for i in range(30)), encoding="utf-8")
    assert long_modules([long], tmp_path) == []
    assert big_classes([big], tmp_path) == []
