"""The TypeScript clients under clients/ are what frontend teams import: they must match the
services' current OpenAPI documents (like docs/asyncapi.json matches the event catalogue) and
compile. `make clients` regenerates them."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

CLIENTS = Path(__file__).resolve().parents[2] / "clients"
GENERATED = ("openapi.json", "schema.d.ts", "index.ts")


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("clients_generate", CLIENTS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    assert shutil.which("npm"), "node and npm are needed to generate the TypeScript clients"
    module = _generator()
    module.ensure_generator()  # npm ci from clients/package-lock.json when not installed
    return module


@pytest.mark.timeout(600)
def test_committed_clients_match_the_services(generator: ModuleType, tmp_path: Path) -> None:
    generator.generate(tmp_path)
    stale = [
        f"clients/{service}/{name}"
        for service in generator.SERVICES
        for name in GENERATED
        if not (CLIENTS / service / name).exists()
        or (CLIENTS / service / name).read_bytes() != (tmp_path / service / name).read_bytes()
    ]
    assert stale == [], f"stale clients (run `make clients`): {stale}"


@pytest.mark.timeout(600)
def test_the_usage_example_compiles_against_the_clients(generator: ModuleType) -> None:
    # The example calls real operations with typed parameters and bodies: a renamed path,
    # field or parameter in a service breaks this compile.
    tsc = CLIENTS / "node_modules" / ".bin" / "tsc"
    result = subprocess.run(
        [str(tsc), "--noEmit", "-p", "tsconfig.json"],
        cwd=CLIENTS,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
