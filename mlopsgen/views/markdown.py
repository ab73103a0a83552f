"""Summary values → GitHub Markdown that stays what it is: one line, code spans that cannot be closed early.

The review pastes blueprint values (and values from an editable manifest) into a pull-request
description; these helpers are the only way values get there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
_MARKDOWN = re.compile(r"([\\`*\[\]<>!|&$])")
"""What can start a link, image, HTML tag, entity, code span, emphasis, table cell or math mid-line."""


def one_line(text: str) -> str:
    """Control characters and line breaks become spaces: no value may start a new Markdown block."""
    return _CONTROL.sub(" ", text)


def code_span(text: Any) -> str:
    """A Markdown code span holding exactly ``text`` on one line, whatever it contains.

    The fence is one backtick longer than the longest backtick run inside, so no value can close
    the span early and go on as a heading, link, image or mention (GitHub does not notify
    ``@names`` inside code spans). A code span also keeps ``${...}`` from being read as GitHub math.
    ref: https://spec.commonmark.org/0.31.2/#code-spans
    """
    text = one_line(str(text))
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    # CommonMark strips one space from each side when both are spaces, and a backtick next to the
    # fence would join it: pad in those cases so the content reads back unchanged.
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def plain_text(value: Any) -> str:
    """A summary value outside a code span: one line, Markdown punctuation escaped, mentions broken.

    Summaries of the previous output come from the committed manifest, which a pull request can
    edit, so even the values that are usually plain words or numbers are escaped.
    """
    text = _MARKDOWN.sub(r"\\\1", one_line(str(value)))
    return text.replace("@", "@\u200b")  # a zero-width space after @ keeps GitHub from mentioning


def show(value: Any) -> str:
    """A summary value as review text: ``none``, ``on``/``off``, plain numbers, code spans."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return ", ".join(code_span(item) for item in value) if value else "none"
    if isinstance(value, Mapping):
        return code_span(json.dumps(value, sort_keys=True))
    return code_span(value)
