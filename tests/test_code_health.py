"""Repository-wide limits that keep each module readable in one sitting."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 800
SKIPPED = {".venv", ".git", "node_modules", "migrations", "test-artifacts"}


def _python_files() -> list[Path]:
    found = []
    for folder, subfolders, files in os.walk(ROOT):
        # Prune in place so the virtualenv and generated trees are never walked.
        subfolders[:] = [name for name in subfolders if name not in SKIPPED]
        found += [Path(folder) / name for name in files if name.endswith(".py")]
    return found


def test_it_finds_the_projects_modules():
    names = {path.relative_to(ROOT).as_posix() for path in _python_files()}
    assert "manage.py" in names
    assert "bench/run.py" in names
    assert not any("/migrations/" in name for name in names)


def test_no_module_is_longer_than_800_lines():
    too_long = {}
    for path in _python_files():
        with path.open(encoding="utf-8") as handle:
            count = sum(1 for _line in handle)
        if count > MAX_LINES:
            too_long[path.relative_to(ROOT).as_posix()] = count
    assert not too_long, f"split these modules (over {MAX_LINES} lines): {too_long}"
