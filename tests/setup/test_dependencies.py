"""The dependency rules of DESIGN.md, checked on the source text.

Every ``.py`` file of ``src/pmobot``, ``adapters/`` and ``dialogs/`` is parsed
with ``ast`` (nothing is imported), mapped to its module name the way
pyproject's ``package-dir`` maps it, and each import it makes — at the top,
inside a function, relative or absolute — is checked against the rules.
A last test imports the entry modules in a fresh interpreter and checks that
importing them creates nothing: no file, no database engine.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Source folder -> the package it is installed as (pyproject's package-dir).
ROOTS = {
    "src/pmobot": "pmobot",
    "adapters": "pmobot.adapters",
    "dialogs": "pmobot.dialogs",
}

PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "botbuilder", "botframework")

# What "does no I/O" rules out for the domain: network, files, processes,
# event loops, database drivers and engines. Table definitions with
# sqlalchemy/sqlmodel and the `holidays` calendar data are allowed.
IO_LIBRARIES = (
    "aiohttp", "httpx", "requests", "urllib3", "urllib.request", "http.client", "http.server",
    "socket", "ssl", "selectors", "asyncio", "os", "subprocess", "pathlib", "shutil", "tempfile",
    "io", "glob", "sqlite3", "aiosqlite", "psycopg", "psycopg2", "asyncpg", "sqlalchemy.ext.asyncio",
    "sqlmodel.ext.asyncio", "sqlalchemy.engine", "alembic", "apscheduler", "smtplib",
    "importlib.resources", "pmobot.db", *PLATFORM_SDKS,
)


@dataclass(frozen=True)
class Module:
    name: str
    path: str  # as shown in messages, relative to the repository
    is_package: bool
    source: str


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    path: str
    line: int
    target: str  # the absolute name imported
    # Under ``if TYPE_CHECKING:``: for annotations only, never imported at run time.
    typing_only: bool = False


def module_name(relative: Path) -> tuple[str, bool] | None:
    """``src/pmobot/services/intake.py`` -> ``("pmobot.services.intake", False)``."""
    posix = relative.as_posix()
    for folder, package in ROOTS.items():
        if posix.startswith(folder + "/"):
            parts = Path(posix[len(folder) + 1:]).with_suffix("").parts
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            return ".".join((package, *parts)), is_package
    return None


def repo_modules() -> list[Module]:
    modules = []
    for folder in ROOTS:
        for path in sorted((REPO / folder).rglob("*.py")):
            relative = path.relative_to(REPO)
            if "__pycache__" in relative.parts:
                continue
            mapped = module_name(relative)
            assert mapped is not None
            name, is_package = mapped
            modules.append(Module(name, relative.as_posix(), is_package, path.read_text(encoding="utf-8")))
    return modules


def _resolve(module: Module, level: int, name: str | None) -> str:
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    parts = package.split(".")
    if level > 1:
        if level - 1 >= len(parts):
            raise ValueError(f"{module.path}: relative import goes above the top package")
        parts = parts[: len(parts) - (level - 1)]
    return ".".join([*parts, *([name] if name else [])])


def imports_of(module: Module) -> list[Import]:
    """Every import in the module, anywhere in it, as absolute names.

    ``from a.b import c`` yields ``a.b`` and ``a.b.c``: ``c`` may be a submodule.
    """
    tree = ast.parse(module.source, filename=module.path)
    typing_only = {id(inner) for node in ast.walk(tree) if isinstance(node, ast.If) and _is_type_checking(node.test)
                   for stmt in node.body for inner in ast.walk(stmt)}
    out: list[Import] = []
    for node in ast.walk(tree):
        types = id(node) in typing_only
        if isinstance(node, ast.Import):
            out += [Import(module.name, module.path, node.lineno, alias.name, types) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, node.level, node.module) if node.level else (node.module or "")
            out.append(Import(module.name, module.path, node.lineno, base, types))
            out += [Import(module.name, module.path, node.lineno, f"{base}.{alias.name}", types)
                    for alias in node.names if alias.name != "*"]
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def within(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@dataclass(frozen=True)
class Rule:
    id: str
    text: str
    applies: Callable[[str], bool]
    forbidden: Callable[[str, str], bool]  # (importing module, imported name)
    # Names used in annotations only (``if TYPE_CHECKING:``) are no dependency at run time.
    types_allowed: bool = False


def _adapter_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["pmobot", "adapters"] else None


RULES = (
    Rule("domain-imports-only-domain", "pmobot.domain imports nothing from the rest of pmobot",
         lambda m: within(m, "pmobot.domain"),
         lambda m, target: within(target, "pmobot") and not within(target, "pmobot.domain")),
    Rule("domain-does-no-io", "pmobot.domain does no I/O",
         lambda m: within(m, "pmobot.domain"),
         lambda m, target: within(target, *IO_LIBRARIES)),
    Rule("core-knows-no-platform", "the core (all of pmobot but app.py) imports no adapter nor platform SDK",
         lambda m: within(m, "pmobot") and not within(m, "pmobot.adapters", "pmobot.dialogs", "pmobot.app"),
         lambda m, target: within(target, "pmobot.adapters", *PLATFORM_SDKS)),
    Rule("services-not-above-them", "pmobot.services never import the dialog engine, the chat router or the dialogs",
         lambda m: within(m, "pmobot.services"),
         lambda m, target: within(target, "pmobot.conversation.engine", "pmobot.chat", "pmobot.dialogs")),
    Rule("conversation-not-above-it", "pmobot.conversation imports neither dialogs, services nor the chat router",
         lambda m: within(m, "pmobot.conversation"),
         lambda m, target: within(target, "pmobot.dialogs", "pmobot.services", "pmobot.chat"),
         # A hook's context names the services' Core and Actor in its annotations.
         types_allowed=True),
    Rule("dialogs-no-platform", "dialog hooks call services, never a platform SDK nor an adapter",
         lambda m: within(m, "pmobot.dialogs"),
         lambda m, target: within(target, "pmobot.adapters", *PLATFORM_SDKS)),
    Rule("adapters-independent", "an adapter never imports another adapter",
         lambda m: _adapter_of(m) is not None,
         lambda m, target: _adapter_of(target) is not None and _adapter_of(target) != _adapter_of(m)),
    Rule("adapters-query-no-table", "an adapter reaches data through services, never by querying tables",
         lambda m: _adapter_of(m) is not None,
         lambda m, target: within(target, "pmobot.domain.models", "pmobot.domain.models_governance",
                                  "sqlalchemy", "sqlmodel")
         and not within(target, "sqlmodel.ext.asyncio.session")),
)


def violations(modules: Iterable[Module], rules: Iterable[Rule] = RULES) -> list[str]:
    rules = list(rules)
    found = []
    for module in modules:
        for imp in imports_of(module):
            for rule in rules:
                if imp.typing_only and rule.types_allowed:
                    continue
                if rule.applies(module.name) and rule.forbidden(module.name, imp.target):
                    found.append(f"{imp.path}:{imp.line}: {module.name} imports {imp.target} [{rule.id}: {rule.text}]")
    return found


# -- the repository --------------------------------------------------------


def test_scan_covers_core_adapters_and_dialogs() -> None:
    """Guards the rules against passing on an empty scan."""
    names = {m.name for m in repo_modules()}
    for expected in ("pmobot.app", "pmobot.domain.lifecycle", "pmobot.services.intake", "pmobot.conversation.engine",
                     "pmobot.adapters.console.chat", "pmobot.dialogs.hooks", "pmobot.dialogs"):
        assert expected in names


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_repository_follows_rule(rule: Rule) -> None:
    assert violations(repo_modules(), [rule]) == []


# -- the checker itself ----------------------------------------------------


def _fake(name: str, source: str, *, is_package: bool = False) -> Module:
    return Module(name, f"<{name}>", is_package, textwrap.dedent(source))


def test_checker_reports_slack_bolt_in_a_core_module() -> None:
    fake = _fake("pmobot.services.fake", """
        from pmobot.domain.models import Need

        def send(need: Need) -> None:
            import slack_bolt
            slack_bolt.App()
    """)
    found = violations([fake])
    assert len(found) == 1
    assert "pmobot.services.fake imports slack_bolt" in found[0]
    assert "core-knows-no-platform" in found[0]
    assert found[0].startswith("<pmobot.services.fake>:5:")


@pytest.mark.parametrize(
    ("name", "source", "rule_id"),
    [
        ("pmobot.domain.scoring", "from ..services import intake", "domain-imports-only-domain"),
        ("pmobot.domain.scoring", "from sqlalchemy.ext import asyncio", "domain-does-no-io"),
        ("pmobot.domain.scoring", "def load():\n    import os.path\n", "domain-does-no-io"),
        ("pmobot.services.intake", "from .. import chat", "services-not-above-them"),
        ("pmobot.services.intake", "from pmobot.conversation.engine import DialogEngine", "services-not-above-them"),
        ("pmobot.conversation.engine", "from pmobot.dialogs import hooks", "conversation-not-above-it"),
        ("pmobot.conversation.engine", "def run():\n    from pmobot.services import core\n",
         "conversation-not-above-it"),
        ("pmobot.dialogs.hooks", "from botbuilder.core import TurnContext", "dialogs-no-platform"),
        ("pmobot.adapters.slack.listeners", "from pmobot.adapters import teams", "adapters-independent"),
        ("pmobot.adapters.teams.bot", "from ..slack.render import blocks", "adapters-independent"),
        ("pmobot.scheduler", "from pmobot.adapters.console import render", "core-knows-no-platform"),
        ("pmobot.adapters.teams.deliver", "from sqlmodel import select", "adapters-query-no-table"),
        ("pmobot.adapters.teams.bot", "from pmobot.domain.models import Person", "adapters-query-no-table"),
    ],
)
def test_checker_reports_each_kind_of_violation(name: str, source: str, rule_id: str) -> None:
    found = violations([_fake(name, source)])
    assert any(f"[{rule_id}:" in line for line in found), found


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("pmobot.domain.models", "import sqlalchemy as sa\nfrom sqlmodel import Field, SQLModel\nimport holidays"),
        ("pmobot.domain.scoring", "from .lifecycle import NeedStatus\nfrom pmobot.domain import roles"),
        ("pmobot.app", "def attach():\n    from pmobot.adapters.console import ConsoleChat"),
        ("pmobot.adapters.console.chat",
         "from pmobot.adapters.console.render import render\nfrom pmobot.chat import Chat"),
        ("pmobot.adapters.slack", "from . import listeners", ),
        ("pmobot.services.cards", "from pmobot.conversation.spec import DialogSpec"),
        ("pmobot.conversation.hooks", "if TYPE_CHECKING:\n    from pmobot.services.core import Core"),
        ("pmobot.adapters.teams.references", "from sqlmodel.ext.asyncio.session import AsyncSession"),
    ],
)
def test_checker_accepts_allowed_imports(name: str, source: str) -> None:
    assert violations([_fake(name, source, is_package=name == "pmobot.adapters.slack")]) == []


def test_relative_imports_resolve_from_modules_and_packages() -> None:
    module = _fake("pmobot.services.intake", "from . import audit\nfrom ..domain.models import Need")
    package = _fake("pmobot.adapters.console", "from .chat import ConsoleChat", is_package=True)
    assert {i.target for i in imports_of(module)} == {
        "pmobot.services", "pmobot.services.audit", "pmobot.domain.models", "pmobot.domain.models.Need"}
    assert {i.target for i in imports_of(package)} == {
        "pmobot.adapters.console.chat", "pmobot.adapters.console.chat.ConsoleChat"}


def test_source_paths_map_to_installed_module_names() -> None:
    assert module_name(Path("src/pmobot/services/intake.py")) == ("pmobot.services.intake", False)
    assert module_name(Path("src/pmobot/__init__.py")) == ("pmobot", True)
    assert module_name(Path("adapters/console/chat.py")) == ("pmobot.adapters.console.chat", False)
    assert module_name(Path("adapters/__init__.py")) == ("pmobot.adapters", True)
    assert module_name(Path("dialogs/hooks.py")) == ("pmobot.dialogs.hooks", False)
    assert module_name(Path("tests/conftest.py")) is None


# -- nothing is created at import time ----------------------------------------

_IMPORT_PROBE = """
import gc, json
import pmobot.app, pmobot.db, pmobot.cli, pmobot.scheduler
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine
engines = [type(o).__name__ for o in gc.get_objects() if isinstance(o, (Engine, AsyncEngine))]
print(json.dumps(engines))
"""


def test_importing_entry_modules_creates_no_file_and_no_engine(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PMOBOT_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    result = subprocess.run([sys.executable, "-c", _IMPORT_PROBE], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
    created = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert created == [], f"importing pmobot created {created} in the working directory"
