"""Plan → Mermaid: what starts the pipeline (schedules, new data) and whom a failure notifies.

A diagram of its own beside the pipeline DAG and the deploy flow (``views/graph.py``), drawn only
when the blueprint has schedules, a new-data trigger or notifications.
"""

from __future__ import annotations

from mlopsgen.plan.model import Plan
from mlopsgen.views.graph import _Ids, _label


def operations_mermaid(plan: Plan) -> str:
    """Draw the operations as a Mermaid left-to-right flowchart.

    Each schedule and the new-data trigger → the pipeline; with notifications, the pipeline's
    notified statuses and the deploy's failures → the topic (dashed edges) → its subscribers.

    Args:
        plan: The Plan of one blueprint.

    Returns:
        Mermaid source starting with ``flowchart LR``, ending in a newline; empty without operations.
    """
    ops = plan.operations
    if ops is None:
        return ""
    ids = _Ids()
    pipeline = ids.make("pipeline")
    nodes = [f'{pipeline}["{_label("SageMaker pipeline", ops.pipeline)}"]']
    edges: list[str] = []
    for schedule in ops.schedules:
        node = ids.make(schedule.name, "schedule_")
        state = "" if schedule.enabled else " (disabled)"
        nodes.append(
            f'{node}(["{_label(f"Schedule {schedule.name}{state}", schedule.expression, schedule.timezone)}"])'
        )
        edges.append(f"{node} --> {pipeline}")
    if ops.new_data is not None:
        node = ids.make("new_data")
        where = f"s3://{ops.new_data.bucket}/{ops.new_data.prefix}"
        nodes.append(f'{node}(["{_label("New data", where)}"])')
        edges.append(f"{node} --> {pipeline}")
    notes = ops.notifications
    if notes is not None:
        topic = ids.make("topic")
        nodes.append(f'{topic}[/"{_label("SNS topic", notes.topic)}"/]')
        if notes.pipeline_statuses:
            edges.append(f"{pipeline} -.->|{' or '.join(notes.pipeline_statuses)}| {topic}")
        if notes.deploy_rule or notes.notify_command:
            deploy = ids.make("deploy")
            runners = [
                name for name, on in (("CodePipeline", notes.deploy_rule), ("Jenkins", notes.notify_command)) if on
            ]
            nodes.append(f'{deploy}["{_label("Deploy", " and ".join(runners))}"]')
            edges.append(f"{deploy} -.->|failed| {topic}")
        for endpoint in (*notes.email, *notes.https):
            node = ids.make(endpoint, "to_")
            nodes.append(f'{node}(["{_label(endpoint)}"])')
            edges.append(f"{topic} --> {node}")
    return "\n".join(["flowchart LR", *(f"    {n}" for n in nodes), *(f"    {e}" for e in edges)]) + "\n"
