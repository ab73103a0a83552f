"""Fraud pipeline step 'validate_schema': stop the pipeline before training on transactions of the wrong shape.

Checks every CSV under /opt/ml/processing/input: the header holds the columns BuildFeatures reads, every row
has as many fields as the header, and the numeric fields parse (``amount`` >= 0, ``hour`` in 0..23,
``card_present`` and ``is_fraud`` 0 or 1). Exits non-zero with the first problems found, which fails the
processing job and so the pipeline. Standard library only: it runs in the team's own schema-check image.
"""

from __future__ import annotations  # the images run Python 3.8/3.9: annotations stay unevaluated

import csv
import pathlib
import sys

INPUT = pathlib.Path("/opt/ml/processing/input")
REQUIRED = ["transaction_id", "amount", "merchant_category", "hour", "country", "card_present", "is_fraud"]
MAX_PROBLEMS = 20


def check_value(column: str, value: str) -> str | None:
    """Why the value is invalid for the column, or None."""
    try:
        if column == "amount" and float(value) < 0:
            return "negative amount"
        if column == "hour" and not 0 <= int(value) <= 23:
            return "hour outside 0..23"
        if column in ("card_present", "is_fraud") and int(value) not in (0, 1):
            return "not 0 or 1"
    except ValueError:
        return "not a number"
    if column in ("transaction_id", "merchant_category", "country") and not value:
        return "empty"
    return None


def check(path: pathlib.Path) -> tuple[int, list[str]]:
    """The number of rows and the problems found in one file."""
    problems: list[str] = []
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            return 0, [f"{path.name}: missing columns {missing} (header {header})"]
        rows = 0
        for number, row in enumerate(reader, start=2):
            rows += 1
            if len(row) != len(header):
                problems.append(f"{path.name}:{number}: {len(row)} fields, header has {len(header)}")
                continue
            for column in REQUIRED:
                why = check_value(column, row[header.index(column)])
                if why:
                    problems.append(f"{path.name}:{number}: {column}={row[header.index(column)]!r}: {why}")
    return rows, problems


def main() -> None:
    files = sorted(INPUT.rglob("*.csv"))
    if not files:
        sys.exit("no transaction CSV under /opt/ml/processing/input")
    total, problems = 0, []
    for path in files:
        rows, found = check(path)
        total += rows
        problems += found
    if problems or total == 0:
        sys.exit("schema check failed:\n" + "\n".join(problems[:MAX_PROBLEMS] or ["no rows"]))
    print(f"schema ok: {total} rows in {len(files)} file(s)")


if __name__ == "__main__":
    main()
