"""Reference values for MonitoringTests, computed with SciPy and NumPy on fixed samples.

    python Tests/MonitoringTests/Fixtures/make_drift_reference.py > Tests/MonitoringTests/Fixtures/drift_reference.json

Needs numpy and scipy. The samples are written out with the values, so the tests never have
to reproduce NumPy's random streams.
"""
import json

import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon

rng = np.random.default_rng(20261129)


def case(name, a, b):
    a = [float(x) for x in a]
    b = [float(x) for x in b]
    exact = stats.ks_2samp(a, b, method="exact")
    asymp = stats.ks_2samp(a, b, method="asymp")
    return {
        "name": name, "a": a, "b": b,
        "ks_statistic": float(exact.statistic),
        "ks_p_exact": float(exact.pvalue),
        "ks_p_asymp": float(asymp.pvalue),
        "wasserstein": float(stats.wasserstein_distance(a, b)),
        "quantiles": [float(q) for q in np.quantile(a, [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1])],
        "mean": float(np.mean(a)), "std": float(np.std(a)),
    }


cases = [
    case("normal shift 0.3", rng.normal(0, 1, 200), rng.normal(0.3, 1, 150)),
    case("same normal", rng.normal(5, 2, 500), rng.normal(5, 2, 400)),
    case("small samples", rng.normal(0, 1, 30), rng.normal(0.8, 1, 40)),
    case("integer ties", rng.integers(0, 17, 300), np.clip(rng.integers(0, 17, 250) + 2, 0, 16)),
    case("scale change", rng.normal(0, 1, 1000), rng.normal(0, 1.5, 2000)),
]


def psi(expected, actual):
    e = np.asarray(expected, float) / np.sum(expected)
    a = np.asarray(actual, float) / np.sum(actual)
    e = np.where(e == 0, 0.0001, e)
    a = np.where(a == 0, 0.0001, a)
    return float(np.sum((a - e) * np.log(a / e)))


count_pairs = [
    ([10, 20, 30, 40], [12, 18, 33, 37]),
    ([100, 0, 50, 25, 5], [20, 40, 50, 60, 10]),
    ([1, 1, 1, 1], [4, 0, 0, 0]),
    ([7, 3], [7, 3]),
]
distributions = [
    {"p": p, "q": q, "jensen_shannon": float(jensenshannon(p, q)), "psi": psi(p, q)} for p, q in count_pairs
]

print(json.dumps({"cases": cases, "distributions": distributions}))
