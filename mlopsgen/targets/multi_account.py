"""Plan → the templates and policies of deploying into other accounts through stack sets.

Stages with ``accounts`` or ``organizational_units`` deploy their endpoint with a self-managed
CloudFormation stack set. That needs, once per project (README, "Multi-account deployment"):

* ``infrastructure/stackset-administration.yml`` in the project account: the administration role
  CloudFormation assumes, allowed only to assume this project's execution role in other accounts;
* ``infrastructure/target-account.yml`` in every target account: the execution role the stack set
  deploys with, the role the endpoint's model runs as (reading the model from the project account's
  bucket and key), the role the smoke test assumes, and the SSM parameters naming the account's
  subnets, security groups and volume key (the stack set template reads them there);
* ``infrastructure/output-key-policy.json``: the key policy of the output KMS key, granting the
  target model roles decryption through S3 only, and denying use outside the designated VPC
  endpoints. CloudFormation cannot change an existing key's policy, so it is applied with
  ``aws kms put-key-policy``.

The artifact bucket's policy statements (grant to the target model roles, VPC endpoint deny) are
built here too and placed in the project stack (CodePipeline) or in the administration stack.
Principals of OU targets are matched with ``aws:PrincipalOrgPaths``, because the OU's accounts are
known only at deploy time.
"""

from __future__ import annotations

from typing import Any

from mlopsgen.plan import model as ir
from mlopsgen.targets.base import OutputFile, dump_json, dump_yaml, generated_header
from mlopsgen.targets.iam import allow as _allow
from mlopsgen.targets.iam import (
    deploy_endpoint_stack,
    project_resource,
    pull_images,
    sub_literal,
    vpc_network_interfaces,
)
from mlopsgen.targets.iam import sub as _sub
from mlopsgen.targets.iam_stages import deploy_stage_monitoring, template_grants

NAME = "multi_account"
FILES = {
    "infrastructure/stackset-administration.yml": "stack set administration role (project account, once)",
    "infrastructure/target-account.yml": "stack set execution, model and test roles (each target account, once)",
    "infrastructure/output-key-policy.json": "key policy for the output KMS key (applied once)",
}
ADMINISTRATION = "infrastructure/stackset-administration.yml"
TARGET_ACCOUNT = "infrastructure/target-account.yml"
KEY_POLICY = "infrastructure/output-key-policy.json"
MODEL_READ_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion"]
VPC_DENY_S3_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]
KMS_USE_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]


def emit(plan: ir.Plan) -> list[OutputFile]:
    """Emit the one-time templates of multi-account deployment (nothing unless a stage targets accounts).

    Args:
        plan: The resolved blueprint.

    Returns:
        The administration and target-account templates, and the key policy when the output key is an ARN.
    """
    if plan.deploy is None or plan.deploy.multi_account is None:
        return []
    multi = plan.deploy.multi_account
    files = [
        OutputFile(
            ADMINISTRATION,
            dump_yaml(
                administration_template(plan, multi),
                generated_header(plan, "Stack set administration: deploy once in the project account (see README)."),
            ),
        ),
        OutputFile(
            TARGET_ACCOUNT,
            dump_yaml(
                target_account_template(plan, multi),
                generated_header(plan, "Target account setup: deploy once in every target account (see README)."),
            ),
        ),
    ]
    if plan.security.output_kms_key.startswith("arn:"):
        files.append(OutputFile(KEY_POLICY, dump_json(output_key_policy(plan, multi))))
    return files


# --- principals ----------------------------------------------------------------------------------


def _role_arn(account: str, role: str) -> str:
    return f"arn:aws:iam::{account}:role/{role}"


def _principal_statements(
    sid: str, effect_actions: list[str], resources: list[Any], multi: ir.MultiAccount, role: str
) -> list[dict[str, Any]]:
    """Allow ``role`` in every target account: listed accounts by ARN, OU accounts by org path."""
    statements: list[dict[str, Any]] = []
    if not resources:  # an empty Resource list is invalid IAM; validation keeps every model locatable
        return statements
    if multi.accounts:
        statements.append(
            {
                "Sid": f"{sid}Accounts",
                "Effect": "Allow",
                "Principal": {"AWS": [_role_arn(a, role) for a in multi.accounts]},
                "Action": sorted(effect_actions),
                "Resource": resources,
            }
        )
    if multi.organizational_units:
        statements.append(
            {
                "Sid": f"{sid}OrganizationalUnits",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": sorted(effect_actions),
                "Resource": resources,
                "Condition": {
                    "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::*:role/{role}"},
                    "ForAnyValue:StringLike": {
                        "aws:PrincipalOrgPaths": [f"o-*/r-*/*{ou}/*" for ou in multi.organizational_units]
                    },
                },
            }
        )
    return statements


