"""A blueprint template → the CloudFormation a platform team publishes as a SageMaker project template.

For ``mlopsgen project-template``. One launch brings the whole project up: the repository
(CodeCommit; or parameters for a GitHub repository or an S3 zip), the seed Lambda (code from the
``mlopsgen package-lambda`` zip in S3) with a role allowed only the calls the handler makes on this
project's repository, secret and buckets, the seed custom resource (``SageMakerProjectName`` and
``SageMakerProjectId`` as SageMaker passes them to project templates), and the project's CI/CD
stack as a nested stack whose ``TemplateURL`` is the seed resource's ``InfrastructureTemplateUrl``:
the handler puts the rendered ``infrastructure/project.yml`` in the project's bucket, so the CI/CD
stack is exactly what ``mlopsgen render`` gives for this project, created after the repository
holds the code its pipeline builds. (The other way, letting the seeded repository's CI create the
stack on first push, cannot work: before the stack exists there is no CI to push to.)

Each ``${Name}`` placeholder of the blueprint beyond the ones the template fills becomes a template
parameter, passed on to the seed resource. The output is built as data and dumped: same inputs,
same bytes. ``service_catalog`` wraps a published template as a Service Catalog product for
setups that still list project templates from Service Catalog.
Not on the render path (no boto3, not in the Lambda zip).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from mlopsgen.targets.base import dump_yaml
from mlopsgen.targets.iam import allow, sub

Delivery = Literal["codecommit", "github", "s3"]
DELIVERIES: tuple[Delivery, ...] = ("codecommit", "github", "s3")
PLACEHOLDER = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_]*)\}")  # the seed template's syntax (seed/template.py)
FILLED = ("SageMakerProjectName", "SageMakerProjectId")  # the handler takes these from ProjectName/ProjectId
PROVIDED = {"codecommit": ("RepositoryName", "Branch"), "github": ("Branch",), "s3": ()}
HANDLER = "mlopsgen.seed.handler.handler"
FUNCTION_NAME = "sagemaker-${SageMakerProjectId}-seed"
STACK_PREFIX = "ci-stack"
VISIBILITY_TAG = {"Key": "sagemaker:studio-visibility", "Value": "true"}


class ProjectTemplateError(ValueError):
    """The blueprint template cannot be published as asked (its text says why)."""


def _param(description: str, **extra: Any) -> dict[str, Any]:
    return {"Type": "String", "Description": description, **extra}


def parameters(blueprint: str, delivery: Delivery) -> list[str]:
    """The blueprint's placeholders that become template parameters of their own (sorted).

    Raises:
        ProjectTemplateError: A placeholder name CloudFormation cannot take as a parameter name.
    """
    names = sorted(set(PLACEHOLDER.findall(blueprint)) - set(FILLED) - set(PROVIDED[delivery]))
    bad = [n for n in names if not n.isalnum()]
    if bad:
        raise ProjectTemplateError(f"placeholder(s) {', '.join(bad)}: template parameter names are letters and digits")
    return names


def _delivery(delivery: Delivery) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """Parameters, resources, the Delivery property and the role's statements for one delivery form."""
    if delivery == "codecommit":
        repository = {
            "Type": "AWS::CodeCommit::Repository",
            "DeletionPolicy": "Retain",  # the team's work: Delete leaves it, as the seed resource does
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "RepositoryName": sub("sagemaker-${SageMakerProjectName}-${SageMakerProjectId}"),
                "RepositoryDescription": sub("SageMaker project ${SageMakerProjectName}, seeded by mlopsgen"),
            },
        }
        prop = {"Type": "CodeCommit", "Repository": {"Fn::GetAtt": ["Repository", "Name"]}, "Branch": {"Ref": "Branch"}}
        statement = allow(
            "DeliverToTheRepository",
            ["codecommit:CreateCommit", "codecommit:GetBranch", "codecommit:GetFolder"],
            [{"Fn::GetAtt": ["Repository", "Arn"]}],
        )
        return {}, {"Repository": repository}, prop, [statement]
    if delivery == "github":
        params = {
            "GitHubRepository": _param(
                "The repository to seed, owner/name (it must exist).", AllowedPattern="^[^/]+/[^/]+$"
            ),
            "GitHubTokenSecretArn": _param(
                "ARN of the Secrets Manager secret holding a token allowed to write contents."
            ),
            "GitHubApiUrl": _param(
                "GitHub's REST API (https://HOST/api/v3 for Enterprise Server).", Default="https://api.github.com"
            ),
        }
        prop = {
            "Type": "GitHub",
            "Repository": {"Ref": "GitHubRepository"},
            "Branch": {"Ref": "Branch"},
            "TokenSecretArn": {"Ref": "GitHubTokenSecretArn"},
            "ApiUrl": {"Ref": "GitHubApiUrl"},
        }
        statement = allow("ReadTheToken", ["secretsmanager:GetSecretValue"], [{"Ref": "GitHubTokenSecretArn"}])
        return params, {}, prop, [statement]
    params = {
        "SeedZipBucket": _param("Bucket for the seeded repository's zip (your own check-in reads it)."),
    }
    prop = {"Type": "S3", "Bucket": {"Ref": "SeedZipBucket"}, "Key": sub("seeds/${SageMakerProjectId}.zip")}
    zip_object = sub("arn:${AWS::Partition}:s3:::${SeedZipBucket}/seeds/${SageMakerProjectId}.zip")
    # HeadObject (is the zip already there?) is authorized as s3:GetObject.
    return params, {}, prop, [allow("WriteTheZip", ["s3:GetObject", "s3:PutObject"], [zip_object])]


