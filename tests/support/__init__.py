"""Test-only helpers: models and oracles that check generated files against their published formats."""
