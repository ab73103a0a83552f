"""Loaded blueprint of any language version → the same blueprint in the current version (data + positions).

The language changes only through the table ``MIGRATIONS``: each older version lists the key moves
that carry it one version forward. The loader's caller (``api``) runs ``upgrade`` on every blueprint,
so an old blueprint keeps validating and rendering, with a deprecation warning naming
``mlopsgen migrate``; that command (``mlopsgen/migrate.py``) applies the very same moves to the YAML
text with comments kept. Positions move with their keys, so every diagnostic still points at the
line the user wrote.

Moves are keyed by data path only, so keys other parts of the language add later need no work here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlopsgen.blueprint.loader import Loaded, SourceMap
from mlopsgen.errors import Diagnostic, Position
from mlopsgen.frozen import frozen

CURRENT = 2
"""The language version this mlopsgen writes and documents."""

UNVERSIONED = 1
"""The version of a blueprint without ``version:`` (the key was optional in version 1)."""


@frozen
class Rename:
    """A key renamed between two language versions; it keeps its place among its siblings.

    Attributes:
        old: Mapping-key path in the older version, e.g. ``("ci", "triggers")``.
        new: The key's new name (same parent).
        why: One line for the changelog.
    """

    old: tuple[str, ...]
    new: str
    why: str

    @property
    def new_path(self) -> tuple[str, ...]:
        """The key's path in the newer version."""
        return (*self.old[:-1], self.new)


MIGRATIONS: dict[int, tuple[Rename, ...]] = {
    1: (
        Rename(
            ("ci", "triggers"),
            "trigger_owner",
            "the key names the one backend that owns the triggers; 'triggers' read as a list of triggers",
        ),
    ),
}
"""Version N → the renames that make a version N blueprint a version N+1 blueprint."""


@dataclass
class Upgraded:
    """The outcome of ``upgrade``.

    Attributes:
        loaded: The blueprint as the current version (the input itself when nothing changed).
        warnings: The deprecation notice for an older version (never stops a render).
        errors: Problems that make the version unreadable (a newer version, a key given in both spellings).
    """

    loaded: Loaded
    warnings: list[Diagnostic] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)


def renamed_to(path: tuple[str | int, ...]) -> tuple[int, Rename] | None:
    """The version that renamed the key at ``path`` and the rename, when an older version spelled a key so."""
    return next(((v + 1, r) for v, rs in MIGRATIONS.items() for r in rs if r.old == path), None)


def declared_version(data: Any) -> int | None:
    """The version a blueprint declares (``UNVERSIONED`` without the key); None when it is not a whole number."""
    if not isinstance(data, dict):
        return None
    version = data.get("version", UNVERSIONED)
    return version if isinstance(version, int) and not isinstance(version, bool) else None


def renames_from(version: int) -> list[Rename]:
    """Every rename from ``version`` to the current one, in the order they apply."""
    return [rename for v in range(version, CURRENT) for rename in MIGRATIONS.get(v, ())]


def conflicts(data: Any, version: int) -> list[Rename]:
    """Renames whose old and new spellings are both present (either would silently win)."""
    return [r for r in renames_from(version) if _has(data, r.old) and _has(data, r.new_path)]


def upgrade(loaded: Loaded, *, migrate_command: str = "mlopsgen migrate") -> Upgraded:
    """Carry a loaded blueprint forward to the current language version, keeping source positions.

    Args:
        loaded: The loader's output (with usable data).
        migrate_command: How the warning tells the user to rewrite the file.

    Returns:
        The upgraded blueprint, a deprecation warning for an older version, or errors.
    """
    data = loaded.data
    version = declared_version(data)
    source = loaded.source
    at_version = source.values.get(("version",)) or Position(1, 1)
    written = data.get("version") if isinstance(data, dict) else None
    if isinstance(written, str) and written.strip() in {str(v) for v in range(UNVERSIONED, CURRENT + 1)}:
        # Quoted, the version is text; say so rather than listing only the current version as allowed.
        hint = f"write {written.strip()} without quotes: the language version is a number."
        return Upgraded(
            loaded,
            errors=[
                Diagnostic("MLG113", f"version: {written!r} is not allowed", "version", source.file, at_version, hint)
            ],
        )
    if version is None or version == CURRENT or version < UNVERSIONED:
        return Upgraded(loaded)  # not a version we know how to read: the schema reports it (MLG113)
    if version > CURRENT:
        message = f"blueprint language version {version} is newer than this mlopsgen reads (at most {CURRENT})"
        hint = f"upgrade mlopsgen, or write the blueprint for version {CURRENT}."
        return Upgraded(loaded, errors=[Diagnostic("MLG131", message, "version", source.file, at_version, hint)])
    errors = [
        Diagnostic(
            "MLG132",
            f"{'.'.join(r.old)} is the version {version} spelling of {'.'.join(r.new_path)}, which is also given",
            ".".join(r.old),
            source.file,
            source.locate(r.old),
            f"keep one: {'.'.join(r.new_path)}, the current spelling (a current blueprint says version: {CURRENT}).",
        )
        for r in conflicts(data, version)
    ]
    if errors:
        return Upgraded(loaded, errors=errors)
    new_data = _copy(data)
    new_source = SourceMap(source.file, dict(source.keys), dict(source.values))
    for rename in renames_from(version):
        _rename(new_data, new_source, rename)
    new_data = {"version": CURRENT, **{k: v for k, v in new_data.items() if k != "version"}}
    named = "version 1 (a blueprint without 'version:')" if "version" not in data else f"version {version}"
    where = f" {source.file}" if source.file not in ("<string>", "<bytes>", "<mapping>") else ""
    warning = Diagnostic(
        "MLG130",
        f"blueprint language {named} is deprecated; the current version is {CURRENT}",
        "version",
        source.file,
        at_version,
        f"run `{migrate_command}{where}` to rewrite it in place (comments and layout are kept).",
    )
    return Upgraded(Loaded(new_data, new_source, list(loaded.diagnostics)), warnings=[warning])


def _copy(value: Any) -> Any:
    # Only the mappings on moved paths change; copying mappings (not lists or scalars) is enough and cheap.
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def _has(data: Any, path: tuple[str, ...]) -> bool:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return False
        data = data[key]
    return True


def _rename(data: dict[str, Any], source: SourceMap, rename: Rename) -> None:
    """Apply one rename to plain data, moving every recorded position under the old path with it."""
    if not _has(data, rename.old):
        return
    parent: dict[str, Any] = data
    for key in rename.old[:-1]:
        parent = parent[key]
    items = [(rename.new if key == rename.old[-1] else key, value) for key, value in parent.items()]
    parent.clear()
    parent.update(items)
    old, new = rename.old, rename.new_path
    for table in (source.keys, source.values):
        for path in [p for p in table if p[: len(old)] == old]:
            table[(*new, *path[len(old) :])] = table.pop(path)
