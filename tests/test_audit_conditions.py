"""`mlopsgen audit` on resources with many ``Fn::If`` conditions: each rule is checked over the conditions of
the properties it reads, so a resource with more conditions than are enumerated is still checked, and a
violation in one form is still found however many other conditions surround it."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlopsgen.audit import READABLE, audit_template, guard
from mlopsgen.audit.conditions import MAX_CONDITIONS, conditions, forms, project
from mlopsgen.audit.guard import guard_rules, rule_reads

KEY = "arn:aws:kms:eu-west-1:111111111111:key/abc"
NO_VALUE = {"Ref": "AWS::NoValue"}


def _if(condition: str, then: Any, otherwise: Any = NO_VALUE) -> dict[str, Any]:
    return {"Fn::If": [condition, then, otherwise]}


def _variants(count: int) -> list[dict[str, Any]]:
    """A production variant whose serving settings depend on ``count`` conditions (none of them near a key)."""
    settings = {f"Setting{i}": _if(f"Serving{i}", {"Ref": f"Value{i}"}) for i in range(count)}
    return [{"VariantName": "a", "ModelName": "m", **settings}]


def _endpoint_config(properties: dict[str, Any]) -> dict[str, Any]:
    return {"Resources": {"EndpointConfig": {"Type": "AWS::SageMaker::EndpointConfig", "Properties": properties}}}


def _found(properties: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f.rule, f.message) for f in audit_template(_endpoint_config(properties), "t.yaml")]


def test_a_key_missing_in_one_form_is_found_among_nine_conditions() -> None:
    properties = {"ProductionVariants": _variants(8), "KmsKeyId": _if("HasKey", KEY)}
    assert len(conditions(properties)) == 9 > MAX_CONDITIONS
    assert _found(properties) == [
        (
            "sagemaker_endpoint_volume_kms",
            "endpoint config EndpointConfig has no KmsKeyId for its storage volumes (when HasKey is false)",
        )
    ]


def test_a_condition_shared_with_the_variants_still_pairs_its_branches() -> None:
    # Serving0 is used by the variants and around the key: the key is missing only when both Serving0 and
    # Serving1 are false, and the message names the two conditions the rule depends on, not the other seven.
    properties = {"ProductionVariants": _variants(9), "KmsKeyId": _if("Serving0", KEY, _if("Serving1", KEY))}
    assert _found(properties) == [
        (
            "sagemaker_endpoint_volume_kms",
            "endpoint config EndpointConfig has no KmsKeyId for its storage volumes"
            " (when Serving0 is false and Serving1 is false)",
        )
    ]
    properties["KmsKeyId"] = _if("Serving0", _if("Serving1", KEY))  # missing in three of four forms: one example
    assert _found(properties)[0][1].endswith("(when Serving0 is true and Serving1 is false)")
    properties["KmsKeyId"] = _if("Serving0", KEY, _if("Serving0", "never", KEY))  # always a key
    assert _found(properties) == []


def test_a_condition_around_the_whole_properties_is_read_by_every_rule() -> None:
    with_key = {"ProductionVariants": _variants(8), "KmsKeyId": KEY}
    without = {"ProductionVariants": _variants(8), "DataCaptureConfig": {"EnableCapture": True}}
    resource = _endpoint_config({})["Resources"]["EndpointConfig"]
    resource["Properties"] = _if("Secure", with_key, without)
    found = [(f.rule, f.message) for f in audit_template({"Resources": {"EndpointConfig": resource}}, "t.yaml")]
    assert found == [
        (
            "sagemaker_data_capture_kms",
            "endpoint config EndpointConfig captures payloads without a DataCaptureConfig KmsKeyId"
            " (when Secure is false)",
        ),
        (
            "sagemaker_endpoint_volume_kms",
            "endpoint config EndpointConfig has no KmsKeyId for its storage volumes (when Secure is false)",
        ),
    ]


def test_beyond_the_limit_in_what_one_rule_reads_is_a_finding_and_other_rules_are_still_checked() -> None:
    key: Any = KEY
    for i in range(MAX_CONDITIONS + 1):  # the key itself depends on seven conditions
        key = _if(f"Key{i}", key, KEY)
    properties = {"ProductionVariants": _variants(3), "KmsKeyId": key, "DataCaptureConfig": {"EnableCapture": True}}
    assert _found(properties) == [
        (
            "sagemaker_data_capture_kms",
            "endpoint config EndpointConfig captures payloads without a DataCaptureConfig KmsKeyId",
        ),
        (READABLE, "resource EndpointConfig uses 7 conditions in Fn::If; at most 6 are evaluated: treated as failing"),
    ]


def test_every_rule_of_the_pack_has_the_properties_it_reads() -> None:
    reads = rule_reads()
    assert set(reads) == set(guard_rules())
    assert reads["sagemaker_endpoint_volume_kms"] == frozenset({"KmsKeyId"})
    assert reads["codepipeline_artifacts_kms"] == frozenset({"ArtifactStore", "ArtifactStores"})
    assert reads["kms_key_rotation_enabled"] == frozenset({"KeySpec", "EnableKeyRotation"})  # its filter reads KeySpec
    assert all(names for names in reads.values())


_KEYS = ("A", "B", "C")
_leaves = st.sampled_from(["x", "y", NO_VALUE, ["x"], {"Ref": "P"}])


def _values(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.dictionaries(st.sampled_from(_KEYS), children, max_size=3) | st.builds(
        _if, st.sampled_from(["X", "Y", "Z"]), children, children
    )


_trees = st.recursive(_leaves, _values, max_leaves=12)
_paths = st.lists(st.lists(st.sampled_from(_KEYS), min_size=1, max_size=3).map(tuple), max_size=3)


@settings(max_examples=300, deadline=None)
@given(value=_trees, reads=_paths)
def test_the_projection_of_a_form_is_the_form_of_the_projection(value: Any, reads: list[tuple[str, ...]]) -> None:
    """What makes the projection exact: under every assignment, resolving then cutting down to the read
    paths gives what cutting down then resolving gives, so no condition outside the reads can matter."""
    projected = {tuple(sorted(a.items())): form for a, form in forms(value, reads=reads)}
    assert conditions(project(value, reads)) <= conditions(value)
    for assignment, form in forms(value):
        kept = tuple(sorted((name, v) for name, v in assignment.items() if name in conditions(project(value, reads))))
        assert project(form, reads) == projected[kept]


def test_a_rule_read_any_other_way_reads_the_whole_resource(monkeypatch: pytest.MonkeyPatch) -> None:
    lets = 'let configs = Resources.*[ Type == "AWS::SageMaker::EndpointConfig" ]'
    rules = {
        "named": "rule named when %configs !empty {\n    %configs.Properties.KmsKeyId exists\n}",
        "block": "rule block when %configs !empty {\n    %configs.Properties {\n        KmsKeyId exists\n    }\n}",
        "cut": "rule cut when %configs !empty {\n    %configs.Properties.KmsKeyId exists",  # a blank line inside
    }
    monkeypatch.setattr(guard, "_rule_policies", lambda: tuple((r, f"{lets}\n\n{t}\n") for r, t in rules.items()))
    assert guard.rule_reads.__wrapped__() == {"named": {"KmsKeyId"}, "block": None, "cut": None}
