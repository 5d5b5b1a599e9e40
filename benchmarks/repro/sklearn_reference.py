"""Independent reference figures for benchmarks/repro/*.yaml.

Fits the scikit-learn counterpart of each Ringmaster example on 20 random 80/20 splits of
the same CSV (standardized on the training part, as Ringmaster does) and prints the mean,
standard deviation and the mean +- 3 sd range of the validation metric as JSON lines. The
ranges in the reproduction specs come from this output.

    python benchmarks/repro/sklearn_reference.py     (needs scikit-learn)
"""
import csv
import json
import pathlib
import statistics

import numpy as np
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
import sklearn

DATA = pathlib.Path(__file__).resolve().parents[2] / "examples" / "data"


def load(name, label):
    with open(DATA / name) as handle:
        rows = list(csv.DictReader(handle))
    features = [k for k in rows[0] if k != label]
    x = np.array([[float(r[k]) for k in features] for r in rows])
    y = np.array([float(r[label]) for r in rows])
    return x, y


CASES = [
    ("digits-mlp", "digits.csv", "label", "validation_accuracy",
     lambda seed: MLPClassifier(hidden_layer_sizes=(128,), max_iter=300, random_state=seed), accuracy_score),
    ("breast-cancer-logistic", "breast_cancer.csv", "label", "validation_accuracy",
     lambda seed: LogisticRegression(max_iter=1000), accuracy_score),
    ("diabetes-linear", "diabetes.csv", "target", "validation_r2",
     lambda seed: LinearRegression(), r2_score),
]

for name, file, label, metric, make, score in CASES:
    x, y = load(file, label)
    scores = []
    for seed in range(20):
        x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.2, random_state=seed)
        scaler = StandardScaler().fit(x_train)
        model = make(seed).fit(scaler.transform(x_train), y_train)
        scores.append(score(y_val, model.predict(scaler.transform(x_val))))
    mean, sd = statistics.mean(scores), statistics.stdev(scores)
    print(json.dumps({"case": name, "metric": metric, "mean": round(mean, 4), "sd": round(sd, 4),
                      "min": round(mean - 3 * sd, 4), "max": round(mean + 3 * sd, 4),
                      "splits": len(scores), "sklearn": sklearn.__version__}))
