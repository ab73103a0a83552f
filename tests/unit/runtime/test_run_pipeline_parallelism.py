"""run_pipeline.py sends the pipeline's ParallelismConfiguration with CreatePipeline and UpdatePipeline.

The requests are checked by botocore's Stubber, which validates every parameter against the SageMaker
service model (a misspelt key or a wrong type fails), and compared with the request sagemaker 3.27.0's
``Pipeline._create_args`` builds for the same setting.
"""

from __future__ import annotations

from typing import Any

import botocore.session  # type: ignore[import-untyped]
import pytest
from botocore.stub import Stubber  # type: ignore[import-untyped]

from mlopsgen.runtime import run_pipeline

from .conftest import REGION, ROLE_ARN

NAME = "demo-p-abc123"
ARN = f"arn:aws:sagemaker:{REGION}:123456789012:pipeline/{NAME}"
DEFINITION = '{"Version": "2020-12-01", "Steps": []}'


def _client() -> Any:
    return botocore.session.get_session().create_client(
        "sagemaker", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )


def _request(**extra: Any) -> dict[str, Any]:
    return {"PipelineName": NAME, "PipelineDefinition": DEFINITION, "RoleArn": ROLE_ARN, **extra}


def test_create_sends_the_parallelism() -> None:
    client = _client()
    with Stubber(client) as stub:
        stub.add_client_error("describe_pipeline", "ResourceNotFound", expected_params={"PipelineName": NAME})
        expected = _request(ParallelismConfiguration={"MaxParallelExecutionSteps": 3})
        stub.add_response("create_pipeline", {"PipelineArn": ARN}, expected)
        run_pipeline.upsert_pipeline(
            client,
            name=NAME,
            definition=DEFINITION,
            role_arn=ROLE_ARN,
            description=None,
            tags=None,
            max_parallel_steps=3,
        )
        stub.assert_no_pending_responses()


def test_update_sends_the_parallelism() -> None:
    client = _client()
    with Stubber(client) as stub:
        stub.add_response(
            "describe_pipeline", {"PipelineArn": ARN, "PipelineName": NAME}, expected_params={"PipelineName": NAME}
        )
        expected = _request(ParallelismConfiguration={"MaxParallelExecutionSteps": 1})
        stub.add_response("update_pipeline", {"PipelineArn": ARN}, expected)
        run_pipeline.upsert_pipeline(
            client,
            name=NAME,
            definition=DEFINITION,
            role_arn=ROLE_ARN,
            description=None,
            tags=None,
            max_parallel_steps=1,
        )
        stub.assert_no_pending_responses()


def test_no_parallelism_leaves_the_key_out() -> None:
    client = _client()
    with Stubber(client) as stub:
        stub.add_client_error("describe_pipeline", "ResourceNotFound", expected_params={"PipelineName": NAME})
        stub.add_response("create_pipeline", {"PipelineArn": ARN}, _request())
        run_pipeline.upsert_pipeline(
            client, name=NAME, definition=DEFINITION, role_arn=ROLE_ARN, description=None, tags=None
        )
        stub.assert_no_pending_responses()


@pytest.mark.parametrize("text", ["0", "-1", "two"])
def test_parallelism_below_botocores_minimum_is_a_usage_error(text: str) -> None:
    # botocore sagemaker MaxParallelExecutionSteps: integer, min 1.
    with pytest.raises(SystemExit) as exc:
        run_pipeline.build_parser().parse_args(
            ["--definition", "d", "--manifest", "m", "--pipeline-name", NAME, "--role-arn", ROLE_ARN]
            + ["--max-parallel-steps", text]
        )
    assert exc.value.code == 2


def test_the_sdk_puts_the_parallelism_in_the_same_request() -> None:
    pytest.importorskip("sagemaker")
    from mlopsgen.targets import sagemaker_sdk

    sdk_pipeline = _sdk_pipeline(sagemaker_sdk)
    from sagemaker.mlops.workflow.parallelism_config import ParallelismConfiguration

    kwargs = sdk_pipeline._create_args(ROLE_ARN, None, ParallelismConfiguration(4))
    ours = run_pipeline_request(kwargs["PipelineDefinition"], 4)
    assert kwargs == ours


def run_pipeline_request(definition: str, steps: int) -> dict[str, Any]:
    """The CreatePipeline request run_pipeline.py sends (captured by the Stubber, so it is validated too)."""
    client = _client()
    captured: dict[str, Any] = {}
    with Stubber(client) as stub:
        stub.add_client_error("describe_pipeline", "ResourceNotFound")
        stub.add_response("create_pipeline", {"PipelineArn": ARN})
        client.meta.events.register("provide-client-params.sagemaker.CreatePipeline", _capture(captured))
        run_pipeline.upsert_pipeline(
            client,
            name=NAME,
            definition=definition,
            role_arn=ROLE_ARN,
            description=None,
            tags=None,
            max_parallel_steps=steps,
        )
    return captured


def _capture(into: dict[str, Any]) -> Any:
    def handler(params: dict[str, Any], **_: Any) -> None:
        into.update(params)

    return handler


def _sdk_pipeline(sagemaker_sdk: Any) -> Any:
    from mlopsgen.api import plan_blueprint

    text = (
        f"project: {{name: demo, id: p-abc123, region: {REGION}, account: '123456789012'}}\n"
        "pipeline:\n  parallelism: 4\n  steps:\n"
        "    - {name: Notify, type: lambda, function: my-function, outputs: {ok: Boolean}}\n"
    )
    plan, diagnostics = plan_blueprint(text, name="demo.yaml")
    assert not diagnostics and plan is not None
    assert plan.pipeline.max_parallel_steps == 4
    return sagemaker_sdk.build_pipeline(plan)
