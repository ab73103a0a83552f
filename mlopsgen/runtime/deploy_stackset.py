"""Deploy one deploy stage's endpoint stack into target AWS accounts through a CloudFormation stack set.

This script is the cross-account deploy step of the Jenkins deploy pipeline that mlopsgen generates:
the Jenkins counterpart of CodePipeline's ``CloudFormationStackSet`` deploy action. Jenkins has no
such action, and ``aws cloudformation create-stack-set`` / ``update-stack-set`` return as soon as an
operation is *started*, so a shell step would report success for a deployment that later fails in a
target account. Here every operation is waited for and a failure names each account and region with
CloudFormation's reason.

The stack set uses the ``SELF_MANAGED`` permission model: ``--administration-role-arn`` in this
account assumes ``--execution-role-name`` in every target account. Its inputs are the files that
``deploy_config.py`` writes for the stage: ``<stage>-params-export.json``, ``<stage>-tags-export.json``
and ``<stage>-accounts-export.json``.

Steps:

1. Read and check every input file (template, parameters, tags, accounts) before any AWS call.
2. ``DescribeStackSet``. A missing stack set is created; an existing one is updated with the same
   template, parameters, tags and roles (``UpdateStackSet`` applies to *every* existing instance) and
   the update operation is waited for.
3. ``CreateStackInstances`` for each target account × ``--deployment-region`` that has no instance
   yet (accounts grouped by the regions they lack, so no call names an existing instance), and each
   operation is waited for. New instances get the template just set on the stack set.
4. Instances in accounts or regions that are no longer targeted are *not* deleted, as with the
   CodePipeline action: deleting an endpoint is a person's decision. A ``warning:`` line lists them.
5. A summary lists every instance and its status.

Waiting polls ``DescribeStackSetOperation`` until the operation SUCCEEDED (ok), FAILED or STOPPED
(exit 1, with ``ListStackSetOperationResults`` per account and region), or ``--timeout-minutes``
pass in total (exit 1; the operation keeps running in AWS).

It depends only on the Python standard library and boto3. Run ``python deploy_stackset.py --help``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PERMISSION_MODEL = "SELF_MANAGED"
SUCCEEDED = "SUCCEEDED"
FAILED_STATUSES = ("FAILED", "STOPPED")
NOT_FOUND_CODE = "StackSetNotFoundException"
IN_PROGRESS_CODE = "OperationInProgressException"
CAPABILITIES = ("CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND")
TEMPLATE_BODY_LIMIT = 51_200  # bytes CloudFormation accepts as TemplateBody
MAX_REPORTED_FAILURES = 5
ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")
STACK_SET_NAME = re.compile(r"^[a-zA-Z][-a-zA-Z0-9]{0,127}$")
ROLE_ARN = re.compile(r"^arn:[a-z-]+:iam::[0-9]{12}:role/[!-~]+$")
ROLE_NAME = re.compile(r"^[A-Za-z0-9_+=,.@-]{1,64}$")


class ScriptError(Exception):
    """A failure reported as one line on stderr, without a traceback."""


@dataclass(frozen=True)
class DeployInputs:
    """The checked contents of the input files.

    Attributes:
        template: CloudFormation template body (YAML or JSON text).
        parameters: ``[{"ParameterKey": ..., "ParameterValue": ...}]``.
        tags: ``[{"Key": ..., "Value": ...}]``, or None when no tags file was given (existing tags are kept).
        accounts: Target account ids, de-duplicated, in file order.
    """

    template: str
    parameters: list[dict[str, str]]
    tags: list[dict[str, str]] | None
    accounts: list[str]


def build_parser() -> argparse.ArgumentParser:
    """Build the command-line parser.

    Returns:
        The parser for this script's arguments.
    """
    parser = argparse.ArgumentParser(
        prog="deploy_stackset.py",
        description=(
            "Create or update a SELF_MANAGED CloudFormation stack set, add its missing stack instances in the "
            "target accounts and regions, and wait for every operation. Instances no longer targeted are kept. "
            "Exit codes: 0 ok, 1 bad input file, a failed, stopped or timed-out operation or an AWS error, "
            "2 usage error."
        ),
    )
    parser.add_argument("--stack-set-name", required=True, type=_stack_set_name, metavar="NAME", help="stack set name")
    parser.add_argument(
        "--template-file", required=True, metavar="PATH", help="CloudFormation template (YAML or JSON) to deploy"
    )
    parser.add_argument(
        "--parameters-file",
        required=True,
        metavar="PATH",
        help='template parameters, <stage>-params-export.json: [{"ParameterKey": ..., "ParameterValue": ...}]',
    )
    parser.add_argument(
        "--tags-file",
        default=None,
        metavar="PATH",
        help='stack set tags, <stage>-tags-export.json: [{"Key": ..., "Value": ...}] (optional; without it an '
        "existing stack set keeps its tags)",
    )
    parser.add_argument(
        "--accounts-file",
        required=True,
        metavar="PATH",
        help='target account ids, <stage>-accounts-export.json: ["111111111111", ...]',
    )
    parser.add_argument(
        "--deployment-region",
        required=True,
        action="append",
        type=_region,
        metavar="REGION",
        help="region to deploy stack instances into; repeat per region",
    )
    parser.add_argument(
        "--administration-role-arn",
        required=True,
        type=_role_arn,
        metavar="ARN",
        help="role in this account that CloudFormation uses to administer the stack set",
    )
    parser.add_argument(
        "--execution-role-name",
        required=True,
        type=_role_name,
        metavar="NAME",
        help="role that the administration role assumes in every target account",
    )
    parser.add_argument("--description", default=None, metavar="TEXT", help="stack set description (optional)")
    parser.add_argument(
        "--capability",
        action="append",
        default=[],
        choices=CAPABILITIES,
        help="capability the template needs (repeatable; default: none)",
    )
    parser.add_argument(
        "--max-concurrent-percentage",
        type=_int_range(1, 100),
        default=100,
        metavar="PERCENT",
        help="percentage of accounts deployed to at once, per region (1-100, default: %(default)s)",
    )
    parser.add_argument(
        "--failure-tolerance-count",
        type=_int_range(0, None),
        default=0,
        metavar="COUNT",
        help="accounts per region that may fail before the operation stops (default: %(default)s)",
    )
    parser.add_argument(
        "--timeout-minutes",
        type=_positive_float,
        default=60.0,
        metavar="MINUTES",
        help="give up waiting for the stack set operations after this long in total (default: %(default)s)",
    )
    parser.add_argument(
        "--poll-seconds",
        type=_positive_float,
        default=15.0,
        metavar="SECONDS",
        help="seconds between operation status checks (default: %(default)s)",
    )
    parser.add_argument(
        "--region",
        default=None,
        help="AWS region of the stack set API calls (default: $AWS_REGION, $AWS_DEFAULT_REGION or the AWS config)",
    )
    return parser


def main(argv: list[str] | None = None, *, session: Any | None = None) -> int:
    """Run the script.

    Args:
        argv: Command-line arguments without the program name (default: ``sys.argv[1:]``).
        session: A boto3-like session with ``client(name)``; by default a ``boto3.session.Session``
            for ``--region`` or the environment's region.

    Returns:
        The process exit code: 0 on success, 1 on any failure, 2 on a usage error.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return _exit_code(exc)
    try:
        inputs = load_inputs(
            template_file=Path(args.template_file),
            parameters_file=Path(args.parameters_file),
            tags_file=Path(args.tags_file) if args.tags_file else None,
            accounts_file=Path(args.accounts_file),
        )
        regions = list(dict.fromkeys(args.deployment_region))
        session = session if session is not None else _default_session(args.region)
        deploy(session.client("cloudformation"), args, inputs, regions)
    except ScriptError as exc:
        _fail(str(exc))
        return 1
    except KeyboardInterrupt:
        _fail("interrupted")
        return 130
    except Exception as exc:  # botocore errors, missing credentials, network: one line, no traceback
        _fail(f"{type(exc).__name__}: {exc}")
        return 1
    return 0


