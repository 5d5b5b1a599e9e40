"""The `ringmaster bench train` workload in PyTorch, for a side-by-side comparison.

Same MLP (784 -> 512 -> 512 -> 10, ReLU), same per-process batch (128), same optimizer
(SGD, lr 0.01, momentum 0.9), synthetic data held in memory, one thread per process.
Prints one JSON object per line:

    python pytorch_mlp.py --mode single
    python pytorch_mlp.py --mode ddp --world-size 2      # DistributedDataParallel over gloo

Run it from benchmarks/compare_train.sh, which also runs Ringmaster and prints the ratios.
"""
import argparse
import json
import os
import time


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["single", "ddp"], default="single")
    parser.add_argument("--world-size", type=int, default=2)
    parser.add_argument("--features", type=int, default=784)
    parser.add_argument("--hidden", default="512,512")
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    return parser.parse_args()


def build(args, torch):
    layers, width = [], args.features
    for h in [int(x) for x in args.hidden.split(",")]:
        layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
        width = h
    layers.append(torch.nn.Linear(width, args.classes))
    return torch.nn.Sequential(*layers)


def run(rank, args, world_size, results):
    import torch
    import torch.distributed as dist

    torch.set_num_threads(1)
    torch.manual_seed(rank)
    model = build(args, torch)
    if world_size > 1:
        dist.init_process_group("gloo", rank=rank, world_size=world_size)
        model = torch.nn.parallel.DistributedDataParallel(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    labels = torch.randint(0, args.classes, (args.batch,))
    inputs = torch.randn(args.batch, args.features)
    inputs[torch.arange(args.batch), labels] += 1.0

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(inputs), labels)
        loss.backward()
        optimizer.step()

    for _ in range(args.warmup):
        step()
    if world_size > 1:
        dist.barrier()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    if world_size > 1:
        dist.barrier()
    elapsed = time.perf_counter() - start
    if world_size > 1:
        t = torch.tensor([elapsed])
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        elapsed = t.item()
    if rank == 0:
        samples = args.steps * args.batch * world_size
        results.put({
            "framework": "pytorch", "torch_version": torch.__version__, "mode": args.mode,
            "ranks": world_size, "steps": args.steps, "batch_per_rank": args.batch,
            "seconds": elapsed, "samples_per_sec": samples / elapsed,
        })
        if world_size > 1:
            results.close()
            results.join_thread()  # the figure has left this process before any teardown
    if world_size > 1:
        # Leave without tearing the gloo group down: on some machines its threads abort a
        # process at exit (`terminate called without an active exception`) after the timing
        # is done, which would fail the whole run for nothing the benchmark measures.
        dist.barrier()
        os._exit(0)


def main():
    args = parse_args()
    import torch.multiprocessing as mp

    world_size = 1 if args.mode == "single" else args.world_size
    # A fresh loopback port per run: a fixed one can still be held by the previous run.
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", str(probe.getsockname()[1])
    # Gloo picks its interface from the host name unless told; keep both ranks on loopback,
    # as Ringmaster's are (on some machines the guess fails and a rank aborts).
    os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
    context = mp.get_context("spawn")
    results = context.Queue()
    if world_size == 1:
        run(0, args, 1, results)
    else:
        mp.spawn(run, args=(args, world_size, results), nprocs=world_size, join=True)
    print(json.dumps(results.get()))


if __name__ == "__main__":
    main()
