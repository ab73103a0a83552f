"""Generative test (issue 11): no value outside AWS's own shapes reaches a CloudFormation template.

Each example puts one generated value (near-misses of AWS's shapes: wrong prefixes, lengths, case,
Unicode letters and digits, punctuation, ``aws:`` keys) into one id, key or tag field of the secure
example blueprint. Either validation refuses it with a located diagnostic, or every CloudFormation
template rendered from it passes cfn-lint with no error (E3031 patterns, E3033 lengths, E1150/E1154
subnet and security group ids, E1157/E1162 KMS keys included). Seeded; ``MLOPSGEN_FUZZ_EXAMPLES``
scales the budget as in test_hostile_fuzz.py.
"""

from __future__ import annotations

import os

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlopsgen
from tests.conftest import ROOT
from tests.support.cfn import lint

EXAMPLES = max(40, int(os.environ.get("MLOPSGEN_FUZZ_EXAMPLES", "300")) // 5)
FOLDER = ROOT / "blueprints"
CODE = {str(f.relative_to(FOLDER)): f.read_bytes() for f in FOLDER.rglob("*") if f.is_file()}
BASE = yaml.safe_load((FOLDER / "fraud_secure.yaml").read_text(encoding="utf-8"))
KEY = "1f2e3d4c-5b6a-4789-8a9b-0c1d2e3f4a5b"

_PIECES = st.sampled_from(
    ["0", "9", "a", "f", "g", "A", "F", "-", "_", ".", ":", "/", " ", "=", "+", "@", "*", "!", "é", "١", "ß", "\u3000"]
)
_PREFIXES = st.sampled_from(
    [
        "",
        "subnet-",
        "sg-",
        "vpce-",
        "alias/",
        "aws:",
        "AWS:",
        f"arn:aws:kms:eu-central-1:333333333333:key/{KEY[:30]}",
        "arn:aws:kms:eu-central-1:333333333333:alias/",
        "arn:aws:s3:::",
        "mrk-",
    ]
)
VALUES = st.one_of(
    st.builds(lambda p, s: p + "".join(s), _PREFIXES, st.lists(_PIECES, max_size=20)),
    st.builds(lambda p, n, c: p + c * n, _PREFIXES, st.sampled_from([7, 8, 9, 16, 17, 18, 129, 257]), _PIECES),
)
FIELDS = ["tag_key", "tag_value", "subnet", "security_group", "kms_volume", "kms_output", "vpc_endpoint"]


def _place(field: str, value: str) -> str:
    data = yaml.safe_load(yaml.safe_dump(BASE))
    security = data["security"]
    if field == "tag_key":
        data["project"]["tags"] = {value: "x"}
    elif field == "tag_value":
        data["project"]["tags"] = {"team": value}
    elif field == "subnet":
        security["vpc"]["subnets"] = [value]
    elif field == "security_group":
        security["vpc"]["security_groups"] = [value]
    elif field == "kms_volume":
        security["kms"]["volume"] = value
    elif field == "kms_output":
        security["kms"]["output"] = value
    else:
        security["vpc_endpoints"] = [value, *security["vpc_endpoints"][1:]]
    return str(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def test_values_outside_aws_shapes_never_reach_a_template() -> None:
    outcomes = {"valid": 0, "refused": 0}
    findings: list[str] = []
    linted: dict[str, list[str]] = {}

    @settings(
        max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
    )
    @given(st.sampled_from(FIELDS), VALUES)
    def run(field: str, value: str) -> None:
        result = mlopsgen.render(_place(field, value), name="shapes.yaml", code=CODE)
        if not result.ok:
            outcomes["refused"] += 1
            assert all(d.pos is not None for d in result.diagnostics), [d.format() for d in result.diagnostics]
            return
        outcomes["valid"] += 1
        for path, content in result.files.items():
            if not isinstance(content, str) or value not in content or not path.endswith((".yml", ".yaml")):
                continue
            if not (path.startswith("infrastructure/") or path.endswith("endpoint-config-template.yml")):
                continue
            if content not in linted:
                linted[content] = [f for f in lint(content, "eu-central-1") if f.startswith("E")]
            findings.extend(f"{field}={value!r} {path}: {f}" for f in linted[content])

    run()
    assert outcomes["valid"] and outcomes["refused"], outcomes
    assert not findings, "\n".join(findings[:20])
