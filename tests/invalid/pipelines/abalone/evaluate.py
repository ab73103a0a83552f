"""Test fixture for the invalid-blueprint corpus: stands in for a real evaluation script."""

print("evaluate")
