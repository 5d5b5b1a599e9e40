"""Optuna's samplers on the five test functions of `ringmaster bench sampler`, same protocol:
for each seed 0..SEEDS-1 a fresh in-memory study with the sampler seeded by that seed runs TRIALS
sequential trials; prints one JSON line per function with the same fields as Ringmaster.

    python benchmarks/optuna_samplers.py --sampler tpe --function all --trials 100 --seeds 10

Samplers: `tpe` is `optuna.samplers.TPESampler(seed=seed)` with every other setting at its
default; `random` is `optuna.samplers.RandomSampler(seed=seed)`.
"""
import argparse
import json
import math
import statistics
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def branin(x):
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x[1] - b * x[0] ** 2 + c * x[0] - 6) ** 2 + 10 * (1 - t) * math.cos(x[0]) + 10


HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2]
HARTMANN_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
HARTMANN_P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
              [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]


def hartmann6(x):
    return -sum(HARTMANN_ALPHA[i] * math.exp(-sum(HARTMANN_A[i][j] * (x[j] - HARTMANN_P[i][j] * 1e-4) ** 2
                                                  for j in range(6))) for i in range(4))


def rosenbrock(x):
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1))


def styblinski_tang(x):
    return 0.5 * sum(v**4 - 16 * v**2 + 5 * v for v in x)


def ackley(x):
    n = len(x)
    return (-20 * math.exp(-0.2 * math.sqrt(sum(v * v for v in x) / n))
            - math.exp(sum(math.cos(2 * math.pi * v) for v in x) / n) + 20 + math.e)


# name: (function, bounds, known minimum); the same domains as Sources/Tuning/BenchmarkFunctions.swift.
FUNCTIONS = {
    "branin": (branin, [(-5, 10), (0, 15)], 5 / (4 * math.pi)),
    "hartmann6": (hartmann6, [(0, 1)] * 6, -3.322368011415515),
    "rosenbrock": (rosenbrock, [(-5, 10)] * 4, 0.0),
    "styblinski_tang": (styblinski_tang, [(-5, 5)] * 5, -39.16616570377142 * 5),
    "ackley": (ackley, [(-32.768, 32.768)] * 5, 0.0),
}


def make_sampler(name, seed):
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise SystemExit(f"unknown sampler {name}")


def run(sampler_name, function_name, trials, seeds):
    function, bounds, optimum = FUNCTIONS[function_name]

    def objective(trial):
        return function([trial.suggest_float(f"x{i}", low, high) for i, (low, high) in enumerate(bounds)])

    bests, ms = [], []
    for seed in range(seeds):
        study = optuna.create_study(sampler=make_sampler(sampler_name, seed), direction="minimize")
        started = time.perf_counter()
        study.optimize(objective, n_trials=trials)
        ms.append((time.perf_counter() - started) * 1000 / trials)
        bests.append(study.best_value)
    median_best = statistics.median(bests)
    return {"sampler": f"optuna-{sampler_name}", "function": function_name, "trials": trials, "seeds": seeds,
            "median_best": median_best, "regret": median_best - optimum, "ms_per_trial": statistics.median(ms),
            "best_per_seed": bests}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sampler", default="tpe", choices=["tpe", "random"])
    parser.add_argument("--function", default="all", choices=[*FUNCTIONS, "all"])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()
    for name in FUNCTIONS if args.function == "all" else [args.function]:
        print(json.dumps(run(args.sampler, name, args.trials, args.seeds), sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