def _bucket() -> dict[str, Any]:
    return {
        "Type": "AWS::S3::Bucket",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    # The AWS managed key: usable through S3 by the account's principals (the seed
                    # role writing, the launch role reading the nested template), no key to manage.
                    {
                        "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/aws/s3"},
                        "BucketKeyEnabled": True,
                    }
                ]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "VersioningConfiguration": {"Status": "Enabled"},
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "Tags": [{"Key": "sagemaker:project-id", "Value": {"Ref": "SageMakerProjectId"}}],
        },
    }


def _tls_only(bucket: str) -> dict[str, Any]:
    return {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {
            "Bucket": {"Ref": bucket},
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [{"Fn::GetAtt": [bucket, "Arn"]}, sub(f"${{{bucket}.Arn}}/*")],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ],
            },
        },
    }


def _role(statements: list[dict[str, Any]], ci_stack: bool) -> dict[str, Any]:
    log_group = sub(
        f"arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:/aws/lambda/{FUNCTION_NAME}"
    )
    policy = [
        allow("Logs", ["logs:CreateLogStream", "logs:PutLogEvents"], [sub(log_group["Fn::Sub"] + ":*")]),
        allow(
            "ListTheTemplate",
            ["s3:ListBucket"],
            [sub("arn:${AWS::Partition}:s3:::${TemplateBucket}")],
            {"StringLike": {"s3:prefix": sub("${TemplatePrefix}*")}},
        ),
        allow(
            "ReadTheTemplate",
            ["s3:GetObject"],
            [sub("arn:${AWS::Partition}:s3:::${TemplateBucket}/${TemplatePrefix}*")],
        ),
        *statements,
    ]
    if ci_stack:
        policy.append(
            allow("PublishTheCiStack", ["s3:PutObject"], [sub(f"${{StackTemplateBucket.Arn}}/{STACK_PREFIX}/*")])
        )
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Description": "The seed Lambda: reads the blueprint template, delivers the rendered repository.",
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                        "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
                    }
                ],
            },
            "Policies": [
                {"PolicyName": "seed-least-privilege", "PolicyDocument": {"Version": "2012-10-17", "Statement": policy}}
            ],
        },
    }


def build(blueprint_text: str, blueprint_name: str, delivery: Delivery, ci_stack: str | None) -> dict[str, Any]:
    """The project template as data.

    Args:
        blueprint_text: The blueprint template (its placeholders become parameters).
        blueprint_name: Its file name in the template folder (``abalone.yaml``).
        delivery: Where the seeded repository goes.
        ci_stack: The CI/CD stack template's path in the seeded repository, or None for no nested stack.

    Raises:
        ProjectTemplateError: A placeholder that cannot be a parameter name.
    """
    extra = parameters(blueprint_text, delivery)
    params: dict[str, Any] = {
        "SageMakerProjectName": _param(
            "Name of the project (passed by SageMaker).",
            MinLength=1,
            MaxLength=32,
            AllowedPattern="^[a-zA-Z](-*[a-zA-Z0-9])*",
        ),
        "SageMakerProjectId": _param(
            "Service generated id of the project (passed by SageMaker).", MinLength=1, MaxLength=20
        ),
        "SeedCodeBucket": _param("Bucket holding the seed Lambda zip (mlopsgen package-lambda)."),
        "SeedCodeKey": _param("Key of the seed Lambda zip."),
        "LambdaRuntime": _param(
            "The Python runtime the zip was built for.",
            Default="python3.11",
            AllowedValues=["python3.11", "python3.12", "python3.13"],
        ),
        "LambdaArchitecture": _param(
            "The architecture the zip was built for (--arch).", Default="x86_64", AllowedValues=["x86_64", "arm64"]
        ),
        "TemplateBucket": _param("Bucket holding the blueprint template folder."),
        "TemplatePrefix": _param("Prefix of the template folder, ending with /.", AllowedPattern="^([^*?]+/)?$"),
    }
    if delivery != "s3":
        params["Branch"] = _param("Branch to seed.", Default="main", MinLength=1, MaxLength=255)
    delivery_params, resources, delivery_prop, statements = _delivery(delivery)
    params.update(delivery_params)
    params.update({name: _param(f"Value of ${{{name}}} in the blueprint template.") for name in extra})
    values: dict[str, Any] = {name: {"Ref": name} for name in extra}
    if delivery == "codecommit":
        values.update(RepositoryName={"Fn::GetAtt": ["Repository", "Name"]}, Branch={"Ref": "Branch"})
    elif delivery == "github":
        values["Branch"] = {"Ref": "Branch"}
    seed: dict[str, Any] = {
        "ServiceToken": {"Fn::GetAtt": ["SeedFunction", "Arn"]},
        "ProjectName": {"Ref": "SageMakerProjectName"},
        "ProjectId": {"Ref": "SageMakerProjectId"},
        "Blueprint": blueprint_name,
        "Template": {"Bucket": {"Ref": "TemplateBucket"}, "Prefix": {"Ref": "TemplatePrefix"}},
        "Delivery": delivery_prop,
    }
    if values:
        seed["Parameters"] = dict(sorted(values.items()))
    if ci_stack:
        resources["StackTemplateBucket"] = _bucket()
        resources["StackTemplateBucketPolicy"] = _tls_only("StackTemplateBucket")
        seed["Infrastructure"] = {"Bucket": {"Ref": "StackTemplateBucket"}, "Prefix": STACK_PREFIX, "Path": ci_stack}
    resources["SeedFunctionLogGroup"] = {
        "Type": "AWS::Logs::LogGroup",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {"LogGroupName": sub(f"/aws/lambda/{FUNCTION_NAME}"), "RetentionInDays": 365},
    }
    resources["SeedFunctionRole"] = _role(statements, bool(ci_stack))
    resources["SeedFunction"] = {
        "Type": "AWS::Lambda::Function",
        "DependsOn": ["SeedFunctionLogGroup"],
        "Properties": {
            "FunctionName": sub(FUNCTION_NAME),
            "Description": "mlopsgen seed code: renders the project's repository from its blueprint template.",
            "Handler": HANDLER,
            "Runtime": {"Ref": "LambdaRuntime"},
            "Architectures": [{"Ref": "LambdaArchitecture"}],
            "Code": {"S3Bucket": {"Ref": "SeedCodeBucket"}, "S3Key": {"Ref": "SeedCodeKey"}},
            "Role": {"Fn::GetAtt": ["SeedFunctionRole", "Arn"]},
            "MemorySize": 512,
            "Timeout": 300,
        },
    }
    resources["SeedCode"] = {"Type": "Custom::SeedCode", "Properties": seed}
    outputs: dict[str, Any] = {
        "SeedCommit": {
            "Description": "The seeded commit (or zip digest).",
            "Value": {"Fn::GetAtt": ["SeedCode", "Reference"]},
        }
    }
    if ci_stack:
        resources["CiCdStack"] = {
            "Type": "AWS::CloudFormation::Stack",
            "Properties": {
                "TemplateURL": {"Fn::GetAtt": ["SeedCode", "InfrastructureTemplateUrl"]},
                "Tags": [{"Key": "sagemaker:project-id", "Value": {"Ref": "SageMakerProjectId"}}],
            },
        }
        outputs["CiCdStackId"] = {"Description": "The project's CI/CD stack.", "Value": {"Ref": "CiCdStack"}}
    if delivery == "codecommit":
        outputs["RepositoryCloneUrl"] = {"Value": {"Fn::GetAtt": ["Repository", "CloneUrlHttp"]}}
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"SageMaker project template: {blueprint_name}, rendered by mlopsgen.",
        "Parameters": params,
        "Resources": resources,
        "Outputs": outputs,
    }


def emit(
    blueprint_text: str, blueprint_name: str, delivery: Delivery = "codecommit", ci_stack: str | None = None
) -> str:
    """The project template's YAML (see ``build``)."""
    header = (
        f"SageMaker project template for {blueprint_name} (delivery: {delivery}).\n"
        "Generated by mlopsgen project-template; publish it in S3 tagged sagemaker:studio-visibility=true (see README)."
    )
    return dump_yaml(build(blueprint_text, blueprint_name, delivery, ci_stack), header)


def service_catalog(name: str) -> str:
    """A portfolio with one product whose template is a published project template (older setups).

    Studio lists Service Catalog products tagged ``sagemaker:studio-visibility=true`` for the
    principals associated with the portfolio; the launch role constraint provisions with that role.
    """
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Service Catalog portfolio publishing the SageMaker project template {name} (mlopsgen).",
        "Parameters": {
            "ProjectTemplateUrl": _param("HTTPS URL of the project template in S3 (mlopsgen project-template)."),
            "StudioRoleArn": _param("The Studio users' execution role, allowed to launch the product."),
            "LaunchRoleArn": _param("The role Service Catalog provisions the project with."),
            "ProductVersion": _param("Version label of this template.", Default="v1"),
        },
        "Resources": {
            "Portfolio": {
                "Type": "AWS::ServiceCatalog::Portfolio",
                "Properties": {"DisplayName": f"mlopsgen {name}", "ProviderName": "mlopsgen"},
            },
            "Product": {
                "Type": "AWS::ServiceCatalog::CloudFormationProduct",
                "Properties": {
                    "Name": name,
                    "Owner": "platform team",
                    "ProvisioningArtifactParameters": [
                        {
                            "Name": {"Ref": "ProductVersion"},
                            "Info": {"LoadTemplateFromURL": {"Ref": "ProjectTemplateUrl"}},
                        }
                    ],
                    "Tags": [VISIBILITY_TAG],
                },
            },
            "ProductInPortfolio": {
                "Type": "AWS::ServiceCatalog::PortfolioProductAssociation",
                "Properties": {"PortfolioId": {"Ref": "Portfolio"}, "ProductId": {"Ref": "Product"}},
            },
            "StudioUsers": {
                "Type": "AWS::ServiceCatalog::PortfolioPrincipalAssociation",
                "Properties": {
                    "PortfolioId": {"Ref": "Portfolio"},
                    "PrincipalARN": {"Ref": "StudioRoleArn"},
                    "PrincipalType": "IAM",
                },
            },
            "LaunchRole": {
                "Type": "AWS::ServiceCatalog::LaunchRoleConstraint",
                "DependsOn": ["ProductInPortfolio"],
                "Properties": {
                    "PortfolioId": {"Ref": "Portfolio"},
                    "ProductId": {"Ref": "Product"},
                    "RoleArn": {"Ref": "LaunchRoleArn"},
                },
            },
        },
    }
    header = f"Service Catalog wrapper for the SageMaker project template {name}.\n"
    return dump_yaml(template, header + "Generated by mlopsgen project-template --form service-catalog.")
