"""The naming contract: one module derives every name from <project>-<id>."""

from __future__ import annotations

from mlopsgen.plan.naming import derive_names


def test_names_follow_the_project_template_contract() -> None:
    names = derive_names("abalone", "p-abc123")
    assert names.pipeline == names.model_package_group == names.job_prefix == "abalone-p-abc123"
    assert names.build_job == "sagemaker-abalone-p-abc123-modelbuild"
    assert names.deploy_job == "sagemaker-abalone-p-abc123-modeldeploy"