# --- the artifact bucket -------------------------------------------------------------------------


def model_object_arns(plan: ir.Plan, bucket_arn: str) -> list[str]:
    """ARNs of the model artifacts the stages deploy (the objects shared with target accounts)."""
    assert plan.deploy is not None and plan.deploy.multi_account is not None
    return [f"{bucket_arn}/{prefix}*" for prefix in plan.deploy.multi_account.model_artifact_prefixes]


def _capture_object_arns(plan: ir.Plan, bucket_arn: str) -> list[str]:
    """Data capture prefixes, in the artifact bucket, of the stages deployed into target accounts."""
    assert plan.deploy is not None
    prefix = f"s3://{plan.project.artifact_bucket}/"
    return [
        f"{bucket_arn}/{stage.data_capture.destination.removeprefix(prefix).rstrip('/')}/*"
        for stage in plan.deploy.stages
        if stage.targets is not None
        and stage.data_capture.enabled
        and stage.data_capture.destination.startswith(prefix)
    ]


def bucket_statements(plan: ir.Plan, bucket_arn: str) -> list[dict[str, Any]]:
    """Artifact bucket policy statements for target accounts (empty without them).

    The target model roles may read the deployed models and write their stage's data capture; the
    model objects may be read or written only through the designated VPC endpoints (calls AWS
    services make on a caller's behalf are exempt, as they carry no VPC endpoint).
    """
    if plan.deploy is None or plan.deploy.multi_account is None:
        return []
    multi = plan.deploy.multi_account
    models = model_object_arns(plan, bucket_arn)
    statements = _principal_statements("TargetModelRead", MODEL_READ_ACTIONS, models, multi, multi.model_role)
    captures = _capture_object_arns(plan, bucket_arn)
    if captures:
        statements += _principal_statements("TargetDataCapture", ["s3:PutObject"], captures, multi, multi.model_role)
    if any(s.monitoring for s in plan.deploy.stages if s.targets):
        from mlopsgen.targets import multi_account_monitoring as monitoring

        reads, writes = monitoring.object_access(plan, bucket_arn)
        statements += _principal_statements("TargetMonitoringRead", ["s3:GetObject"], reads, multi, multi.model_role)
        statements += _principal_statements("TargetMonitoringWrite", ["s3:PutObject"], writes, multi, multi.model_role)
        listed = monitoring.list_prefixes(reads, bucket_arn)
        if listed:  # Model Monitor lists the capture (and ground truth) prefixes it reads
            for statement in _principal_statements(
                "TargetMonitoringList", ["s3:ListBucket"], [bucket_arn], multi, multi.model_role
            ):
                statements.append({**statement, "Condition": {**statement.get("Condition", {}), **listed}})
    if multi.vpc_endpoints and models:
        statements.append(
            {
                "Sid": "DenyModelAccessOutsideVpcEndpoints",
                "Effect": "Deny",
                "Principal": "*",
                "Action": VPC_DENY_S3_ACTIONS,
                "Resource": models,
                "Condition": {
                    "StringNotEquals": {"aws:SourceVpce": list(multi.vpc_endpoints)},
                    "BoolIfExists": {"aws:ViaAWSService": "false"},
                },
            }
        )
    return statements


# --- the output key ------------------------------------------------------------------------------


