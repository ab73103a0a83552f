"""DistributionSpec → the hyperparameters a framework container's launcher reads (sagemaker_*_enabled, ...).

sagemaker 3.27.0 has no framework estimators: its ModelTrainer distributes only script-mode jobs, through
its own driver channel. The framework containers (PyTorch, TensorFlow, MXNet deep learning containers and
their sagemaker-training-toolkit) read the contract the SDK's framework estimators wrote up to 2.x
(``Framework._distribution_configuration``, ``PyTorch._pytorch_distribution_configuration``): the keys
below. Values are written as 3.27.0's ModelTrainer writes every hyperparameter (``safe_serialize``: text
as is, ``true``, ``8``), which the toolkit reads back with ``json.loads``, falling back to the text.
Kept apart from ``build.py`` so script mode (another module) can reuse it for its framework images.
"""

from __future__ import annotations

from mlopsgen.blueprint.steps_training import DistributionSpec
from mlopsgen.plan import model as ir


def distribution_hyperparameters(dist: DistributionSpec, instance_type: ir.Expr) -> tuple[tuple[str, ir.Expr], ...]:
    """The hyperparameters that switch on one distribution, sorted by name like every hyperparameter map.

    Args:
        dist: The step's distribution.
        instance_type: The job's instance type (torchrun and smdistributed read it to pick their backend).

    Returns:
        ``(name, value)`` pairs, values as the SDK serialises them.
    """
    pairs: dict[str, ir.Expr] = {}
    if dist.type == "torchrun":
        pairs["sagemaker_torch_distributed_enabled"] = "true"
        pairs["sagemaker_instance_type"] = instance_type
    elif dist.type == "mpi":
        pairs["sagemaker_mpi_enabled"] = "true"
        if dist.processes_per_host:
            pairs["sagemaker_mpi_num_of_processes_per_host"] = str(dist.processes_per_host)
        pairs["sagemaker_mpi_custom_mpi_options"] = dist.custom_mpi_options or ""
    elif dist.type == "parameter_server":
        pairs["sagemaker_parameter_server_enabled"] = "true"
    else:
        pairs["sagemaker_distributed_dataparallel_enabled"] = "true"
        pairs["sagemaker_instance_type"] = instance_type
        pairs["sagemaker_distributed_dataparallel_custom_mpi_options"] = dist.custom_mpi_options or ""
    return tuple(sorted(pairs.items()))
