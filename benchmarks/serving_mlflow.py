"""The MLflow side of benchmarks/compare_serving.sh: fits scikit-learn's MLPClassifier on
examples/data/digits.csv with the same hidden sizes and standardization as ringmaster's
digits model (a StandardScaler + MLPClassifier pipeline, so preprocessing runs inside the
served model as ringmaster's does), logs it with MLflow (SQLite store, artifacts beside it)
and prints the model URI; serve it with MLFLOW_TRACKING_URI=sqlite:///DIR/mlflow.db.

    python serving_mlflow.py --data examples/data/digits.csv --tracking DIR --hidden 128
"""
import argparse
import json

import mlflow
import mlflow.sklearn
import pandas as pd
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--tracking", required=True, help="folder for MLflow's SQLite store and artifacts")
    parser.add_argument("--hidden", default="128", help="comma-separated hidden layer sizes")
    args = parser.parse_args()

    frame = pd.read_csv(args.data)
    # Float columns, so the logged signature takes the same JSON numbers ringmaster does.
    features, labels = frame.drop(columns=["label"]).astype("float64"), frame["label"]
    hidden = tuple(int(h) for h in args.hidden.split(","))
    model = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=hidden, max_iter=300, random_state=5))
    model.fit(features, labels)

    mlflow.set_tracking_uri(f"sqlite:///{args.tracking}/mlflow.db")
    experiment = mlflow.create_experiment("serving", artifact_location=f"file://{args.tracking}/artifacts")
    with mlflow.start_run(experiment_id=experiment) as run:
        # The fitted MLP keeps its Adam state, which skops asks us to trust explicitly.
        info = mlflow.sklearn.log_model(
            model, name="model", input_example=features.head(1),
            skops_trusted_types=["sklearn.neural_network._stochastic_optimizers.AdamOptimizer"])
    print(json.dumps({"model_uri": info.model_uri, "run_id": run.info.run_id,
                      "train_accuracy": float(model.score(features, labels)),
                      "mlflow_version": mlflow.__version__}))


if __name__ == "__main__":
    main()
