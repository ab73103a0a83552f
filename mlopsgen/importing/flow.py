"""Definition flow and external steps (Condition, Fail, Lambda, Callback, EMR) and every step's envelope.

The envelope (display name, description, depends_on, cache, retry) is the same for all steps
(``targets/sagemaker.py``'s ``_envelope``); conditions are the inverse of its ``_condition``: a list of
conditions is a top-level ``and``, ``Not(Equals)`` reads back as ``ne``.
"""

from __future__ import annotations

from typing import Any

from mlopsgen.importing.context import Context
from mlopsgen.importing.values import NotExpressible, json_get

PROJECT_TAG = "sagemaker:project-id"

COMPARISONS = {
    "Equals": "eq",
    "GreaterThan": "gt",
    "GreaterThanOrEqualTo": "gte",
    "LessThan": "lt",
    "LessThanOrEqualTo": "lte",
}


def envelope(node: dict[str, Any], ctx: Context, base: str) -> dict[str, Any]:
    """What every step has: texts, explicit dependencies, cache and retry policies."""
    out: dict[str, Any] = {}
    for key, name in (("DisplayName", "display_name"), ("Description", "description")):
        if key in node:
            out[name] = node[key]
    if node.get("DependsOn"):
        out["depends_on"] = list(node["DependsOn"])
    cache = node.get("CacheConfig")
    if isinstance(cache, dict):
        if cache.get("Enabled") is not True:
            ctx.lose(node["Name"], f"{base}.CacheConfig", "a disabled cache config (a blueprint leaves cache out)")
        out["cache"] = True if cache.get("ExpireAfter") == "P30d" else {"expire_after": cache.get("ExpireAfter")}
    if node.get("RetryPolicies"):
        out["retry"] = [
            {
                "exceptions": r.get("ExceptionType"),
                "max_attempts": r.get("MaxAttempts"),
                "interval_seconds": r.get("IntervalSeconds"),
                "backoff_rate": r.get("BackoffRate"),
            }
            for r in node["RetryPolicies"]
        ]
    return out


def condition(node: dict[str, Any], ctx: Context, base: str) -> dict[str, Any]:
    """A ``Condition`` step → ``if`` (its branches are listed by name; their steps follow it)."""
    args = node.get("Arguments", {})
    conditions = args.get("Conditions", [])
    path = f"{base}.Arguments.Conditions"
    parsed = [_expression(c, ctx, node["Name"], f"{path}[{i}]") for i, c in enumerate(conditions)]
    return {
        "if": parsed[0] if len(parsed) == 1 else {"and": parsed},
        "then": [s["Name"] for s in args.get("IfSteps", [])],
        "else": [s["Name"] for s in args.get("ElseSteps", [])],
    }


def _expression(c: dict[str, Any], ctx: Context, step: str, path: str) -> Any:
    kind = c.get("Type")
    if kind in COMPARISONS:
        operands = [_operand(c.get(k), ctx, step, f"{path}.{k}") for k in ("LeftValue", "RightValue")]
        return {COMPARISONS[kind]: operands}
    if kind == "In":
        value = _operand(c.get("QueryValue"), ctx, step, f"{path}.QueryValue")
        choices = [_operand(v, ctx, step, f"{path}.Values[{i}]") for i, v in enumerate(c.get("Values", []))]
        return {"in": [value, choices]}
    if kind == "Not":
        inner = _expression(c.get("Condition", {}), ctx, step, f"{path}.Condition")
        if isinstance(inner, dict) and set(inner) == {"eq"}:
            return {"ne": inner["eq"]}
        return {"not": inner}
    if kind == "Or":
        return {"or": [_expression(x, ctx, step, f"{path}.Conditions[{i}]") for i, x in enumerate(c["Conditions"])]}
    ctx.lose(step, path, f"condition type {kind!r} has no blueprint operator")
    return {"eq": [0, 0]}


def _operand(node: Any, ctx: Context, step: str, path: str) -> Any:
    try:
        read = json_get(node)
    except NotExpressible as exc:
        ctx.lose(step, path, exc.why)
        return None
    if read is not None:
        return {"json_get": {"property_file": read[0], "path": read[1]}}
    return ctx.value(node, step, path)


def fail(node: dict[str, Any], ctx: Context, base: str) -> dict[str, Any]:
    """A ``Fail`` step → its message."""
    message = node.get("Arguments", {}).get("ErrorMessage", "")
    return {"message": ctx.value(message, node["Name"], f"{base}.Arguments.ErrorMessage")}


def _outputs(node: dict[str, Any]) -> dict[str, Any]:
    return {o.get("OutputName"): o.get("OutputType") for o in node.get("OutputParameters", [])}


def lambda_step(node: dict[str, Any], ctx: Context, base: str) -> dict[str, Any]:
    """A ``Lambda`` step → function, inputs (its arguments) and declared outputs."""
    return {
        "function": node.get("FunctionArn"),
        "inputs": ctx.mapping(node.get("Arguments", {}), node["Name"], f"{base}.Arguments"),
        "outputs": _outputs(node),
    }


def callback(node: dict[str, Any], ctx: Context, base: str) -> dict[str, Any]:
    """A ``Callback`` step → queue, inputs (the message) and declared outputs."""
    return {
        "queue_url": node.get("SqsQueueUrl"),
        "inputs": ctx.mapping(node.get("Arguments", {}), node["Name"], f"{base}.Arguments"),
        "outputs": _outputs(node),
    }


def emr(node: dict[str, Any], ctx: Context, base: str) -> dict[str, Any]:
    """An ``EMR`` step → the Hadoop JAR step and its cluster (running, or created for the step)."""
    name = node["Name"]
    args = node.get("Arguments", {})
    path = f"{base}.Arguments.StepConfig.HadoopJarStep"
    jar = args.get("StepConfig", {}).get("HadoopJarStep", {})
    step: dict[str, Any] = {"jar": ctx.value(jar.get("Jar"), name, f"{path}.Jar")}
    step["args"] = [ctx.value(a, name, f"{path}.Args[{i}]") for i, a in enumerate(jar.get("Args", []))]
    if "MainClass" in jar:
        step["main_class"] = jar["MainClass"]
    step["properties"] = {p.get("Key"): p.get("Value") for p in jar.get("Properties", [])}
    out: dict[str, Any] = {"step": step}
    if "ClusterId" in args:
        out["cluster_id"] = args["ClusterId"]
        if "ExecutionRoleArn" in args:
            out["execution_role"] = args["ExecutionRoleArn"]
    else:
        out["cluster_config"] = _without_project_tag(args.get("ClusterConfig"))
    return out


def _without_project_tag(config: Any) -> Any:
    """The cluster configuration as written: mlopsgen adds the ``sagemaker:project-id`` tag itself."""
    if not isinstance(config, dict) or not isinstance(config.get("Tags"), list):
        return config
    tags = [t for t in config["Tags"] if not (isinstance(t, dict) and t.get("Key") == PROJECT_TAG)]
    return {k: v for k, v in config.items() if k != "Tags"} | ({"Tags": tags} if tags else {})
