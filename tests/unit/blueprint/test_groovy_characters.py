"""Characters the loader lets through survive a Jenkinsfile; the ones it refuses would not (issue 11).

Groovy 2.4 unescapes ``\\uffff`` in a string literal into its end-of-file character, so a
non-character in a blueprint value silently truncates the Jenkinsfile. The loader refuses
non-characters; this proves, with the Groovy parser, both halves of that decision.
"""

from __future__ import annotations

import pytest

from mlopsgen.blueprint.loader import load_blueprint
from mlopsgen.rendering import groovy_string
from tests.support.groovy import parse_groovy

ACCEPTED = ["\u00a0", "\u200b", "\ue000", "\ufeff", "\ufffd", "\U00010000", "\U0001f680", "\U0010fffd", "é\t\r\n"]
REFUSED = ["\ufffe", "\uffff", "\ufdd0", "\U0001ffff", "\U0010ffff", "\x00", "\x1b"]


def _source(value: str) -> str:
    return f"pipeline {{\n    environment {{ X = {groovy_string('a' + value + 'b')} }}\n}}\n"


@pytest.fixture(scope="module")
def parsed() -> dict[str, bool]:
    files = {f"f{i}.groovy": _source(v) for i, v in enumerate(ACCEPTED + REFUSED)}
    results = parse_groovy(files)
    return {value: results[f"f{i}.groovy"].ok for i, value in enumerate(ACCEPTED + REFUSED)}


@pytest.mark.parametrize("value", ACCEPTED, ids=[f"U+{ord(v[0]):04X}" for v in ACCEPTED])
def test_accepted_characters_load_and_parse_as_groovy(value: str, parsed: dict[str, bool]) -> None:
    assert load_blueprint('k: "' + value.encode("unicode_escape").decode() + '"\n').diagnostics == []
    assert parsed[value], f"groovy rejects {value!r}"


def test_the_non_character_uffff_breaks_groovy_so_the_loader_refuses_it(parsed: dict[str, bool]) -> None:
    assert not parsed["\uffff"], "Groovy now accepts \\uffff: the refusal could be relaxed to escaping"
    for value in REFUSED:
        loaded = load_blueprint('k: "' + value.encode("unicode_escape").decode() + '"\n')
        assert [d.code for d in loaded.diagnostics] == ["MLG100"], repr(value)