def load_inputs(
    *, template_file: Path, parameters_file: Path, tags_file: Path | None, accounts_file: Path
) -> DeployInputs:
    """Read and check every input file.

    Args:
        template_file: The CloudFormation template.
        parameters_file: ``<stage>-params-export.json``.
        tags_file: ``<stage>-tags-export.json``, or None.
        accounts_file: ``<stage>-accounts-export.json``.

    Returns:
        The checked inputs.

    Raises:
        ScriptError: A file is unreadable, malformed or empty.
    """
    return DeployInputs(
        template=read_template(template_file),
        parameters=_read_pairs(parameters_file, "parameters file", "ParameterKey", "ParameterValue"),
        tags=_read_pairs(tags_file, "tags file", "Key", "Value") if tags_file is not None else None,
        accounts=read_accounts(accounts_file),
    )


def read_template(path: Path) -> str:
    """Read the template body.

    Args:
        path: The template file.

    Returns:
        The template text.

    Raises:
        ScriptError: The file is unreadable, empty or too large for ``TemplateBody``.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScriptError(f"cannot read template file {path}: {exc}") from exc
    if not text.strip():
        raise ScriptError(f"template file {path} is empty")
    size = len(text.encode("utf-8"))
    if size > TEMPLATE_BODY_LIMIT:
        raise ScriptError(
            f"template file {path} is {size} bytes; CloudFormation accepts at most {TEMPLATE_BODY_LIMIT} bytes "
            "as TemplateBody"
        )
    return text


def read_accounts(path: Path) -> list[str]:
    """Read the target account ids.

    Args:
        path: A JSON array of 12-digit account id strings.

    Returns:
        The account ids, de-duplicated, in file order.

    Raises:
        ScriptError: The file is unreadable or malformed, an id is not 12 digits, or the list is empty.
    """
    data = _read_json(path, "accounts file")
    if not isinstance(data, list):
        raise ScriptError(f'accounts file {path} must be a JSON array of account ids, e.g. ["111111111111"]')
    for item in data:
        if not isinstance(item, str) or not ACCOUNT_ID.match(item):
            raise ScriptError(f"accounts file {path}: {json.dumps(item)} is not a 12-digit account id string")
    if not data:
        raise ScriptError(f"accounts file {path} lists no account: there is nowhere to deploy to")
    return list(dict.fromkeys(data))


def deploy(cloudformation: Any, args: argparse.Namespace, inputs: DeployInputs, regions: list[str]) -> None:
    """Create or update the stack set, add the missing instances and print a summary.

    Args:
        cloudformation: A boto3 CloudFormation client.
        args: The parsed command line.
        inputs: The checked input files.
        regions: The deployment regions, de-duplicated.

    Raises:
        ScriptError: An operation failed, stopped or timed out, or another operation is running.
    """
    name = args.stack_set_name
    deadline = time.monotonic() + args.timeout_minutes * 60
    preferences = {
        "FailureToleranceCount": args.failure_tolerance_count,
        "MaxConcurrentPercentage": args.max_concurrent_percentage,
    }
    settings: dict[str, Any] = {
        "StackSetName": name,
        "TemplateBody": inputs.template,
        "Parameters": inputs.parameters,
        "Capabilities": list(dict.fromkeys(args.capability)),
        "PermissionModel": PERMISSION_MODEL,
        "AdministrationRoleARN": args.administration_role_arn,
        "ExecutionRoleName": args.execution_role_name,
    }
    if inputs.tags is not None:
        settings["Tags"] = inputs.tags
    if args.description is not None:
        settings["Description"] = args.description

    if _stack_set_exists(cloudformation, name):
        operation_id = _start(cloudformation, "update_stack_set", name, **settings, OperationPreferences=preferences)
        print(
            f"updating stack set {name} and all its stack instances ({len(inputs.parameters)} parameter(s)), "
            f"operation {operation_id}",
            flush=True,
        )
        wait_for_operation(cloudformation, name, operation_id, deadline=deadline, poll_seconds=args.poll_seconds)
    else:
        created = cloudformation.create_stack_set(**settings)
        print(
            f"created stack set {name} ({created.get('StackSetId', '?')}, {PERMISSION_MODEL}, administration role "
            f"{args.administration_role_arn}, execution role {args.execution_role_name})",
            flush=True,
        )

    existing = {(i["Account"], i["Region"]) for i in list_stack_instances(cloudformation, name)}
    targets = [(account, region) for account in inputs.accounts for region in regions]
    batches = missing_instances(inputs.accounts, regions, existing)
    for accounts, batch_regions in batches:
        operation_id = _start(
            cloudformation,
            "create_stack_instances",
            name,
            StackSetName=name,
            Accounts=accounts,
            Regions=batch_regions,
            OperationPreferences=preferences,
        )
        print(
            f"creating {len(accounts) * len(batch_regions)} stack instance(s) in account(s) {', '.join(accounts)} "
            f"x region(s) {', '.join(batch_regions)}, operation {operation_id}",
            flush=True,
        )
        wait_for_operation(cloudformation, name, operation_id, deadline=deadline, poll_seconds=args.poll_seconds)
    if not batches:
        print(f"all {len(targets)} targeted stack instance(s) already exist", flush=True)

    stale = sorted(existing - set(targets))
    if stale:
        _warn(
            f"{len(stale)} stack instance(s) of {name} are no longer targeted and were kept (they still receive "
            f"stack set updates; delete them with `aws cloudformation delete-stack-instances` if intended): "
            + ", ".join(f"{account}/{region}" for account, region in stale)
        )
    print_summary(cloudformation, name, inputs.accounts, regions, set(targets))


def missing_instances(
    accounts: list[str], regions: list[str], existing: set[tuple[str, str]]
) -> list[tuple[list[str], list[str]]]:
    """Group the targeted instances that do not exist yet into ``CreateStackInstances`` calls.

    ``CreateStackInstances`` deploys to every account × region it is given, so accounts are grouped by
    the regions they lack: a new account gets all regions, a new region is added to the old accounts
    only there, and no call names an instance that already exists.

    Args:
        accounts: Target accounts, in order.
        regions: Deployment regions, in order.
        existing: (account, region) pairs that already have an instance.

    Returns:
        ``(accounts, regions)`` per call, in the order the accounts first appear.
    """
    groups: dict[tuple[str, ...], list[str]] = {}
    for account in accounts:
        lacking = tuple(region for region in regions if (account, region) not in existing)
        if lacking:
            groups.setdefault(lacking, []).append(account)
    return [(group, list(lacking)) for lacking, group in groups.items()]


def wait_for_operation(
    cloudformation: Any, stack_set_name: str, operation_id: str, *, deadline: float, poll_seconds: float
) -> None:
    """Poll a stack set operation until it has succeeded.

    Args:
        cloudformation: A boto3 CloudFormation client.
        stack_set_name: The stack set.
        operation_id: The operation to wait for.
        deadline: ``time.monotonic()`` value after which to give up.
        poll_seconds: Pause between status checks.

    Raises:
        ScriptError: The operation failed or stopped, or the deadline passed.
    """
    started = time.monotonic()
    while True:
        operation = cloudformation.describe_stack_set_operation(StackSetName=stack_set_name, OperationId=operation_id)[
            "StackSetOperation"
        ]
        status = str(operation.get("Status", "Unknown"))
        action = str(operation.get("Action", "operation"))
        elapsed = time.monotonic() - started
        print(f"[{_duration(elapsed)}] stack set {stack_set_name} {action} {operation_id}: {status}", flush=True)
        if status == SUCCEEDED:
            return
        if status in FAILED_STATUSES:
            raise ScriptError(_failure(cloudformation, stack_set_name, operation_id, action, status, operation))
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ScriptError(
                f"timed out after {_duration(elapsed)} waiting for stack set {stack_set_name} {action} operation "
                f"{operation_id} (last status: {status}); it keeps running in AWS: aws cloudformation "
                f"describe-stack-set-operation --stack-set-name {stack_set_name} --operation-id {operation_id}"
            )
        time.sleep(min(poll_seconds, remaining))


def list_stack_instances(cloudformation: Any, stack_set_name: str) -> list[dict[str, Any]]:
    """List every stack instance of a stack set, following all pages.

    Args:
        cloudformation: A boto3 CloudFormation client.
        stack_set_name: The stack set.

    Returns:
        The ``StackInstanceSummary`` entries.
    """
    return _all_pages(cloudformation.list_stack_instances, {"StackSetName": stack_set_name})


def print_summary(
    cloudformation: Any, stack_set_name: str, accounts: list[str], regions: list[str], targets: set[tuple[str, str]]
) -> None:
    """Print the stack set's instances and their status; warn about targeted instances that are not CURRENT.

    Args:
        cloudformation: A boto3 CloudFormation client.
        stack_set_name: The stack set.
        accounts: Target accounts.
        regions: Deployment regions.
        targets: Targeted (account, region) pairs.
    """
    instances = sorted(list_stack_instances(cloudformation, stack_set_name), key=lambda i: (i["Account"], i["Region"]))
    print(
        f"stack set {stack_set_name}: {len(accounts)} target account(s) ({', '.join(accounts)}) x "
        f"{len(regions)} region(s) ({', '.join(regions)}), {len(instances)} stack instance(s):",
        flush=True,
    )
    not_current = []
    for instance in instances:
        key = (instance["Account"], instance["Region"])
        status = str(instance.get("Status", "?"))
        detailed = (instance.get("StackInstanceStatus") or {}).get("DetailedStatus")
        reason = _one_line(instance.get("StatusReason") or "")
        line = f"  {key[0]} {key[1]}: {status}"
        line += f" ({detailed})" if detailed else ""
        line += f" - {reason}" if reason else ""
        line += "" if key in targets else " [not targeted]"
        print(line, flush=True)
        if key in targets and status != "CURRENT":
            not_current.append(f"{key[0]}/{key[1]} {status}")
    if not_current:
        _warn(f"targeted stack instance(s) not CURRENT: {', '.join(not_current)}")


def _stack_set_exists(cloudformation: Any, name: str) -> bool:
    try:
        cloudformation.describe_stack_set(StackSetName=name)
    except Exception as exc:
        if _error(exc)[0] == NOT_FOUND_CODE:
            return False
        raise
    return True


def _start(cloudformation: Any, method: str, stack_set_name: str, **request: Any) -> str:
    try:
        response = getattr(cloudformation, method)(**request)
    except Exception as exc:
        code, message = _error(exc)
        if code == IN_PROGRESS_CODE:
            raise ScriptError(
                f"another operation is running on stack set {stack_set_name} ({message}); wait for it to finish or "
                "stop it with `aws cloudformation stop-stack-set-operation`, then run again"
            ) from exc
        raise
    return str(response["OperationId"])


def _failure(
    cloudformation: Any, stack_set_name: str, operation_id: str, action: str, status: str, operation: dict[str, Any]
) -> str:
    results = _all_pages(
        cloudformation.list_stack_set_operation_results, {"StackSetName": stack_set_name, "OperationId": operation_id}
    )
    problems = []
    for result in results:
        result_status = str(result.get("Status", "?"))
        reason = _one_line(result.get("StatusReason") or "")
        gate = result.get("AccountGateResult") or {}
        if gate.get("Status") == "FAILED":
            reason = f"{reason}; account gate: {_one_line(gate.get('StatusReason') or 'failed')}".lstrip("; ")
        print(
            f"  {result.get('Account', '?')} {result.get('Region', '?')}: {result_status} - {reason or '-'}", flush=True
        )
        if result_status != SUCCEEDED:
            problems.append(
                f"{result.get('Account', '?')}/{result.get('Region', '?')} {result_status}: {reason or '-'}"
            )
    message = f"stack set {stack_set_name} {action} operation {operation_id} {status}"
    reason = _one_line(operation.get("StatusReason") or "")
    if reason:
        message += f" ({reason})"
    if problems:
        shown = problems[:MAX_REPORTED_FAILURES]
        more = len(problems) - len(shown)
        message += ": " + "; ".join(shown) + (f"; and {more} more" if more else "")
    return message


def _all_pages(method: Any, request: dict[str, Any]) -> list[dict[str, Any]]:
    request = dict(request)
    summaries: list[dict[str, Any]] = []
    while True:
        page = method(**request)
        summaries.extend(page.get("Summaries", []))
        token = page.get("NextToken")
        if not token:
            return summaries
        request["NextToken"] = token


def _read_json(path: Path, kind: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ScriptError(f"cannot read {kind} {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise ScriptError(f"{kind} {path} is not valid JSON: {exc}") from exc


def _read_pairs(path: Path, kind: str, key_name: str, value_name: str) -> list[dict[str, str]]:
    data = _read_json(path, kind)
    shape = f'a JSON array of {{"{key_name}": ..., "{value_name}": ...}} objects'
    if not isinstance(data, list):
        raise ScriptError(f"{kind} {path} must be {shape}")
    seen: set[str] = set()
    for index, item in enumerate(data):
        if not isinstance(item, dict) or set(item) != {key_name, value_name}:
            raise ScriptError(f"{kind} {path}: item {index} must be {{{key_name!r}: ..., {value_name!r}: ...}}")
        key, value = item[key_name], item[value_name]
        if not isinstance(key, str) or not key or not isinstance(value, str):
            raise ScriptError(
                f"{kind} {path}: item {index} must have a non-empty string {key_name} and a string {value_name}, "
                f"got {json.dumps(item)}"
            )
        if key in seen:
            raise ScriptError(f"{kind} {path}: {key_name} {key!r} is given more than once")
        seen.add(key)
    return [dict(item) for item in data]


def _stack_set_name(text: str) -> str:
    if not STACK_SET_NAME.match(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a stack set name (a letter, then letters, digits and hyphens; at most 128)"
        )
    return text


def _region(text: str) -> str:
    if not REGION.match(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an AWS region name such as eu-west-1")
    return text


def _role_arn(text: str) -> str:
    if not ROLE_ARN.match(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)")
    return text


def _role_name(text: str) -> str:
    if not ROLE_NAME.match(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an IAM role name (a name, not an ARN)")
    return text


def _int_range(low: int, high: int | None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < low or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"must be {bounds}, got {text!r}")
        return value

    return parse


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text!r}")
    return value


def _default_session(region: str | None) -> Any:
    try:
        import boto3  # noqa: TID251 - this script runs in CI, outside the render path
    except ImportError as exc:
        raise ScriptError("boto3 is not installed: run `pip install boto3`") from exc
    region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None
    return boto3.session.Session(region_name=region)


def _error(exc: BaseException) -> tuple[str, str]:
    response = getattr(exc, "response", None)
    error = response.get("Error") if isinstance(response, dict) else None
    if isinstance(error, dict):
        return str(error.get("Code", "")), str(error.get("Message", ""))
    return "", str(exc)


def _duration(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def _one_line(value: object) -> str:
    return " ".join(str(value).split())


def _warn(message: str) -> None:
    print(f"warning: {_one_line(message)}", file=sys.stderr, flush=True)


def _fail(message: str) -> None:
    print(f"error: {_one_line(message)}", file=sys.stderr, flush=True)


def _exit_code(exc: SystemExit) -> int:
    return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)


if __name__ == "__main__":
    sys.exit(main())
