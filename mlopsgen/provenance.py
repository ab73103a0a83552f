"""Provenance while emitting: Plan items carry blueprint keys; emitters tag what they build; writers map lines.

``mlopsgen explain`` re-renders a blueprint with a ``Recorder`` active. The planner has filed every Plan
item under the blueprint keys it came from (``Origins``, kept on the Plan); emitters tag the data they
build for an item (``tag``) or open a scope for it (``item``); and the writers (``dump_json``,
``dump_yaml``, ``render_template``) turn the tagged data paths into per-line origins as they write. No
recorder is active during an ordinary render, so every hook here is one context-variable read and the
output is the same bytes either way (a test asserts it). A leaf module: it imports nothing of mlopsgen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from mlopsgen.frozen import frozen

PathKey = tuple[str | int, ...]
T = TypeVar("T")


@frozen
class Origin:
    """Where a Plan item came from.

    Attributes:
        item: The Plan item, in words (``step TrainAbaloneModel``, ``deploy stage prod``).
        keys: Blueprint paths of its keys; more than one when the item is derived (a stack name is
            derived from the project name, its id and the stage name).
    """

    item: str
    keys: tuple[PathKey, ...]

    @property
    def derived(self) -> bool:
        """True when the item is derived from several blueprint keys rather than written in one."""
        return len(self.keys) > 1


class Origins:
    """Plan item → ``Origin``, filed by the planner as it builds items.

    Keyed by identity: Plan items are frozen values and two equal items (two stages with the same
    settings) still came from different keys. The item is kept alive beside its origin so its id
    cannot be reused while the Plan lives.
    """

    def __init__(self) -> None:
        self._by_id: dict[tuple[int, str], tuple[object, Origin]] = {}
        self._pending: Callable[[], None] | None = None

    def defer(self, fill: Callable[[], None]) -> None:
        """Run ``fill`` (which calls ``add``) on the first look-up: a render nobody explains pays nothing."""
        self._pending = fill

    def add(self, item: object, label: str, *keys: PathKey, field: str = "") -> None:
        """File ``item`` (or one ``field`` of it, a derived name) under ``keys``.

        Args:
            item: A Plan item.
            label: The item in words, for answers.
            *keys: Blueprint paths: one for a written item, several for a derived one.
            field: A field of the item whose value is derived from other keys than the item's own
                (a stage's stack name comes from the project name and id as well as the stage name).
        """
        if item is not None:
            self._by_id[(id(item), field)] = (item, Origin(label, tuple(keys)))

    def get(self, item: object, field: str = "") -> Origin | None:
        """The origin filed for ``item`` (or its ``field``), if any."""
        if self._pending is not None:
            fill, self._pending = self._pending, None
            fill()
        found = self._by_id.get((id(item), field))
        return found[1] if found is not None and found[0] is item else None

    def __len__(self) -> int:
        self.get(None)  # runs a deferred fill
        return len(self._by_id)


@frozen
class Line:
    """The origin of one generated line: the Plan item's origin and the data path written there."""

    origin: Origin | None
    """None: the line belongs to the file's enclosing scope."""
    pointer: PathKey = ()
    """For JSON and YAML files: the path of the value on this line (empty for text files)."""


@dataclass
class Fragment:
    """Text one writer produced, with an origin per line; located in the file it ends up in."""

    text: str
    lines: list[Line]
    scope: Origin | None
    claimed: bool = False
    """Taken by the first file made after it that contains it (two equal texts stay in their own files)."""


@dataclass
class Recorder:
    """Collects tags, scopes and writer fragments during one recorded render."""

    origins: Origins
    tags: dict[int, tuple[object, Origin]] = field(default_factory=dict)
    key_tags: dict[tuple[int, str | int], tuple[object, Origin]] = field(default_factory=dict)
    """(container id, key) → origin of the one value under that key (a derived name)."""
    scopes: list[Origin] = field(default_factory=list)
    fragments: list[Fragment] = field(default_factory=list)
    files: dict[str, Origin | None] = field(default_factory=dict)
    """Output path → the scope open when the file was made."""
    placed: dict[str, list[tuple[int, Fragment]]] = field(default_factory=dict)
    """Output path → the fragments it contains, each with the file line it starts at."""
    markers: list[Origin | None] = field(default_factory=list)
    """Origins that template markers stand for, by number."""

    def origin_of(self, item: object, field: str = "") -> Origin | None:
        """The origin the planner filed for a Plan item (or one field of it)."""
        return self.origins.get(item, field)


_ACTIVE: ContextVar[Recorder | None] = ContextVar("mlopsgen_provenance", default=None)


@contextmanager
def recording(origins: Origins) -> Iterator[Recorder]:
    """Record provenance for everything emitted inside the block."""
    recorder = Recorder(origins)
    token = _ACTIVE.set(recorder)
    try:
        yield recorder
    finally:
        _ACTIVE.reset(token)


def tag(value: T, item: object) -> T:
    """Mark ``value`` (a dict or list an emitter built) as written for Plan item ``item``; returns it."""
    recorder = _ACTIVE.get()
    if recorder is not None:
        origin = recorder.origin_of(item)
        if origin is not None:
            recorder.tags[id(value)] = (value, origin)
    return value


def tag_key(container: T, key: str | int, item: object, field: str) -> T:
    """Mark the value under ``container[key]`` as ``item``'s derived ``field`` (a name); returns the container."""
    recorder = _ACTIVE.get()
    if recorder is not None:
        origin = recorder.origin_of(item, field)
        if origin is not None:
            recorder.key_tags[(id(container), key)] = (container, origin)
    return container


@contextmanager
def item(plan_item: object) -> Iterator[None]:
    """Attribute files made and text written inside the block to ``plan_item`` (when it has an origin)."""
    recorder = _ACTIVE.get()
    origin = recorder.origin_of(plan_item) if recorder is not None else None
    if recorder is None or origin is None:
        yield
        return
    recorder.scopes.append(origin)
    try:
        yield
    finally:
        recorder.scopes.pop()


def note_file(path: str, content: str | bytes) -> None:
    """Called for every OutputFile: remember the scope it was made in and claim the fragments it holds."""
    recorder = _ACTIVE.get()
    if recorder is None:
        return
    recorder.files.setdefault(path, recorder.scopes[-1] if recorder.scopes else None)
    if not isinstance(content, str):
        return
    placed = recorder.placed.setdefault(path, [])
    for fragment in reversed(recorder.fragments):  # the latest first: the outer text an emitter wrote last
        start = content.find(fragment.text) if fragment.text and not fragment.claimed else -1
        if start >= 0:
            fragment.claimed = True
            placed.append((content.count("\n", 0, start), fragment))


def _tagged(recorder: Recorder, data: Any, pointer: PathKey) -> Origin | None:
    """The origin of the innermost tagged container on the way from ``data`` down to ``pointer``."""
    found = recorder.tags.get(id(data))
    origin = found[1] if found is not None and found[0] is data else None
    node = data
    for part in pointer:
        keyed = recorder.key_tags.get((id(node), part))
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if keyed is not None:
            origin = keyed[1]
        hit = recorder.tags.get(id(node))
        if hit is not None and hit[0] is node:
            origin = hit[1]
    return origin


def _fragment(recorder: Recorder, data: Any, text: str, pointers: list[PathKey]) -> None:
    lines = [Line(_tagged(recorder, data, p), p) for p in pointers]
    recorder.fragments.append(Fragment(text, lines, recorder.scopes[-1] if recorder.scopes else None))


def note_json(data: Any, text: str) -> None:
    """Called by ``dump_json`` with what it wrote: map each line to its data path and origin."""
    recorder = _ACTIVE.get()
    if recorder is None:
        return
    rows = json_rows(data)
    if "\n".join(r for r, _ in rows) + "\n" != text:  # a layout this walker does not know: whole-file scope
        _fragment(recorder, data, text, [() for _ in text.splitlines()])
        return
    _fragment(recorder, data, text, [p for _, p in rows])


def json_rows(data: Any) -> list[tuple[str, PathKey]]:
    """The lines ``dump_json`` writes for ``data`` (without the final newline), each with its data path."""
    rows: list[tuple[str, PathKey]] = []
    _json_rows(data, (), 0, "", rows)
    return rows


def yaml_pointers(text: str, header_lines: int = 0) -> list[PathKey]:
    """The data path of the value on each line of YAML ``text`` (comment header lines: the root)."""
    import yaml  # already loaded by dump_yaml's caller; local so this module stays a leaf

    pointers: list[PathKey] = [() for _ in text.splitlines()]
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    root = yaml.compose("".join(text.splitlines(keepends=True)[header_lines:]), Loader=loader)
    if root is not None:
        _yaml_rows(root, (), pointers, header_lines)
    return pointers


def _json_rows(value: Any, path: PathKey, depth: int, prefix: str, rows: list[tuple[str, PathKey]]) -> None:
    """The lines ``json.dumps(indent=2, sort_keys=True, ensure_ascii=False)`` writes, with their data paths."""
    pad = "  " * depth
    if isinstance(value, dict) and value:
        rows.append((pad + prefix + "{", path))
        keys = sorted(value)
        for n, key in enumerate(keys):
            _json_rows(value[key], (*path, key), depth + 1, json.dumps(key, ensure_ascii=False) + ": ", rows)
            if n < len(keys) - 1:
                rows[-1] = (rows[-1][0] + ",", rows[-1][1])
        rows.append((pad + "}", path))
    elif isinstance(value, list | tuple) and value:
        rows.append((pad + prefix + "[", path))
        for n, entry in enumerate(value):
            _json_rows(entry, (*path, n), depth + 1, "", rows)
            if n < len(value) - 1:
                rows[-1] = (rows[-1][0] + ",", rows[-1][1])
        rows.append((pad + "]", path))
    else:
        rows.append((pad + prefix + json.dumps(value, ensure_ascii=False, allow_nan=False), path))


def note_yaml(data: Any, text: str, header_lines: int) -> None:
    """Called by ``dump_yaml``: map each line of the written YAML to the data path the parser finds there."""
    recorder = _ACTIVE.get()
    if recorder is not None:
        _fragment(recorder, data, text, yaml_pointers(text, header_lines))


def _yaml_rows(node: Any, path: PathKey, pointers: list[PathKey], offset: int) -> None:
    import yaml

    first, last = node.start_mark.line, node.end_mark.line
    if node.end_mark.column == 0 and last > first:
        last -= 1  # a block collection ends at the start of the next line
    for line in range(first, last + 1):
        if 0 <= line + offset < len(pointers):
            pointers[line + offset] = path
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, key.value)
            if 0 <= key.start_mark.line + offset < len(pointers):
                pointers[key.start_mark.line + offset] = child
            _yaml_rows(value, child, pointers, offset)
    elif isinstance(node, yaml.SequenceNode):
        for n, value in enumerate(node.value):
            _yaml_rows(value, (*path, n), pointers, offset)


