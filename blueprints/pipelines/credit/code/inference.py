"""Serving handler for the PyTorch inference container (model.tar.gz holds it under ``code/``).

Requests are preprocessed feature rows (scaled as ``scaling.json`` from preparation says): ``text/csv``,
one row per line, or ``application/json`` as ``{"instances": [[...], ...]}``. The answer is the
probability of default per row, as JSON ``{"predictions": [...]}`` or CSV, following ``Accept``.
"""

import io
import json
import pathlib

import torch
from model import CreditRiskNet


def model_fn(model_dir: str) -> CreditRiskNet:
    shape = json.loads((pathlib.Path(model_dir) / "model.json").read_text())
    net = CreditRiskNet(shape["features"], shape["hidden_units"])
    net.load_state_dict(torch.load(pathlib.Path(model_dir) / "model.pth", weights_only=True))
    net.eval()
    return net


def input_fn(body: bytes | str, content_type: str) -> torch.Tensor:
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    if content_type.startswith("text/csv"):
        rows = [[float(v) for v in line.split(",")] for line in io.StringIO(text).read().splitlines() if line.strip()]
    elif content_type.startswith("application/json"):
        rows = json.loads(text)["instances"]
    else:
        raise ValueError(f"unsupported content type {content_type!r}: send text/csv or application/json")
    return torch.tensor(rows, dtype=torch.float32)


def predict_fn(data: torch.Tensor, model: CreditRiskNet) -> list[float]:
    with torch.no_grad():
        return torch.sigmoid(model(data)).tolist()


def output_fn(prediction: list[float], accept: str) -> str:
    if accept.startswith("text/csv"):
        return "\n".join(f"{p:.6f}" for p in prediction)
    return json.dumps({"predictions": prediction})
