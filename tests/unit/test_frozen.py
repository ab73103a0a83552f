"""``@frozen`` behaves as ``@dataclass(frozen=True)``: equality, hash, repr, immutability, field options.

The shared methods replace the generated ones only to save start-up time (mlopsgen/frozen.py), so
every observable difference from a frozen dataclass would be a bug; hypothesis draws classes and
values and compares the two side by side.
"""

from __future__ import annotations

import copy
import dataclasses
import gc
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlopsgen.frozen import frozen

_values = st.one_of(
    st.none(),
    st.integers(-3, 3),
    st.text(max_size=3),
    st.tuples(st.integers(0, 2), st.text(max_size=2)),
    st.floats(allow_nan=False, width=16),
)


def _pair(names: list[str], options: list[tuple[bool, bool]]) -> tuple[type, type]:
    """The same class body decorated both ways; each field with its (compare, repr) options."""

    def body() -> dict[str, object]:
        ns: dict[str, object] = {"__annotations__": dict.fromkeys(names, "object"), "__module__": __name__}
        for name, (compare, shown) in zip(names, options, strict=True):
            ns[name] = dataclasses.field(compare=compare, repr=shown)
        return ns

    reference = dataclasses.dataclass(frozen=True)(type("Thing", (), body()))
    ours = frozen(type("Thing", (), body()))
    return reference, ours


@settings(max_examples=150, derandomize=True, deadline=None)
@given(
    names=st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), min_size=0, max_size=4, unique=True),
    data=st.data(),
)
def test_frozen_matches_a_frozen_dataclass(names: list[str], data: st.DataObject) -> None:
    options = [data.draw(st.tuples(st.booleans(), st.booleans())) for _ in names]
    reference, ours = _pair(names, options)
    left = [data.draw(_values) for _ in names]
    right = [data.draw(st.one_of(st.just(v), _values)) for v in left]
    r1, r2, o1, o2 = reference(*left), reference(*right), ours(*left), ours(*right)
    assert (o1 == o2) == (r1 == r2)
    assert (o1 != o2) == (r1 != r2)
    assert repr(o1) == repr(r1)
    assert hash(o1) == hash(r1)  # both hash the tuple of compared fields
    assert [f.name for f in dataclasses.fields(ours)] == [f.name for f in dataclasses.fields(reference)]
    assert dataclasses.asdict(o1) == dataclasses.asdict(r1)
    assert (o1 == r1) is False  # different classes never compare equal, as with dataclasses
    for obj in (o1, r1):  # immutable alike: fields, new attributes, deletion
        for name in [*names, "other"]:
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(obj, name, 1)
            with pytest.raises(dataclasses.FrozenInstanceError):
                delattr(obj, name)
    assert vars(o1) == vars(r1)
    if names:
        assert dataclasses.replace(o1, **{names[0]: "x"}) == ours(*(["x"] + left[1:]))


@frozen
class _Picklable:
    name: str
    size: int = 1


@frozen
class _Derived:
    size: int
    double: int = dataclasses.field(init=False, default=0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "double", 2 * self.size)  # as a frozen dataclass must


def test_post_init_sets_fields_as_in_a_frozen_dataclass() -> None:
    item = _Derived(3)
    assert item.double == 6
    assert item == _Derived(3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.double = 1  # type: ignore[misc]
    assert copy.copy(item) == item
    assert copy.deepcopy(item) == item


def test_frozen_instances_pickle_and_unhashable_fields_fail_as_in_dataclasses() -> None:
    item = _Picklable("x", 2)
    assert pickle.loads(pickle.dumps(item)) == item
    unhashable_ref = dataclasses.dataclass(frozen=True)(type("U", (), {"__annotations__": {"v": "object"}}))
    unhashable = frozen(type("U", (), {"__annotations__": {"v": "object"}}))
    with pytest.raises(TypeError):
        hash(unhashable_ref([1]))
    with pytest.raises(TypeError):
        hash(unhashable([1]))


def test_cli_entry_collects_garbage_again_once_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI pauses the collector while its modules load (mlopsgen/__main__.py), never for the command."""
    import mlopsgen.__main__ as entry
    from mlopsgen import cli

    seen: list[bool] = []
    monkeypatch.setattr(cli, "run", lambda: seen.append(gc.isenabled()))
    try:
        entry.main()
    finally:
        gc.unfreeze()  # the entry froze this test process's objects; let them be collected again
    assert seen == [True]
    assert gc.isenabled()
