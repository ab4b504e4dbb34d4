"""Fixture copies of the curated sources for tests that build from edited or reordered data: copies in a
temporary folder, used through LMKG_SOURCES_DIR. The real graph/sources are never edited by a test."""
import shutil
from pathlib import Path
from typing import Callable

import yaml

from lmkg.paths import SOURCES_DIR


def copy_sources(target: Path, edit: Callable[[dict[str, dict]], None] | None = None) -> Path:
    """A copy of graph/sources in `target`; `edit` may change the seeds YAML (by file stem) first."""
    shutil.copytree(SOURCES_DIR, target)
    if edit:
        folder = target / "seeds"
        data = {path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) for path in folder.glob("*.yaml")}
        edit(data)
        for stem, content in data.items():
            (folder / f"{stem}.yaml").write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False),
                                                  encoding="utf-8")
    return target


def reverse_every_list(data: dict[str, dict]) -> None:
    """Reorder the curated files: every list of records in reverse order, every mapping's keys too."""
    def reverse(value):
        if isinstance(value, dict):
            return {key: reverse(value[key]) for key in reversed(list(value))}
        if isinstance(value, list) and all(isinstance(item, dict) for item in value):
            return [reverse(item) for item in reversed(value)]
        return value
    for stem in data:
        data[stem] = reverse(data[stem])


def find(records: list[dict], **match) -> dict:
    return next(r for r in records if all(r.get(k) == v for k, v in match.items()))