def output_key_policy(plan: ir.Plan, multi: ir.MultiAccount) -> dict[str, Any]:
    """The output key's policy: account administration, target model roles via S3, VPC endpoint deny."""
    account = plan.project.account
    via_s3 = {"StringEquals": {"kms:ViaService": f"s3.{plan.project.region}.amazonaws.com"}}
    statements: list[dict[str, Any]] = [
        {
            # Without it the key could become unmanageable; IAM policies in the account then decide.
            "Sid": "AccountAdministersKey",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    for statement in _principal_statements(
        "TargetModelRoles", ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*"], ["*"], multi, multi.model_role
    ):
        condition = statement.setdefault("Condition", {})
        condition.update(via_s3)
        statements.append(statement)
    if multi.vpc_endpoints:
        statements.append(
            {
                "Sid": "DenyUseOutsideVpcEndpoints",
                "Effect": "Deny",
                "Principal": "*",
                "Action": KMS_USE_ACTIONS,
                "Resource": "*",
                "Condition": {
                    "StringNotEquals": {"aws:SourceVpce": list(multi.vpc_endpoints)},
                    "BoolIfExists": {"aws:ViaAWSService": "false"},
                },
            }
        )
    return {"Version": "2012-10-17", "Id": f"{plan.names.project_name_id}-output-key", "Statement": statements}


# --- templates -----------------------------------------------------------------------------------


def _role(name: str, description: str, trust: list[dict[str, Any]], statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": name,
            "Description": description,
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": trust},
            "Policies": [
                {"PolicyName": "least-privilege", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}
            ],
        },
    }


def administration_template(plan: ir.Plan, multi: ir.MultiAccount) -> dict[str, Any]:
    """Project account: the stack set administration role (and the bucket policy without CodePipeline)."""
    targets = [_role_arn(a, multi.execution_role) for a in multi.accounts]
    if multi.organizational_units:
        # OU members are resolved at deploy time: any account, but only this project's execution role.
        targets = [f"arn:aws:iam::*:role/{multi.execution_role}"]
    resources: dict[str, Any] = {
        "StackSetAdministrationRole": _role(
            multi.administration_role,
            "CloudFormation assumes it to run this project's endpoint stack sets.",
            [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudformation.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": plan.project.account}},
                }
            ],
            [_allow("AssumeExecutionRoles", ["sts:AssumeRole"], targets)],
        )
    }
    if plan.ci is None or "codepipeline" not in plan.ci.backends:
        bucket_arn = f"arn:aws:s3:::{plan.project.artifact_bucket}"
        resources["ArtifactBucketPolicy"] = {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": plan.project.artifact_bucket,
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "DenyInsecureTransport",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [bucket_arn, f"{bucket_arn}/*"],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        },
                        *bucket_statements(plan, bucket_arn),
                    ],
                },
            },
        }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Stack set administration of project {plan.names.project_name_id} (mlopsgen).",
        "Resources": resources,
        "Outputs": {"AdministrationRoleArn": {"Value": {"Fn::GetAtt": ["StackSetAdministrationRole", "Arn"]}}},
    }


def _local(service: str, resource: str) -> dict[str, str]:
    resource = sub_literal(resource)
    return _sub(f"arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}")


def _any_region_list(kind: str, parameter: str) -> dict[str, Any]:
    """The ARNs of the EC2 ids in list parameter ``parameter``; ids are unique, so any region and account.

    ``Fn::Join``'s delimiter takes no intrinsic functions, hence the literal partition.
    """
    prefix = f"arn:aws:ec2:*:*:{kind}/"
    return {"Fn::Split": [",", {"Fn::Join": ["", [prefix, {"Fn::Join": [f",{prefix}", {"Ref": parameter}]}]]}]}


def model_images(plan: ir.Plan) -> list[str]:
    """The images of the models the pipeline registers or creates: what the endpoints pull."""
    found: list[str] = []
    pending: list[ir.Step] = list(plan.pipeline.steps)
    while pending:
        step = pending.pop()
        if isinstance(step, ir.RegisterModelStep | ir.CreateModelStep):
            found.append(step.model.image_uri)
        elif isinstance(step, ir.ConditionStep):
            pending += [*step.if_steps, *step.else_steps]
    return found


