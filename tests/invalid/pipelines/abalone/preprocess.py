"""Test fixture for the invalid-blueprint corpus: stands in for a real preprocessing script."""

print("preprocess")
