"""``python -m mlopsgen`` runs the CLI."""

from mlopsgen.cli import run

run()
