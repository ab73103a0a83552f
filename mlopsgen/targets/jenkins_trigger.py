"""Plan → the model-approval trigger of the Jenkins variant (infrastructure/jenkins-trigger.yml).

An EventBridge rule for this model package group and the Approved/Rejected statuses starts a
Lambda (``mlopsgen/runtime/jenkins_trigger.py``, inlined) that reads the Jenkins user, API token and
job token from Secrets Manager and calls the deploy job's ``buildWithParameters``. The secret is
created from NoEcho parameters, so no token is ever in a generated file.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from mlopsgen.plan import model as ir
from mlopsgen.plan.naming import jenkins_trigger_name
from mlopsgen.targets.base import OutputFile, dump_yaml, generated_header

NAME = "jenkins_trigger"
FILES = {"infrastructure/jenkins-trigger.yml": "rule, Lambda, secret and role that trigger the deploy job"}
TEMPLATE = "infrastructure/jenkins-trigger.yml"


def emit(plan: ir.Plan) -> list[OutputFile]:
    """Emit the trigger stack (only when Jenkins owns the triggers and the blueprint deploys).

    Args:
        plan: The resolved blueprint.

    Returns:
        The trigger template.
    """
    if plan.ci is None or plan.ci.jenkins is None or plan.ci.triggers != "jenkins" or plan.deploy is None:
        return []
    header = generated_header(plan, "Model-approval trigger for the Jenkins deploy job: deploy once per project.")
    return [OutputFile(TEMPLATE, dump_yaml(template(plan), header))]


def lambda_source() -> str:
    """The handler's source, exactly as tested in ``mlopsgen/runtime``."""
    return resources.files("mlopsgen.runtime").joinpath("jenkins_trigger.py").read_text(encoding="utf-8")


def _sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def template(plan: ir.Plan) -> dict[str, Any]:
    """The trigger stack."""
    assert plan.ci is not None and plan.ci.jenkins is not None
    names = plan.names
    secret_value = '{"user":"${JenkinsUser}","api_token":"${JenkinsApiToken}","job_token":"${JenkinsJobToken}"}'
    secret: dict[str, Any] = {
        "Description": f"Jenkins credentials that trigger {names.deploy_job} (mlopsgen)",
        "SecretString": _sub(secret_value),
        "Tags": [{"Key": "sagemaker:project-name", "Value": plan.project.name}],
    }
    if plan.security.output_kms_key:
        secret["KmsKeyId"] = plan.security.output_kms_key
    no_echo = {"Type": "String", "NoEcho": True, "MinLength": 1, "AllowedPattern": '^[^"\\\\]+$'}
    function_name = jenkins_trigger_name(names)
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Start the Jenkins job {names.deploy_job} when a model version is approved or rejected.",
        "Parameters": {
            "JenkinsUser": {**no_echo, "Description": "Jenkins user that triggers the job."},
            "JenkinsApiToken": {**no_echo, "Description": "API token of that user."},
            "JenkinsJobToken": {
                **no_echo,
                "Description": "The DEPLOY_TRIGGER_TOKEN the deploy job's seed was run with.",
            },
        },
        "Resources": {
            "JenkinsSecret": {"Type": "AWS::SecretsManager::Secret", "Properties": secret},
            "TriggerRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "Description": "Runs the Jenkins trigger Lambda: reads its secret and writes its logs.",
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "lambda.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    },
                    "Policies": [
                        {
                            "PolicyName": "least-privilege",
                            "PolicyDocument": {
                                "Version": "2012-10-17",
                                "Statement": [
                                    {
                                        "Sid": "ReadSecret",
                                        "Effect": "Allow",
                                        "Action": ["secretsmanager:GetSecretValue"],
                                        "Resource": [{"Ref": "JenkinsSecret"}],
                                    },
                                    {
                                        "Sid": "Logs",
                                        "Effect": "Allow",
                                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                        "Resource": [{"Fn::GetAtt": ["TriggerLogGroup", "Arn"]}],
                                    },
                                    *(
                                        [
                                            {
                                                "Sid": "DecryptSecret",
                                                "Effect": "Allow",
                                                "Action": ["kms:Decrypt"],
                                                "Resource": [plan.security.output_kms_key],
                                            }
                                        ]
                                        if plan.security.output_kms_key.startswith("arn:")
                                        else []
                                    ),
                                ],
                            },
                        }
                    ],
                },
            },
            "TriggerLogGroup": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"LogGroupName": f"/aws/lambda/{function_name}", "RetentionInDays": 90},
            },
            "TriggerFunction": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "FunctionName": function_name,
                    "Description": f"Triggers Jenkins job {names.deploy_job} on model approval changes.",
                    "Runtime": "python3.12",
                    "Handler": "index.lambda_handler",
                    "Role": {"Fn::GetAtt": ["TriggerRole", "Arn"]},
                    "Timeout": 120,
                    # Inline: CloudFormation lifted the old 4096-character ZipFile limit (aws/aws-cdk#20624).
                    # ref: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-lambda-function-code.html
                    "Code": {"ZipFile": lambda_source()},
                    "Environment": {
                        "Variables": {
                            "JENKINS_URL": plan.ci.jenkins.url,
                            "JENKINS_JOB": names.deploy_job,
                            "JENKINS_SECRET_ARN": {"Ref": "JenkinsSecret"},
                        }
                    },
                },
            },
            "ApprovalRule": {
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "Name": jenkins_trigger_name(names),
                    "Description": "Approved or rejected versions of this project's model package group.",
                    "EventPattern": {
                        "source": ["aws.sagemaker"],
                        "detail-type": ["SageMaker Model Package State Change"],
                        "detail": {
                            "ModelPackageGroupName": [names.model_package_group],
                            "ModelApprovalStatus": ["Approved", "Rejected"],
                        },
                    },
                    "Targets": [{"Arn": {"Fn::GetAtt": ["TriggerFunction", "Arn"]}, "Id": "JenkinsTrigger"}],
                },
            },
            "RulePermission": {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "FunctionName": {"Ref": "TriggerFunction"},
                    "Action": "lambda:InvokeFunction",
                    "Principal": "events.amazonaws.com",
                    "SourceArn": {"Fn::GetAtt": ["ApprovalRule", "Arn"]},
                },
            },
        },
    }
