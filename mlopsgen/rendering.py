"""The one jinja2 environment (Groovy layouts), and escaping of values for the contexts they reach.

Templates hold layout only: every value is computed in the target and arrives here already
escaped (``groovy_string``), so no template decides anything and no value can change the syntax.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from mlopsgen import provenance

_GROOVY_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def render_template(name: str, **context: Any) -> str:
    """Render ``templates/<name>`` with ready values.

    Args:
        name: Template path below ``mlopsgen/templates``.
        **context: The template's inputs (escaped literals and plain layout data).

    Returns:
        The rendered text.
    """
    text: str = _environment().get_template(name).render(**context)
    return provenance.note_template(text)  # strips the markers ``provenance.marker`` put in (explain only)


@cache
def _environment() -> Any:
    """Built on first use: jinja2 costs ~20 ms to import, and only Jenkins output needs it."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("mlopsgen", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def groovy_string(value: str) -> str:
    r"""A Groovy single-quoted string literal holding exactly ``value``.

    Single-quoted Groovy strings do not interpolate (``$`` and ``${...}`` stay text); backslash,
    quote and control characters are escaped, and everything outside ASCII is written as a
    ``\uXXXX`` escape so the file means the same whatever encoding a reader assumes.
    """
    out = []
    for char in value:
        if char in _GROOVY_ESCAPES:
            out.append(_GROOVY_ESCAPES[char])
        elif " " <= char <= "~":
            out.append(char)
        else:
            data = char.encode("utf-16-be")
            out.extend(f"\\u{int.from_bytes(data[i : i + 2], 'big'):04x}" for i in range(0, len(data), 2))
    return "'" + "".join(out) + "'"
