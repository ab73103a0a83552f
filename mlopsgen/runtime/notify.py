"""Publish a failure notice to the project's SNS topic: the Jenkins deploy job's ``post { failure }`` step.

The CodePipeline variant reports failed deployments through an EventBridge rule; Jenkins has no such
event, so its deploy job runs this script when it fails. The credential needs ``sns:Publish`` on the
topic (and the topic key's ``kms:GenerateDataKey*``/``kms:Decrypt`` when it is encrypted): the
``JenkinsNotifyPolicy`` of ``infrastructure/operations.yml``.

A notification that cannot be sent must not hide the deployment's own failure: the script reports
the problem on stderr and exits 0 (the job has failed already).

It depends only on the Python standard library and boto3. Run ``python notify.py --help``.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

TOPIC_ARN = re.compile(r"^arn:[a-z-]+:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$")
MAX_SUBJECT = 100  # SNS Publish: Subject is at most 100 characters of printable ASCII, no newlines


def main(argv: list[str] | None = None, *, session: Any | None = None) -> int:
    """Publish one message; always exit 0 unless the arguments are wrong.

    Args:
        argv: Command-line arguments (default: ``sys.argv[1:]``).
        session: A boto3-like session with ``client(name, region_name=...)``; default: boto3's.

    Returns:
        0 (sent, or could not be sent: reported on stderr), 2 on bad arguments.
    """
    parser = argparse.ArgumentParser(
        description="Publish a failed-deployment notice to an SNS topic.",
        epilog="Exit codes: 0 sent, or not sent and reported on stderr (the job has failed already); 2 bad arguments.",
    )
    parser.add_argument("--topic-arn", required=True)
    parser.add_argument("--region", required=True)
    parser.add_argument("--subject", required=True)
    parser.add_argument("--build-url", default="", help="Link to the failed build (Jenkins' BUILD_URL).")
    args = parser.parse_args(argv)
    if not TOPIC_ARN.match(args.topic_arn):
        print(f"error: --topic-arn {args.topic_arn!r} is not an SNS topic ARN", file=sys.stderr)
        return 2
    subject = "".join(c for c in args.subject if " " <= c <= "~")[:MAX_SUBJECT] or "Deployment failed"
    message = f"{subject}.\nBuild: {args.build_url or '(unknown)'}\n"
    try:
        if session is None:
            import boto3  # noqa: TID251 - this script runs in CI, outside the render path

            session = boto3.session.Session()
        session.client("sns", region_name=args.region).publish(
            TopicArn=args.topic_arn, Subject=subject, Message=message
        )
    except Exception as exc:  # noqa: BLE001 - any failure to notify is reported, never raised
        print(f"warning: could not publish to {args.topic_arn}: {' '.join(str(exc).split())}", file=sys.stderr)
        return 0
    print(f"notified {args.topic_arn}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
