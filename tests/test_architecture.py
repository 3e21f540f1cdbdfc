"""The architecture, checked from the code: the import contracts in pyproject.toml (layers,
independence, entry points, no cycle), no import cycle between modules, no import at the
bottom of a file, and every kind of job registered by each process entry point."""

from __future__ import annotations

import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("api", "klimatmatch", "matcher", "models")
BIN = Path(sys.executable).parent


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_the_import_contracts_hold() -> None:
    result = _run(str(BIN / "lint-imports"), "--no-cache", "--no-logo")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_is_part_of_an_import_cycle() -> None:
    """Module by module, lazy imports included: the contract's acyclic check compares
    siblings, and would not see a circle through a package's __init__."""
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False, cache_dir=None)
    imports = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    try:
        TopologicalSorter(imports).prepare()
    except CycleError as error:
        pytest.fail(f"an import cycle: {' -> '.join(reversed(error.args[1]))}")


def test_no_import_waits_at_the_bottom_of_a_file() -> None:
    """E402 with its `noqa` comments ignored: an import after code is how a registration
    circle hides."""
    result = _run(
        sys.executable, "-m", "ruff", "check", "--select", "E402", "--ignore-noqa", *PACKAGES
    )
    assert result.returncode == 0, result.stdout + result.stderr


KINDS = "from klimatmatch.jobs.registry import KINDS; print(' '.join(sorted(KINDS)))"
EVERY_KIND = (
    "alerts digest-daily digest-weekly export import mail reindex retention snapshot strength train"
)


@pytest.mark.parametrize("entry_point", ["api.app", "klimatmatch.cli", "klimatmatch.cli.worker"])
def test_each_process_entry_point_registers_every_kind_of_job(entry_point: str) -> None:
    result = _run(sys.executable, "-c", f"import {entry_point}; {KINDS}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == EVERY_KIND.split()


def test_the_registry_and_the_queue_register_no_kind_themselves() -> None:
    """Registration runs one way: from an entry point down through klimatmatch.tasks."""
    result = _run(sys.executable, "-c", f"import klimatmatch.jobs, klimatmatch.jobs.queue; {KINDS}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []
