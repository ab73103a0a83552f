r"""AWS's own value shapes (ids, ARNs, tags): one table the blueprint models and their diagnostics share.

Every value the blueprint takes that reaches an AWS API or a CloudFormation property is checked here
against the shape AWS itself enforces, so an AWS-invalid value is a located diagnostic instead of a
template CloudFormation rejects at deploy time. Each pattern cites its source: cfn-lint's format
rules (``cfnlint/rules/formats/*.py``) and the resource provider schemas it ships
(``cfnlint/data/schemas/providers``), or the botocore service models. Patterns are ASCII-only
(``[0-9]``, never ``\d``, which matches any Unicode digit) except the tag character set, which AWS
defines with Unicode classes and cfn-lint checks with the ``regex`` module (Unicode-aware).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from mlopsgen.frozen import frozen


@frozen
class AwsShape:
    """One AWS value shape: the pattern, how a diagnostic names it, and an example for the hint."""

    pattern: str
    name: str
    example: str


_HEX_ID = "([0-9a-f]{8}|[0-9a-f]{17})"
_KEY_ID = "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})"
_ALIAS = "alias/[a-zA-Z0-9/_\\-]{1,250}"
_PARTITION = "arn:aws(-cn|-us-gov|-iso|-iso-b|-iso-e|-iso-f|-eusc)?"
_REGION = "[a-z]{2}(-gov|-iso|-isob)?-[a-z]+-[0-9]"
# AWS's tag character set, from every SageMaker resource provider schema's Tag definition
# (AWS::SageMaker::Model, ::EndpointConfig, ::Endpoint): ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$.
_TAG_CHARACTERS = "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]"

SHAPES: dict[str, AwsShape] = {
    # botocore organizations AccountId: ^\d{12}$ (ASCII digits: \d would accept Arabic-Indic digits).
    "account_id": AwsShape("^[0-9]{12}$", "AWS account id (12 digits, quoted)", "'111122223333'"),
    # A spoke of a hub registry: an account, or an aws:PrincipalOrgPaths entry (IAM User Guide, global
    # condition keys): organization, root and OUs, with botocore organizations' OrganizationId, RootId
    # and OrganizationalUnitId shapes, ending in "/".
    "spoke": AwsShape(
        "^([0-9]{12}|o-[a-z0-9]{10,32}/r-[0-9a-z]{4,32}(/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})+/)$",
        "spoke: an AWS account id (12 digits, quoted) or an organization OU path ending in '/'",
        "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/",
    ),
    # botocore organizations OrganizationalUnitId: ^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$.
    "organizational_unit_id": AwsShape(
        "^ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$", "AWS Organizations OU id", "ou-ab12-cdefgh34"
    ),
    # cfn-lint E1154 (formats/SubnetId.py): ^subnet-(([0-9A-Fa-f]{8})|([0-9A-Fa-f]{17}))$; EC2 writes
    # ids in lower case.
    "subnet_id": AwsShape(f"^subnet-{_HEX_ID}$", "subnet id (subnet- and 8 or 17 hex digits)", "subnet-0a1b2c3d"),
    # cfn-lint E1150 (formats/SecurityGroupId.py): ^sg-([a-fA-F0-9]{8}|[a-fA-F0-9]{17})$.
    "security_group_id": AwsShape(
        f"^sg-{_HEX_ID}$", "security group id (sg- and 8 or 17 hex digits)", "sg-0a1b2c3d4e5f60718"
    ),
    # EC2 resource id format, as subnets and security groups (8 or 17 hex digits).
    "vpc_endpoint_id": AwsShape(
        f"^vpce-{_HEX_ID}$", "VPC endpoint id (vpce- and 8 or 17 hex digits)", "vpce-0a1b2c3d4e5f60718"
    ),
    # KMS accepts a key id, a key ARN, an alias name or an alias ARN wherever SageMaker takes
    # KmsKeyId. cfn-lint E1162 (formats/KmsKeyId.py): key UUID | mrk-<32 hex> | alias/[a-zA-Z0-9/_-]+;
    # E1157 (formats/KmsKeyArn.py): ^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/.+$;
    # botocore kms AliasNameType: ^[a-zA-Z0-9:/_-]+$, 1-256.
    "kms_key": AwsShape(
        f"^({_KEY_ID}|{_ALIAS}|{_PARTITION}:kms:{_REGION}:[0-9]{{12}}:(key/{_KEY_ID}|{_ALIAS}))$",
        "KMS key (key id, key ARN, alias/name or alias ARN)",
        "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab or alias/ml",
    ),
    # botocore sagemaker ContainerImage: [\S]+, at most 255; ECR registry, repository and tag names
    # are ASCII, so printable ASCII without spaces.
    "container_image": AwsShape(
        "^[!-~]{1,255}$",
        "container image URI (at most 255 characters, no spaces)",
        "111122223333.dkr.ecr.eu-west-1.amazonaws.com/my-image:1.0",
    ),
    # botocore iam roleArnType, with IAM's role path and name characters.
    "iam_role_arn": AwsShape(
        "^arn:aws[a-z\\-]*:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@\\-/]+$",
        "IAM role ARN",
        "arn:aws:iam::111122223333:role/service-role/MyRole",
    ),
    # botocore sagemaker EntityName (ModelPackageGroupName): ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$.
    "model_package_group": AwsShape(
        "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$",
        "model package group name (letters, digits and '-', at most 63)",
        "central-models",
    ),
    # botocore kms AliasNameType ^[a-zA-Z0-9:/_-]+$ in an alias ARN (cfn-lint E1157's KMS ARN shape).
    "kms_alias_arn": AwsShape(
        f"^{_PARTITION}:kms:{_REGION}:[0-9]{{12}}:{_ALIAS}$",
        "KMS alias ARN",
        "arn:aws:kms:eu-west-1:444455556666:alias/model-hub",
    ),
    # botocore lambda FunctionArn (ASCII digits), or a bare function name (FunctionName's last part:
    # letters, digits, - and _, at most 64 per the Lambda API reference) with an optional qualifier.
    "lambda_function": AwsShape(
        "^(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-[0-9]:[0-9]{12}:function:"
        "[a-zA-Z0-9_-]{1,64}|[a-zA-Z0-9_-]{1,64})(:(\\$LATEST|[a-zA-Z0-9_-]{1,128}))?$",
        "Lambda function ARN or name",
        "arn:aws:lambda:eu-west-1:111122223333:function:my-function or my-function",
    ),
    # SQS queue URLs as SQS returns them (https://sqs.<region>.amazonaws.com/<account>/<name>, or the
    # legacy https://<region>.queue.amazonaws.com/...); queue names are 1-80 of letters, digits, - and
    # _ (a FIFO queue's name ends in .fifo), per the SQS CreateQueue reference. botocore's QueueUrl is
    # a bare string, so this is the documented shape.
    "sqs_queue_url": AwsShape(
        f"^https://(sqs\\.{_REGION}|{_REGION}\\.queue)\\.amazonaws\\.com(\\.cn)?/[0-9]{{12}}/"
        "([a-zA-Z0-9_-]{1,75}\\.fifo|[a-zA-Z0-9_-]{1,80})$",
        "SQS queue URL",
        "https://sqs.eu-west-1.amazonaws.com/111122223333/approvals",
    ),
    # EMR cluster (job flow) ids: j- and upper-case letters and digits; botocore emr ClusterId: at most 256.
    "emr_cluster_id": AwsShape("^j-[A-Z0-9]{1,254}$", "EMR cluster id (j- and letters/digits)", "j-2AXXXXXXGAPLF"),
    # AWS::SageMaker::* Tag.Key and Tag.Value, verbatim: keys 1-128 and values 0-256 of these characters
    # (lengths checked apart: a bounded repetition of Unicode classes outgrows the regex size limit).
    "tag_text": AwsShape(
        f"^({_TAG_CHARACTERS}*)$",
        "tag text (letters, digits, spaces and _ . : / = + - @)",
        "cost-center",
    ),
}

PATTERN_NAMES: dict[str, AwsShape] = {shape.pattern: shape for shape in SHAPES.values()}
"""Pattern → shape, for the diagnostic of a value that does not match."""

MAX_USER_TAGS = 48
"""AWS allows 50 tags per resource; mlopsgen adds sagemaker:project-id and sagemaker:project-name."""


AccountId = Annotated[str, Field(pattern=SHAPES["account_id"].pattern, description="12-digit AWS account id (quoted).")]
OrganizationalUnitId = Annotated[
    str, Field(pattern=SHAPES["organizational_unit_id"].pattern, description="AWS Organizations OU id.")
]
SubnetId = Annotated[
    str, Field(pattern=SHAPES["subnet_id"].pattern, description="VPC subnet id, e.g. subnet-0a1b2c3d.")
]
SecurityGroupId = Annotated[
    str, Field(pattern=SHAPES["security_group_id"].pattern, description="VPC security group id, e.g. sg-0a1b2c3d.")
]
VpcEndpointId = Annotated[
    str, Field(pattern=SHAPES["vpc_endpoint_id"].pattern, description="VPC endpoint id, e.g. vpce-0a1b2c3d.")
]
ContainerImage = Annotated[str, Field(pattern=SHAPES["container_image"].pattern, description="Explicit ECR image URI.")]
KmsKey = Annotated[str, Field(pattern=SHAPES["kms_key"].pattern)]
IamRoleArn = Annotated[str, Field(pattern=SHAPES["iam_role_arn"].pattern, description="IAM role ARN.")]
RESERVED_TAG_PREFIX = "aws:"


def _not_reserved(key: str) -> str:
    """AWS refuses tag keys starting with aws: (in any case) on every resource: say so before deploy time."""
    if key[: len(RESERVED_TAG_PREFIX)].lower() == RESERVED_TAG_PREFIX:
        raise ValueError(f"tag key '{key}' starts with '{RESERVED_TAG_PREFIX}', which AWS reserves for its own tags")
    return key


# The JSON Schema for editors gets an ASCII-only approximation: JSON Schema validators without
# Unicode property classes (Python's re, ECMAScript without the u flag) cannot compile \p{L}. It
# refuses AWS's excluded ASCII punctuation and controls; the models check the exact set.
_TAG_SCHEMA = {"pattern": "^[^\\x00-\\x1f\\x7f!-*,;<>?\\[-^`{-~]*$"}
TagKey = Annotated[
    str,
    Field(pattern=SHAPES["tag_text"].pattern, min_length=1, max_length=128, json_schema_extra=_TAG_SCHEMA),
    AfterValidator(_not_reserved),
]
TagValue = Annotated[str, Field(pattern=SHAPES["tag_text"].pattern, max_length=256, json_schema_extra=_TAG_SCHEMA)]
