"""Credit-risk training in PyTorch script mode: distributed with torchrun, resumable on managed spot.

SageMaker's PyTorch container runs this file as the entry point of the source directory, with each
hyperparameter as ``--name value``, the channels under ``SM_CHANNEL_<NAME>`` and the model folder in
``SM_MODEL_DIR``. With torchrun distribution it starts one process per device on each instance and sets
``RANK``/``WORLD_SIZE``/``LOCAL_RANK``; every process trains on its shard (DistributedSampler) and the
gradients are averaged by DistributedDataParallel (NCCL on GPUs, Gloo on CPUs).

Spot: SageMaker copies ``/opt/ml/checkpoints`` to the checkpoint S3 URI while the job runs and back into
the folder when an interrupted job restarts, so the first rank writes a checkpoint after every epoch and
every rank resumes from it. The validation AUC is printed as ``validation_auc=<value>;`` for the
blueprint's metric definition. The model folder gets the weights and the serving code (``code/``), which
the PyTorch serving container loads as its handler.
"""

import argparse
import json
import os
import pathlib
import shutil

import torch
import torch.distributed as dist
from model import CreditRiskNet, auc, read_split
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

HERE = pathlib.Path(__file__).resolve().parent


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--learning_rate", type=float, default=0.01)
    parser.add_argument("--hidden_units", type=int, default=16)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--model_dir", default=os.environ.get("SM_MODEL_DIR", "/opt/ml/model"))
    parser.add_argument("--train", default=os.environ.get("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train"))
    parser.add_argument(
        "--validation", default=os.environ.get("SM_CHANNEL_VALIDATION", "/opt/ml/input/data/validation")
    )
    parser.add_argument("--checkpoint_dir", default="/opt/ml/checkpoints")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    if distributed:
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    rank = dist.get_rank() if distributed else 0
    if rank == 0:
        print(f"training on {dist.get_world_size() if distributed else 1} process(es)")
    torch.manual_seed(args.seed)
    features, labels = read_split(args.train)
    val_features, val_labels = read_split(args.validation)
    net = CreditRiskNet(features.shape[1], args.hidden_units)
    optimizer = torch.optim.Adam(net.parameters(), lr=args.learning_rate)
    checkpoint = pathlib.Path(args.checkpoint_dir) / "checkpoint.pt"
    start = 0
    if checkpoint.exists():
        state = torch.load(checkpoint, weights_only=True)
        net.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start = state["epoch"] + 1
        print(f"resuming after epoch {state['epoch']} from {checkpoint}")
    model = DistributedDataParallel(net) if distributed else net
    dataset = TensorDataset(features, labels)
    sampler = DistributedSampler(dataset, seed=args.seed) if distributed else None
    loader = DataLoader(
        dataset,
        batch_size=args.batch_size,
        sampler=sampler,
        shuffle=sampler is None,
        generator=torch.Generator().manual_seed(args.seed),
    )
    positives = float(labels.sum())
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor((len(labels) - positives) / max(positives, 1.0)))
    for epoch in range(start, args.epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        model.train()
        total, seen = 0.0, 0
        for batch, target in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(batch), target)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(target)
            seen += len(target)
        net.eval()
        with torch.no_grad():
            score = auc(net(val_features), val_labels)
        if rank == 0:
            print(f"epoch={epoch} train_loss={total / max(seen, 1):.4f} validation_auc={score:.4f};")
            checkpoint.parent.mkdir(parents=True, exist_ok=True)
            state = {"model": net.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch}
            torch.save(state, checkpoint)
    if rank == 0:
        save(net, features.shape[1], args)
    if distributed:
        dist.destroy_process_group()


def save(net: CreditRiskNet, n_features: int, args: argparse.Namespace) -> None:
    """Weights, shape and the serving code, as the PyTorch serving container expects them in model.tar.gz."""
    model_dir = pathlib.Path(args.model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    torch.save(net.state_dict(), model_dir / "model.pth")
    (model_dir / "model.json").write_text(json.dumps({"features": n_features, "hidden_units": args.hidden_units}))
    code = model_dir / "code"
    code.mkdir(exist_ok=True)
    for name in ("inference.py", "model.py"):
        shutil.copyfile(HERE / name, code / name)


if __name__ == "__main__":
    main()
