"""``diff --format markdown``: no value can leave its code span or start a heading, link, image or mention."""

from __future__ import annotations

import re

import pytest

from mlopsgen.views.review import review_markdown
from tests.unit.views.support import summary_of, text

HOSTILE = [
    "x``\n# Owned\n[click](https://evil.example)``",
    "a` ![img](https://evil.example/i.png) `b",
    "```` @security-team please approve ````",
    "end\r\n\n## heading\r@admin",
    "` <img src=x onerror=alert(1)> `",
]


def _spans_and_rest(line: str) -> tuple[list[str], str]:
    """Split a Markdown line into code span contents and the text outside them (CommonMark rules)."""
    spans, rest, i = [], "", 0
    while i < len(line):
        if line[i] == "`":
            run = re.match(r"`+", line[i:])
            assert run is not None
            fence = run.group(0)
            end = re.search(rf"(?<!`){fence}(?!`)", line[i + len(fence) :])
            if end is None:
                rest += fence
                i += len(fence)
                continue
            content = line[i + len(fence) : i + len(fence) + end.start()]
            spans.append(
                content[1:-1] if content.startswith(" ") and content.endswith(" ") and content.strip() else content
            )
            i += len(fence) + end.end()
        else:
            rest += line[i]
            i += 1
    return spans, rest


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_parameter_default_stays_in_one_code_span(value: str) -> None:
    old = summary_of(text("abalone"))
    new = summary_of(text("abalone"))
    new["pipeline"]["parameters"]["InputDataUrl"]["default"] = value
    markdown = review_markdown("abalone.yaml", old, new, [])
    (line,) = [line for line in markdown.splitlines() if "InputDataUrl" in line]
    spans, rest = _spans_and_rest(line)
    flat = re.sub(r"[\x00-\x1f\u2028\u2029]", " ", value)
    assert flat in spans, (line, spans)
    assert "@" not in rest and "](" not in rest and "<" not in rest, rest
    headings = [row for row in markdown.splitlines() if row.startswith("#")]
    assert all(row.startswith(("### `abalone.yaml`", "#### ")) for row in headings), headings


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_text_outside_code_spans_is_escaped(value: str) -> None:
    """Summaries of the old output come from the committed manifest, which a pull request can edit."""
    old = summary_of(text("abalone"))
    new = summary_of(text("abalone"))
    old["pipeline"]["steps"]["Sneaky"] = {"type": value}
    markdown = review_markdown("abalone.yaml", old, new, [])
    (line,) = [line for line in markdown.splitlines() if "Sneaky" in line]
    _, rest = _spans_and_rest(line)
    assert "@" not in rest.replace("@\u200b", "") and not re.search(r"(?<!\\)[\[<!]", rest), rest
    assert "\r" not in markdown