def target_account_template(plan: ir.Plan, multi: ir.MultiAccount) -> dict[str, Any]:
    """Each target account: execution, model and test roles, and the SSM parameters the endpoint reads."""
    assert plan.deploy is not None
    project = plan.project
    names = plan.names
    bucket_arn = f"arn:aws:s3:::{project.artifact_bucket}"
    endpoints = [
        _local("sagemaker", f"endpoint/{stage.endpoint_name}") for stage in plan.deploy.stages if stage.targets
    ]
    targeted = [stage for stage in plan.deploy.stages if stage.targets]
    hub = plan.registry.hub if plan.registry is not None and plan.registry.deploy_from_hub else None
    model_package = (
        hub.package_arns
        if hub is not None  # deploy_from_hub: the stacks create their models from the hub's packages
        else f"arn:aws:sagemaker:{project.region}:{project.account}:model-package/{names.model_package_group}/*"
    )
    model_role_arn = _sub(f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{multi.model_role}")
    parameters: dict[str, Any] = {
        "ProjectAccountId": {
            "Type": "String",
            "Default": project.account,
            "AllowedPattern": "^[0-9]{12}$",
            "Description": "The project (development) account that deploys into this one.",
        }
    }
    resources: dict[str, Any] = {}
    if plan.security.subnets:
        parameters["SubnetIds"] = {
            "Type": "List<AWS::EC2::Subnet::Id>",
            "Description": "Private subnets of this account's endpoints.",
        }
        parameters["SecurityGroupIds"] = {
            "Type": "List<AWS::EC2::SecurityGroup::Id>",
            "Description": "Security groups of this account's endpoints.",
        }
        for logical, key, ref in (
            ("SubnetIdsParameter", "subnet-ids", "SubnetIds"),
            ("SecurityGroupIdsParameter", "security-group-ids", "SecurityGroupIds"),
        ):
            resources[logical] = {
                "Type": "AWS::SSM::Parameter",
                "Properties": {
                    "Name": f"{multi.parameter_prefix}/{key}",
                    "Type": "StringList",
                    "Value": {"Fn::Join": [",", {"Ref": ref}]},
                    "Description": f"{ref} of project {names.project_name_id}'s endpoints (read by its stack set).",
                },
            }
    key_arns: list[Any] = []
    if plan.security.volume_kms_key:
        parameters["VolumeKmsKeyArn"] = {
            "Type": "String",
            "AllowedPattern": "^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$",
            "Description": "KMS key (ARN) of this account's endpoint volumes.",
        }
        resources["VolumeKmsKeyArnParameter"] = {
            "Type": "AWS::SSM::Parameter",
            "Properties": {
                "Name": f"{multi.parameter_prefix}/volume-kms-key-arn",
                "Type": "String",
                "Value": {"Ref": "VolumeKmsKeyArn"},
                "Description": f"Endpoint volume key of project {names.project_name_id} (read by its stack set).",
            },
        }
        key_arns.append({"Ref": "VolumeKmsKeyArn"})
    parameter_arns = [_local("ssm", f"parameter{multi.parameter_prefix}/*")]
    project_key = plan.security.output_kms_key if plan.security.output_kms_key.startswith("arn:") else ""
    monitoring_images: list[str] = []
    monitoring_statements: list[dict[str, Any]] = []
    if any(s.monitoring for s in plan.deploy.stages if s.targets):
        # Monitoring jobs run as the model role (imported here: only projects that monitor pay for it).
        from mlopsgen.targets import multi_account_monitoring as monitoring

        monitoring_images = monitoring.images(plan)
        monitoring_statements = monitoring.role_statements(plan, bucket_arn, _local)
    model_statements = [
        *monitoring_statements,
        _allow(
            "ReadModelArtifacts",
            MODEL_READ_ACTIONS,
            [hub.artifact_arns] if hub is not None else model_object_arns(plan, bucket_arn),
        ),
        *(
            [_allow("WriteDataCapture", ["s3:PutObject"], _capture_object_arns(plan, bucket_arn))]
            if _capture_object_arns(plan, bucket_arn)
            else []
        ),
        # Image pulls: the repositories of the images the pipeline registers (built-in or the user's).
        *pull_images(model_images(plan) + monitoring_images),
        _allow(
            "EndpointLogs",
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            [
                _local("logs", f"log-group:/aws/sagemaker/Endpoints/{stage.endpoint_name}:*")
                for stage in plan.deploy.stages
                if stage.targets
            ],
        ),
        _allow(
            "EndpointMetrics",
            ["cloudwatch:PutMetricData"],
            ["*"],
            {"StringEquals": {"cloudwatch:namespace": "/aws/sagemaker/Endpoints"}},
        ),
    ]
    if project_key:
        model_statements.append(
            _allow(
                "UseProjectOutputKey",
                ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*"],
                [project_key],
                {"StringEquals": {"kms:ViaService": f"s3.{project.region}.amazonaws.com"}},
            )
        )
    if hub is not None:
        model_statements.append(
            _allow(
                "UseHubKey",
                ["kms:Decrypt"],
                [hub.key_arns],
                {
                    "StringEquals": {"kms:ViaService": f"s3.{hub.region}.amazonaws.com"},
                    "ForAnyValue:StringEquals": {"kms:ResourceAliases": [hub.kms_alias]},
                },
            )
        )
    if plan.security.subnets:
        # ENIs only in this account's project subnets (its SubnetIds / SecurityGroupIds parameters).
        model_statements += vpc_network_interfaces(
            _any_region_list("subnet", "SubnetIds"), _any_region_list("security-group", "SecurityGroupIds")
        )
    execution_statements = [
        _allow(
            "EndpointStacks",
            [
                "cloudformation:CreateStack",
                "cloudformation:DeleteStack",
                "cloudformation:DescribeStackEvents",
                "cloudformation:DescribeStacks",
                "cloudformation:GetTemplate",
                "cloudformation:GetTemplateSummary",
                "cloudformation:UpdateStack",
            ],
            [_local("cloudformation", f"stack/StackSet-sagemaker-{names.project_name_id}-deploy-*/*")],
        ),
        *deploy_endpoint_stack(
            endpoints,
            [_local("sagemaker", "endpoint-config/*"), _local("sagemaker", "model/*")],
            model_package,
            model_role_arn,
            project.id,
            key_arns,
            rollback_alarms=template_grants(plan.deploy.stages, targeted).rollback_alarms,
        ),
        # A stack set names its stack instances StackSet-<stack set>-<id>, and their alarms after them.
        *deploy_stage_monitoring(_local, plan.deploy.stages, targeted, project, stack_prefix="StackSet-"),
    ]
    if resources:  # the stack set template reads SSM parameters only for a VPC or a volume key
        execution_statements.append(_allow("ReadEndpointParameters", ["ssm:GetParameters"], parameter_arns))
    resources["StackSetExecutionRole"] = _role(
        multi.execution_role,
        f"The project account's stack set administration role deploys {names.project_name_id}'s endpoints with it.",
        [
            {
                "Effect": "Allow",
                "Principal": {
                    "AWS": _sub(f"arn:${{AWS::Partition}}:iam::${{ProjectAccountId}}:role/{multi.administration_role}")
                },
                "Action": "sts:AssumeRole",
            }
        ],
        execution_statements,
    )
    resources["ModelExecutionRole"] = _role(
        multi.model_role,
        f"SageMaker runs {names.project_name_id}'s endpoint models as this role.",
        [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}],
        model_statements,
    )
    resources["EndpointTestRole"] = _role(
        multi.test_role,
        f"The project account's CI smoke-tests {names.project_name_id}'s endpoints with it.",
        [
            {
                "Effect": "Allow",
                "Principal": {"AWS": _sub("arn:${AWS::Partition}:iam::${ProjectAccountId}:root")},
                "Action": "sts:AssumeRole",
                # Only the project's test principals (its CodeBuild test role or its Jenkins credential) may.
                "Condition": {"ArnLike": {"aws:PrincipalArn": {"Ref": "TestPrincipalArns"}}},
            }
        ],
        [
            _allow("TestEndpoints", ["sagemaker:DescribeEndpoint", "sagemaker:InvokeEndpoint"], endpoints),
            _allow(
                "ReadEndpointConfigs",
                ["sagemaker:DescribeEndpointConfig"],
                [_local("sagemaker", "endpoint-config/*")],
                project_resource(project.id),
            ),
        ],
    )
    parameters["TestPrincipalArns"] = {
        "Type": "CommaDelimitedList",
        "Description": "Principals in the project account allowed to smoke-test the endpoints "
        "(its CodeBuild test role, and the Jenkins credential's role).",
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Target account setup for project {names.project_name_id}: deploy once per target account "
        "(mlopsgen).",
        "Parameters": parameters,
        "Resources": resources,
        "Outputs": {
            "ExecutionRoleArn": {"Value": {"Fn::GetAtt": ["StackSetExecutionRole", "Arn"]}},
            "ModelExecutionRoleArn": {"Value": {"Fn::GetAtt": ["ModelExecutionRole", "Arn"]}},
            "EndpointTestRoleArn": {"Value": {"Fn::GetAtt": ["EndpointTestRole", "Arn"]}},
        },
    }
