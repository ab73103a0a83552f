"""The credit-risk network and the CSV reader shared by training, evaluation and serving.

Kept in one file of the source directory so the three cannot drift apart: training packs it into the
model archive's ``code/`` folder, where the PyTorch serving container imports it beside ``inference.py``.
"""

import csv
import pathlib

import torch
from torch import nn

LABEL = "default"


class CreditRiskNet(nn.Module):
    """A small multilayer perceptron giving the log-odds of default."""

    def __init__(self, features: int, hidden: int) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(features, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x).squeeze(-1)


def read_split(folder: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Every CSV in a channel folder (header, label first) as (features, labels) tensors."""
    rows: list[list[float]] = []
    for path in sorted(pathlib.Path(folder).glob("*.csv")):
        with path.open(newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            if header[0] != LABEL:
                raise ValueError(f"{path}: the first column must be {LABEL!r}, found {header[0]!r}")
            rows.extend([float(v) for v in row] for row in reader if row)
    if not rows:
        raise ValueError(f"no CSV rows under {folder}")
    data = torch.tensor(rows, dtype=torch.float32)
    return data[:, 1:], data[:, 0]


def auc(scores: torch.Tensor, labels: torch.Tensor) -> float:
    """Area under the ROC curve (the Mann-Whitney statistic; ties count one half)."""
    positive, negative = scores[labels == 1], scores[labels == 0]
    if len(positive) == 0 or len(negative) == 0:
        return float("nan")
    greater = (positive[:, None] > negative[None, :]).float().sum()
    ties = (positive[:, None] == negative[None, :]).float().sum()
    return float((greater + 0.5 * ties) / (len(positive) * len(negative)))
