"""MLflow's side of benchmarks/compare_store.sh, on MLflow's SQLite backend.

    python mlflow_logging.py log --dir DIR [--runs 5 --steps 200 --metrics 10]
        Logs runs one after another through MlflowClient.log_batch, one call per step
        carrying that step's metrics (MLflow's batched client path), and prints
        {"points_per_sec": ...}: points over the seconds spent in the log_batch calls.

    python mlflow_logging.py search --dir DIR [--search-runs 10000 --repeats 9]
        Times MlflowClient.search_runs with the filter and order of `ringmaster bench
        store`, with max_results=100 and with MLflow's largest max_results (50,000), over
        the same runs (same params, tags and metric values, from search_run below).
        The runs are written once per DIR straight into MLflow's tables, in one
        transaction, after MLflow has created its schema: set-up, not measured, and
        10,000 runs through the client would take many minutes. MLflow's own count of
        matches, printed as "matched", checks that it sees them as intended.

Each prints one JSON line.
"""

import argparse
import json
import sqlite3
import statistics
import sys
import time
import uuid
from pathlib import Path

import mlflow
from mlflow import MlflowClient
from mlflow.entities import Metric

FILTER = "metrics.accuracy > 0.9 and params.lr = '0.01'"
ORDER_BY = ["metrics.accuracy DESC"]


def client_for(directory):
    directory.mkdir(parents=True, exist_ok=True)
    uri = f"sqlite:///{directory / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    return MlflowClient(uri)


def experiment(client, name):
    found = client.get_experiment_by_name(name)
    return found.experiment_id if found else client.create_experiment(name)


def log(args):
    client = client_for(args.dir)
    experiment_id = experiment(client, f"bench-logging-{uuid.uuid4().hex[:8]}")
    keys = [f"metric_{k}" for k in range(args.metrics)]
    seconds = 0.0
    for index in range(args.runs):
        run_id = client.create_run(experiment_id, run_name=f"bench-{index}").info.run_id
        start = time.perf_counter()
        for step in range(args.steps):
            now = int(time.time() * 1000)
            client.log_batch(run_id, metrics=[Metric(key, k + 1 / (step + 1), now, step)
                                              for k, key in enumerate(keys)])
        seconds += time.perf_counter() - start
        client.set_terminated(run_id)
    points = args.runs * args.steps * args.metrics
    print(json.dumps({"points": points, "logging_seconds": seconds, "points_per_sec": points / seconds,
                      "mlflow_version": mlflow.__version__}))


def search_run(index):
    """Params, tags and metrics of the index-th run; StoreBenchmark.searchRun in Swift."""
    def fraction(multiplier):
        return (index * multiplier) % 10_007 / 10_007
    accuracy = fraction(7919)
    params = {"lr": ["0.1", "0.01", "0.001", "0.0001"][index % 4],
              "batch_size": ["32", "64", "128", "256"][(index // 4) % 4],
              "optimizer": ["sgd", "adam", "adamw"][index % 3],
              "epochs": str(10 + index % 20), "seed": str(index)}
    tags = {"team": ["vision", "nlp", "tabular"][index % 3], "model": f"mlp-{index % 5}",
            "stage": "production" if index % 10 == 0 else "development"}
    metrics = {"accuracy": accuracy, "loss": 1 - accuracy, "f1": fraction(104_729),
               "precision": fraction(1_299_709), "recall": fraction(15_485_863)}
    return params, tags, metrics


def populate(client, directory, count):
    """Writes `count` finished runs the way MLflow's SQLAlchemy store lays them out."""
    name = f"bench-search-{count}"
    if client.get_experiment_by_name(name):
        return client.get_experiment_by_name(name).experiment_id
    experiment_id = client.create_experiment(name)
    start = int(time.time() * 1000) - count * 1000
    runs, params, tags, metrics = [], [], [], []
    for index in range(count):
        run_id = uuid.uuid4().hex
        begin = start + index * 1000
        runs.append((run_id, f"search-{index}", "UNKNOWN", "", "", "bench", "FINISHED", begin, begin + 30_000,
                     "", "active", f"{directory}/artifacts/{run_id}", int(experiment_id)))
        p, t, m = search_run(index)
        params += [(key, value, run_id) for key, value in p.items()]
        tags += [(key, value, run_id) for key, value in t.items()] + [("mlflow.runName", f"search-{index}", run_id)]
        metrics += [(key, value, begin, run_id, 0, 0) for key, value in m.items()]
    with sqlite3.connect(directory / "mlflow.db") as db:
        db.executemany("INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, "
                       "status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", runs)
        db.executemany("INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)", params)
        db.executemany("INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)", tags)
        db.executemany("INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) "
                       "VALUES (?, ?, ?, ?, ?, ?)", metrics)
        db.executemany("INSERT INTO latest_metrics (key, value, timestamp, run_uuid, step, is_nan) "
                       "VALUES (?, ?, ?, ?, ?, ?)", metrics)
    return experiment_id


def search(args):
    client = client_for(args.dir)
    experiment_id = populate(client, args.dir, args.search_runs)

    def timed(max_results):
        found = client.search_runs([experiment_id], FILTER, order_by=ORDER_BY, max_results=max_results)
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            client.search_runs([experiment_id], FILTER, order_by=ORDER_BY, max_results=max_results)
            times.append(time.perf_counter() - start)
        return statistics.median(times) * 1000, len(found)

    search_ms, _ = timed(100)
    search_all_ms, matched = timed(50_000)
    print(json.dumps({"search_ms": search_ms, "search_all_ms": search_all_ms, "matched": matched,
                      "search_runs": args.search_runs, "mlflow_version": mlflow.__version__}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["log", "search"])
    parser.add_argument("--dir", type=Path, required=True, help="folder for mlflow.db")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--metrics", type=int, default=10)
    parser.add_argument("--search-runs", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    (log if args.mode == "log" else search)(args)


if __name__ == "__main__":
    sys.exit(main())
