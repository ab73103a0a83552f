"""Write the small synthetic datasets the example code is tested on (tests/test_example_code.py).

Why synthetic: the examples' real inputs (the UCI abalone CSV the SageMaker seed code downloads, a churn
table, card transactions) cannot be fetched offline, so this script makes look-alikes with the same columns,
types and rough relationships, from Python's own seeded ``random`` (no numpy, so the bytes do not depend on a
library version). The files are committed; run this script only to change them:

    python3 tests/data/make_example_data.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent


def abalone(rows: int = 300) -> list[list[object]]:
    """Rows in the UCI abalone layout: sex (M/F/I), seven measurements, rings (the label); no header."""
    rng = random.Random(20240601)
    out: list[list[object]] = []
    for _ in range(rows):
        sex = rng.choice("MFI")
        length = round(rng.uniform(0.2, 0.75) * (0.8 if sex == "I" else 1.0), 3)
        diameter = round(length * rng.uniform(0.75, 0.82), 3)
        height = round(diameter * rng.uniform(0.3, 0.4), 3)
        whole = round(length**3 * rng.uniform(2.6, 3.2), 4)
        shucked = round(whole * rng.uniform(0.38, 0.48), 4)
        viscera = round(whole * rng.uniform(0.18, 0.24), 4)
        shell = round(whole * rng.uniform(0.26, 0.32), 4)
        rings = max(1, min(29, round(3 + 18 * shell + 12 * length + rng.gauss(0, 1.5))))
        out.append([sex, length, diameter, height, whole, shucked, viscera, shell, rings])
    return out


def churn(rows: int = 300) -> list[list[object]]:
    """A customer table with identifiers, categories, numbers and the ``churned`` label (with a header)."""
    rng = random.Random(20240602)
    out: list[list[object]] = [
        ["customer_id", "phone", "state", "plan", "tenure_months", "monthly_charges", "support_calls", "churned"]
    ]
    for n in range(rows):
        plan = rng.choice(["basic", "plus", "premium"])
        tenure = rng.randint(1, 72)
        charges = round({"basic": 20, "plus": 45, "premium": 80}[plan] + rng.uniform(-5, 15), 2)
        calls = min(9, int(rng.expovariate(0.7)))
        risk = 0.6 * calls - 0.05 * tenure + (0.8 if plan == "basic" else 0.0) + rng.gauss(0, 0.8)
        out.append(
            [
                f"C{n:05d}",
                f"555-{rng.randint(0, 9999):04d}",
                rng.choice(["CA", "NY", "TX", "WA"]),
                plan,
                tenure,
                charges,
                calls,
                risk > 0.2,
            ]
        )
    return out


def transactions(rows: int = 300) -> list[list[object]]:
    """Card transactions with a header and the ``is_fraud`` label (about one in ten fraudulent)."""
    rng = random.Random(20240603)
    out: list[list[object]] = [
        ["transaction_id", "amount", "merchant_category", "hour", "country", "card_present", "is_fraud"]
    ]
    for n in range(rows):
        fraud = rng.random() < 0.1
        amount = round(rng.lognormvariate(5.5 if fraud else 3.5, 1.0), 2)
        hour = rng.choice(range(0, 6)) if fraud and rng.random() < 0.6 else rng.randint(0, 23)
        out.append(
            [
                f"T{n:06d}",
                amount,
                rng.choice(["grocery", "travel", "electronics", "fuel", "online"]),
                hour,
                rng.choice(["DE", "FR", "NL"] if not fraud or rng.random() < 0.5 else ["US", "BR", "NG"]),
                int(not fraud and rng.random() < 0.7),
                int(fraud),
            ]
        )
    return out


def credit(rows: int = 400) -> list[list[object]]:
    """Loan applicants with a header and the ``default`` label (about one in four defaults)."""
    rng = random.Random(20240604)
    out: list[list[object]] = [
        ["applicant_id", "age", "income", "debt_ratio", "credit_lines", "late_payments", "employment_years", "default"]
    ]
    for n in range(rows):
        age = rng.randint(19, 75)
        employment = max(0, min(age - 18, int(rng.expovariate(1 / 8))))
        income = round(rng.lognormvariate(10.4 + 0.01 * employment, 0.4), 2)
        debt = round(min(1.5, rng.betavariate(2, 5) * (1.4 if income < 30000 else 1.0)), 3)
        lines = rng.randint(0, 12)
        late = min(10, int(rng.expovariate(0.9)))
        risk = 2.2 * debt + 0.45 * late - 0.04 * employment - 0.000015 * income + rng.gauss(0, 0.6)
        out.append([f"A{n:05d}", age, income, debt, lines, late, employment, int(risk > 0.9)])
    return out


def write(name: str, rows: list[list[object]]) -> None:
    """Write one CSV with Unix line ends."""
    with (HERE / name).open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


if __name__ == "__main__":
    write("abalone-small.csv", abalone())
    write("churn-small.csv", churn())
    write("fraud-transactions-small.csv", transactions())
    write("credit-small.csv", credit())
