"""Throwaway third-party plugins, installed for one test as a package outside the repository."""

from __future__ import annotations

import importlib
import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest


def make_distribution(root: Path, name: str, module_source: str, entry_name: str | None = None) -> Path:
    """A third-party plugin package outside the repository: a module plus its own
    distribution metadata with an entry point in group ``workbench``."""
    module = f"wb_{name}"
    (root / f"{module}.py").write_text(textwrap.dedent(module_source), encoding="utf-8")
    info = root / f"workbench_{name}_thirdparty-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: workbench-{name}-thirdparty\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[workbench]\n{entry_name or name} = {module}\n", encoding="utf-8"
    )
    return root


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """``install(name, source, entry_name=None)``: the plugin is importable in this process
    and in the commands a test starts, and loaded beside the bundled ones
    (``WORKBENCH_PLUGINS``). Give each throwaway plugin a name of its own: modules stay
    imported for the session."""
    packages = tmp_path / "site"
    packages.mkdir()
    monkeypatch.syspath_prepend(str(packages))
    monkeypatch.setenv("PYTHONPATH", str(packages))

    def install_(name: str, source: str, entry_name: str | None = None) -> Path:
        make_distribution(packages, name, source, entry_name)
        importlib.invalidate_caches()  # entry points are looked up again, not from a cache
        monkeypatch.setenv("WORKBENCH_PLUGINS", f"{os.environ['WORKBENCH_PLUGINS']},{entry_name or name}")
        return packages

    return install_
