"""Makes the MLflow tracking database the import tests read, with real MLflow.

    python3 -m venv /work/venv-mlflow && /work/venv-mlflow/bin/pip install mlflow
    /work/venv-mlflow/bin/python Tests/MLflowInterchangeTests/Fixtures/make_fixture.py

Writes, beside this script:
  mlflow.db      the database, as `MLFLOW_TRACKING_URI=sqlite:///mlflow.db` leaves it
  expected.json  every run as MLflow's own client reads it back from mlflow.db, the
                 independent reference the tests compare the import with

Only needed again to follow a new MLflow schema; the tests never run Python.
"""

import json
import math
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

import mlflow
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag, ViewType

HERE = Path(__file__).resolve().parent
T0 = 1_700_000_000_000  # Unix milliseconds of the client-made runs (2023-11-14)


def fluent_run(experiment_id):
    """A run logged the way a training script does: context tags (mlflow.user, mlflow.source.*)
    come from MLflow; one metric goes NaN at step 7 and another is infinite at step 3."""
    with mlflow.start_run(experiment_id=experiment_id, run_name="lr-0.01",
                          tags={"team": "vision", "mlflow.note.content": "baseline"}) as run:
        mlflow.log_params({"lr": "0.01", "batch_size": 64, "optimizer": "adam"})
        for step in range(50):
            loss = float("nan") if step == 7 else 2.0 / (step + 1)
            mlflow.log_metrics({"train_loss": loss, "accuracy": 0.5 + step / 100}, step=step)
        for step in range(5):
            mlflow.log_metric("grad_norm", float("inf") if step == 3 else 1.0 + step, step=step)
    return run.info.run_id


def client_run(client, experiment_id, name, offset_s, status, metrics, params=None, tags=None):
    """A run with fixed times: starts at T0 + offset_s, logs `metrics` (key -> [(step, value)])
    one step apart in time, then ends with `status` (None leaves it running)."""
    start = T0 + offset_s * 1000
    run = client.create_run(experiment_id, start_time=start, run_name=name, tags=tags or {})
    run_id = run.info.run_id
    points = [Metric(key, value, start + 1000 * (step + 1), step)
              for key, series in metrics.items() for step, value in series]
    client.log_batch(run_id, metrics=points, params=[Param(k, v) for k, v in (params or {}).items()])
    if status is not None:
        client.set_terminated(run_id, status=status, end_time=start + 60_000)
    return run_id


def main():
    work = Path(tempfile.mkdtemp(prefix="mlflow-fixture-"))
    os.chdir(work)  # MLflow puts default artifact locations under the working directory
    db = work / "mlflow.db"
    uri = f"sqlite:///{db}"
    mlflow.set_tracking_uri(uri)
    client = MlflowClient(uri)

    sweep = client.create_experiment("mnist-sweep")
    tabular = client.create_experiment("tabular")
    archived = client.create_experiment("archived")

    fluent_run(sweep)
    # The same step logged twice (a retried step) keeps both points in MLflow's history.
    failed = client_run(client, sweep, "lr-0.1", 0, "FAILED",
                        {"train_loss": [(0, 2.5), (1, 3.5), (1, 3.75), (2, float("nan"))]},
                        params={"lr": "0.1", "batch_size": "64", "optimizer": "adam"},
                        tags={"team": "vision"})
    client_run(client, sweep, "diverged", 100, "KILLED", {"train_loss": [(0, 9.0), (1, -float("inf"))]},
               params={"lr": "1.0"})
    deleted = client_run(client, sweep, "scratch", 200, "FINISHED", {"train_loss": [(0, 1.0)]})
    client.delete_run(deleted)
    client_run(client, tabular, "still-running", 300, None, {"rmse": [(0, 0.9), (10, 0.4)]},
               params={"depth": "6"})
    queued = client_run(client, tabular, "queued", 400, None, {})
    client.update_run(queued, status="SCHEDULED")
    client_run(client, archived, "old", 500, "FINISHED", {"auc": [(0, 0.7)]})
    client.delete_experiment(archived)

    with sqlite3.connect(db) as conn:
        # MLflow before 1.x… kept a run's name only in the mlflow.runName tag; so does this run.
        conn.execute("UPDATE runs SET name = NULL WHERE run_uuid = ?", (failed,))
    conn = sqlite3.connect(db)
    # MLflow's schema has ~70 tables; small pages keep the empty ones from filling a megabyte.
    conn.execute("PRAGMA page_size = 1024")
    conn.execute("VACUUM")
    revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    conn.close()

    expected = {"mlflow_version": mlflow.__version__, "alembic_revision": revision, "runs": []}
    names = {e.experiment_id: e.name for e in client.search_experiments(view_type=ViewType.ALL)}
    runs = client.search_runs(list(names), run_view_type=ViewType.ALL, max_results=1000)
    for run in sorted(runs, key=lambda r: (r.info.start_time, r.info.run_id)):
        info = run.info
        histories = {key: [{"step": m.step, "value": number(m.value), "timestamp": m.timestamp}
                           for m in client.get_metric_history(info.run_id, key)]
                     for key in run.data.metrics}
        expected["runs"].append({
            "run_id": info.run_id, "experiment": names[info.experiment_id], "name": info.run_name,
            "status": info.status, "start_time": info.start_time, "end_time": info.end_time,
            "lifecycle_stage": info.lifecycle_stage,
            "experiment_deleted": info.experiment_id == archived,
            "params": run.data.params, "tags": run.data.tags, "metrics": histories,
        })
    (HERE / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    (HERE / "mlflow.db").write_bytes(db.read_bytes())
    print(f"mlflow {mlflow.__version__}, schema {revision}: {len(runs)} runs, "
          f"{db.stat().st_size} bytes", file=sys.stderr)


def number(value):
    """JSON has no NaN or infinity; write them as the strings Swift's decoder is told about."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


if __name__ == "__main__":
    main()
