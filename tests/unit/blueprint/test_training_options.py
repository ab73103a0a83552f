"""Validation of the training and tuning options: SDK words, botocore bounds, and where each rule applies."""

from __future__ import annotations

import copy
from typing import Any

import mlopsgen

URI = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training:2.3"
BASE: dict[str, Any] = {
    "version": 1,
    "project": {"name": "opts", "id": "p-opts00001", "region": "eu-west-1", "account": "111111111111"},
    "pipeline": {"steps": [{"name": "Train", "type": "training", "image": {"uri": URI}}]},
}


def _codes(**fields: Any) -> list[tuple[str, str]]:
    blueprint = copy.deepcopy(BASE)
    blueprint["pipeline"]["steps"][0].update(fields)
    return [(d.code, d.message) for d in mlopsgen.validate(blueprint)]


def test_sdk_words_point_to_the_blueprint_spelling_only_where_it_applies() -> None:
    ((code, message),) = _codes(use_spot_instances=True)
    assert code == "MLG121" and "spot: {max_wait_seconds: N}" in message
    processing = copy.deepcopy(BASE)
    processing["pipeline"]["steps"][0] = {
        "name": "P",
        "type": "processing",
        "image": {"uri": URI},
        "code": "p.py",
        "use_spot_instances": True,
    }
    codes = [d.code for d in mlopsgen.validate(processing, code={"p.py": b""})]
    assert codes == ["MLG110"]  # a processing job has no spot option to point to


def test_bounds_are_botocores() -> None:
    assert _codes(keep_alive_seconds=21600) == []
    assert [c for c, _ in _codes(keep_alive_seconds=21601)] == ["MLG114"]
    assert [c for c, _ in _codes(max_retry_attempts=31)] == ["MLG114"]
    assert [c for c, _ in _codes(spot={"max_wait_seconds": 0})] == ["MLG114"]


def test_spot_wait_equal_to_the_run_is_enough() -> None:
    assert _codes(max_runtime_seconds=7200, spot={"max_wait_seconds": 7200}) == []
    assert [c for c, _ in _codes(max_runtime_seconds=7200, spot={"max_wait_seconds": 7199})] == ["MLG360"]


def test_channel_mode_comes_from_the_job_when_the_channel_has_none() -> None:
    gzip = {"train": {"source": "s3://acme/train", "compression": "Gzip"}}
    assert _codes(input_mode="Pipe", channels=gzip) == []
    assert [c for c, _ in _codes(channels=gzip)] == ["MLG362"]
    none = {"train": {"source": "s3://acme/train", "compression": "None", "record_wrapper": "None"}}
    assert _codes(channels=none) == []