_MARKER = re.compile("\x00(\\d+)\x00")


def marker(plan_item: object, field: str = "") -> str:
    """For templates: text that opens ``plan_item``'s region (None closes it); empty unless recording.

    The marker is a NUL-delimited number, which no escaped value can contain (``groovy_string`` escapes
    every control character), and ``note_template`` strips it before the text is used.
    """
    recorder = _ACTIVE.get()
    if recorder is None:
        return ""
    recorder.markers.append(recorder.origin_of(plan_item, field) if plan_item is not None else None)
    return f"\x00{len(recorder.markers) - 1}\x00"


def note_template(text: str) -> str:
    """Strip template markers from rendered text, recording the region each line is in; returns the text."""
    recorder = _ACTIVE.get()
    if recorder is None:
        return text
    table = recorder.markers
    lines: list[Line] = []
    clean: list[str] = []
    current: Origin | None = None
    for raw in text.split("\n"):
        found = _MARKER.findall(raw)
        if found:
            current = table[int(found[-1])]
        clean.append(_MARKER.sub("", raw))
        lines.append(Line(current))
    out = "\n".join(clean)
    scope = recorder.scopes[-1] if recorder.scopes else None
    recorder.fragments.append(Fragment(out, lines[: len(out.splitlines())], scope))
    return out
