"""Writes the example CSVs in this folder from the datasets bundled with scikit-learn.

Nothing is downloaded: these three datasets ship inside the scikit-learn package.
Run from anywhere, with scikit-learn installed (any 1.x):

    python3 examples/data/export.py

The output is deterministic, so the files' sha256 (the dataset fingerprints that
Ringmaster records and that DatasetsTests checks) only change if the data does.
"""

import csv
from pathlib import Path

from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits

HERE = Path(__file__).resolve().parent


def compact(value):
    """Whole numbers as integers (pixel counts, 0/1 labels), other floats with repr,
    the shortest text that reads back to the same float64."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def export(name, bunch, feature_names, label_name):
    with open(HERE / name, "w", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(list(feature_names) + [label_name])
        for row, label in zip(bunch.data, bunch.target):
            writer.writerow([compact(v) for v in row] + [compact(label)])
    print(f"{name}: {bunch.data.shape[0]} rows x {bunch.data.shape[1]} features")


digits = load_digits()
# sklearn already names the 8x8 pixels pixel_<row>_<column>.
export("digits.csv", digits, digits.feature_names, "label")

cancer = load_breast_cancer()
# "mean radius" -> "mean_radius": names without spaces are easier to use in configs.
export("breast_cancer.csv", cancer, [n.replace(" ", "_") for n in cancer.feature_names], "label")

# The default (scaled=True) features: mean-centred and scaled by sqrt(n) * std, as in the paper.
diabetes = load_diabetes()
export("diabetes.csv", diabetes, diabetes.feature_names, "target")
