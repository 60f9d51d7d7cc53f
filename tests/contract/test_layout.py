"""The shape every service keeps (docs/architecture.md): new services are held to it too.

Routers parse, call one service function and map; SQL lives in store/; business rules in
domain/. These checks read the source, so a service that drifts fails here before review.
"""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SERVICES = sorted(p.name for p in (REPO / "services").iterdir() if (p / "pyproject.toml").exists())
LAYERS = ("api", "service", "domain", "store", "events")
MAX_LINES = 400
# Generated or declarative modules that are long by nature.
LONG_ALLOWED = {"libs/common/src/resonance/common/events/catalogue.py"}
SQL_MARKERS = ("select(", "session.execute", "session.add", ".execute(")


def _package(service: str) -> Path:
    return REPO / "services" / service / "src" / "resonance" / service


def test_there_are_services() -> None:
    assert {"content", "ambassadors", "sharing", "metrics"} <= set(SERVICES)


@pytest.mark.parametrize("service", SERVICES)
def test_service_has_every_layer_a_readme_and_tests(service: str) -> None:
    root = REPO / "services" / service
    missing = [
        layer for layer in LAYERS if not (_package(service) / layer / "__init__.py").exists()
    ]
    assert missing == [], f"{service} lacks {missing}"
    assert (root / "README.md").is_file()
    assert (_package(service) / "api" / "deps.py").is_file()
    assert any((root / "tests").glob("test_*.py")), f"{service} has no tests"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("service", SERVICES)
def test_routers_hold_no_sql(service: str) -> None:
    offenders = []
    for module in sorted((_package(service) / "api").rglob("*.py")):
        source = module.read_text()
        sql = [m for m in SQL_MARKERS if m in source]
        sqlalchemy = [i for i in _imports(module) if i.split(".")[0] in {"sqlalchemy", "sqlmodel"}]
        if sql or sqlalchemy:
            offenders.append(f"{module.relative_to(REPO)}: {sql + sqlalchemy}")
    assert offenders == []


@pytest.mark.parametrize("service", SERVICES)
def test_inner_layers_know_nothing_of_http(service: str) -> None:
    offenders = []
    for layer in ("service", "domain", "store"):
        for module in sorted((_package(service) / layer).rglob("*.py")):
            imported = _imports(module)
            http = sorted(
                i
                for i in imported
                if i.split(".")[0] in {"fastapi", "starlette"} or i == "resonance.common.errors"
            )
            if http:
                offenders.append(f"{module.relative_to(REPO)}: {http}")
    assert offenders == []


def test_domain_modules_do_no_io() -> None:
    offenders = []
    for service in SERVICES:
        for module in sorted((_package(service) / "domain").rglob("*.py")):
            io = sorted(
                i
                for i in _imports(module)
                if i.split(".")[0] in {"sqlalchemy", "sqlmodel", "httpx", "aiokafka", "asyncpg"}
            )
            if io:
                offenders.append(f"{module.relative_to(REPO)}: {io}")
    assert offenders == []


def test_no_module_is_too_long() -> None:
    # The services and their plumbing; the local stand-ins under deploy/ are tooling.
    roots = [REPO / "libs", REPO / "services"]
    long = [
        f"{path.relative_to(REPO)}: {n}"
        for root in roots
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        and "tests" not in path.parts
        and str(path.relative_to(REPO)) not in LONG_ALLOWED
        and (n := len(path.read_text().splitlines())) > MAX_LINES
    ]
    assert long == []
