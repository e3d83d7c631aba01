"""The registry of form definitions: every file in forms/definitions, loaded and checked once."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

from .errors import DefinitionError
from .loader import load_definition, load_shared_choices
from .model import FormDefinition

DEFINITIONS_DIR = Path(__file__).parent / "definitions"
SHARED_CHOICES = "_choices.toml"


class FormRegistry:
    """Form definitions by key."""

    def __init__(self, definitions: dict[str, FormDefinition]) -> None:
        self._definitions = dict(sorted(definitions.items()))

    def get(self, key: str) -> FormDefinition:
        """Return the definition for `key`; KeyError names the unknown key."""
        try:
            return self._definitions[key]
        except KeyError:
            raise KeyError(f"unknown form key {key!r}: no file forms/definitions/{key}.toml") from None

    def keys(self) -> list[str]:
        """All form keys, sorted."""
        return list(self._definitions)

    def __contains__(self, key: object) -> bool:
        return key in self._definitions

    def __iter__(self) -> Iterator[FormDefinition]:
        return iter(self._definitions.values())

    def __len__(self) -> int:
        return len(self._definitions)


def read_registry(directory: Path) -> FormRegistry:
    """Load and check every definition in `directory` (uncached); DefinitionError on the first problem."""
    shared_path = directory / SHARED_CHOICES
    shared = load_shared_choices(shared_path) if shared_path.exists() else {}
    definitions: dict[str, FormDefinition] = {}
    for path in sorted(directory.glob("*.toml")):
        if path.name.startswith("_"):
            continue
        definition = load_definition(path, shared)
        if definition.key in definitions:
            raise DefinitionError(path.name, f"key {definition.key!r} is already defined")
        definitions[definition.key] = definition
    return FormRegistry(definitions)


@functools.cache
def load_registry(directory: Path | None = None) -> FormRegistry:
    """Return the registry of the shipped definitions (or of `directory`), loaded once per process."""
    return read_registry(directory or DEFINITIONS_DIR)
