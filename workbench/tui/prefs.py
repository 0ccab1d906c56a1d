"""The app's own preferences (the theme), in a small JSON file in the user's config folder.

Not a desk setting: a theme belongs to the person at the terminal, not to the desk.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import platformdirs


def default_path() -> Path:
    return Path(platformdirs.user_config_dir("case-workbench")) / "tui.json"


class Prefs:
    """Read and write ``{"theme": name}``; a missing or unreadable file means defaults."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        """Where the preferences live; ``None`` keeps them in memory only (tests)."""

    def load(self) -> dict[str, str]:
        if self.path is None or not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def save(self, **values: str) -> None:
        if self.path is None:
            return
        data = {**self.load(), **values}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=2), encoding="utf-8")
        os.replace(temporary, self.path)
