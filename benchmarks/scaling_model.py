#!/usr/bin/env python3
"""Alpha-beta cost model of Ringmaster's data-parallel training step, fitted on this machine.

Across nodes, Ringmaster's trainer runs forward, loss, backward, then ONE fused MPI_Allreduce
averaging the whole gradient arena, then the optimizer update (no overlap of compute and
communication); ranks that all share one node exchange through shared memory instead, so the
measurements here ask for the allreduce path (`--exchange allreduce`). So a step on n ranks costs

    T_step(n) = T_compute + T_allreduce(n, m)            (m = gradient bytes = 4 x parameters)

and for a ring allreduce (reduce-scatter + allgather) of m bytes over n ranks

    T_allreduce(n, m) = 2(n-1)*alpha + (n-1)/n * m * (2*beta + gamma) + s*m

alpha = per-message latency, beta = seconds per byte on the link, gamma = seconds per byte to
reduce (add) incoming data, s = seconds per byte of the final averaging pass (x 1/n).

This script
  1. measures, by calling the release binary: the compute time per step on 1 rank
     (`bench train` phase seconds), and allreduce time vs message size at 1, 2 and 4 ranks
     (`bench allreduce`, our averaging path);
  2. fits s (1 rank), then alpha and B = 2*beta + gamma (2 and 4 ranks) by least squares on
     relative residuals (sizes span 4 KiB to 16 MiB, so absolute residuals would only see the
     largest sizes); gamma is estimated from s (see ASSUMPTIONS), beta_shm = (B - gamma) / 2;
  3. predicts step time and weak-scaling efficiency T_compute / T_step(n) for 1..256 nodes on
     10 and 100 Gbit/s Ethernet (TCP), and validates the model against measured 2- and
     4-rank `bench train` step times (medians of 3 runs).

Standard library only. Usage:
    python3 benchmarks/scaling_model.py                       # measure, fit, predict
    python3 benchmarks/scaling_model.py --save m.json         # also keep the raw measurements
    python3 benchmarks/scaling_model.py --load m.json         # refit / re-predict without measuring
    sudo python3 benchmarks/scaling_model.py --netns          # also validate over TCP between two
                                                              # network-namespace hosts (scripts/hosts.sh)
Prints a human-readable report, then one JSON object on the last line.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# --- assumptions for the network predictions --------------------------------------------------
NETWORKS = {
    # alpha: one-way small-message latency of kernel TCP between applications, incl. MPI overhead.
    # 10 GbE: ~20 us end-to-end application latency (Hurwitz & Feng, "Initial End-to-End
    # Performance Evaluation of 10-Gigabit Ethernet", IEEE Hot Interconnects 2003: 19-21 us);
    # modern NICs/kernels do somewhat better, so this is on the pessimistic side.
    # 100 GbE: ~5 us one-way for tuned kernel TCP (no RDMA), the order usually quoted for
    # current 100 GbE NICs with busy polling; an assumption, not a measurement.
    "10GbE": {"gbit_per_s": 10.0, "alpha_s": 20e-6},
    "100GbE": {"gbit_per_s": 100.0, "alpha_s": 5e-6},
}
# TCP/IP goodput over the line rate with a 1500-byte MTU: 1448 payload bytes per 1538 on the wire.
WIRE_EFFICIENCY = 1448 / 1538
NODES = [1, 2, 4, 8, 16, 32, 64, 128, 256]
FAST_NODE_SPEEDUP = 10.0  # second scenario: a node computing 10x faster than one core here
# gamma (seconds per byte reduced) is estimated from s (the averaging pass, 1 read + 1 write
# stream per element) scaled by 3/2, since an add reads two streams and writes one.
GAMMA_OVER_S = 1.5

SIZES = [1024, 4096, 16384, 65536, 262144, 669706, 1048576, 4194304]
RANKS_FIT = [2, 4]
CORES = os.cpu_count() or 1


def env():
    e = dict(os.environ)
    e.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
             OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    return e


def launch(binary, ranks, args):
    cmd = [binary] + args
    if ranks is not None:  # None: run directly, without a launcher (one in-process rank)
        cmd = ["mpirun", "--bind-to", "none"] + (["--oversubscribe"] if ranks > 2 else []) + \
              ["-np", str(ranks)] + cmd
    out = subprocess.run(cmd, env=env(), check=True, capture_output=True, text=True, cwd=ROOT).stdout
    lines = [json.loads(l) for l in out.splitlines() if l.strip().startswith("{")]
    return lines


def measure(binary, runs, steps, iterations):
    # The model is of the allreduce path (ranks on several nodes): on one node the trainer
    # would exchange gradients through shared memory instead, so the allreduce is asked for.
    train_args = ["bench", "train", "--features", "784", "--hidden", "512,512", "--classes", "10",
                  "--batch", "128", "--steps", str(steps), "--exchange", "allreduce"]
    m = {"train": {}, "allreduce": {}, "cores": CORES,
         "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", "(detected)")}
    # Alternate rank counts within each round so drifting machine load hits them alike.
    for r in range(runs):
        for n in [1, 2, 4]:
            res = launch(binary, n if n > 1 else None, train_args)[-1]
            m["train"].setdefault(str(n), []).append(res)
            print(f"  train n={n} run {r + 1}: {res['samples_per_sec']:.0f} samples/s", file=sys.stderr)
    for n in [1] + RANKS_FIT:
        res = launch(binary, n, ["bench", "allreduce", "--elements", ",".join(map(str, SIZES)),
                                 "--iterations", str(iterations)])
        m["allreduce"][str(n)] = res
        print(f"  allreduce n={n}: {len(res)} sizes", file=sys.stderr)
    return m


def hosts(command, *args, check=True):
    """scripts/hosts.sh COMMAND ARGS with this script's own host names."""
    e = env()
    e["RINGMASTER_NETNS_PREFIX"] = NETNS_PREFIX
    return subprocess.run([os.path.join(ROOT, "scripts", "hosts.sh"), command, *args], env=e, check=check,
                          capture_output=True, text=True, cwd=ROOT)


NETNS_PREFIX = f"rmsm{os.getpid()}"


def measure_netns(binary, runs, steps, iterations):
    """Allreduce and 2-rank training steps with one rank on each of two namespace hosts (TCP
    over a veth pair and a bridge), plus the 1-rank references they are predicted from."""
    train_args = ["bench", "train", "--features", "784", "--hidden", "512,512", "--classes", "10",
                  "--batch", "128", "--steps", str(steps)]
    m = {"train": {}, "allreduce": {}, "cores": CORES, "transport": "tcp between network namespaces",
         "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", "(detected)")}
    hosts("up", "2")
    try:
        def across(args):
            out = hosts("mpirun", binary, *args).stdout
            return [json.loads(l) for l in out.splitlines() if l.strip().startswith("{")]
        for r in range(runs):
            res = launch(binary, None, train_args)[-1]
            m["train"].setdefault("1", []).append(res)
            res = across(train_args)[-1]
            m["train"].setdefault("2", []).append(res)
            print(f"  netns train run {r + 1}: {res['samples_per_sec']:.0f} samples/s", file=sys.stderr)
        m["allreduce"]["1"] = launch(binary, 1, ["bench", "allreduce", "--elements", ",".join(map(str, SIZES)),
                                                 "--iterations", str(iterations)])
        m["allreduce"]["2"] = across(["bench", "allreduce", "--elements", ",".join(map(str, SIZES)),
                                      "--iterations", str(iterations)])
    finally:
        hosts("down", check=False)
    return m


def lstsq(rows, ys):
    """Least squares for a small dense system via normal equations (Gaussian elimination)."""
    k = len(rows[0])
    a = [[sum(r[i] * r[j] for r in rows) for j in range(k)] for i in range(k)]
    b = [sum(r[i] * y for r, y in zip(rows, ys)) for i in range(k)]
    for c in range(k):
        p = max(range(c, k), key=lambda i: abs(a[i][c]))
        a[c], a[p], b[c], b[p] = a[p], a[c], b[p], b[c]
        for i in range(k):
            if i != c:
                f = a[i][c] / a[c][c]
                a[i] = [x - f * y for x, y in zip(a[i], a[c])]
                b[i] -= f * b[c]
    return [b[i] / a[i][i] for i in range(k)]


def fit(m, ranks=RANKS_FIT):
    # 1 rank: MPI_Allreduce in place is a no-op, what is left is c0 + s*m (the averaging pass).
    one = m["allreduce"]["1"]
    rows = [[1 / p["ours_median_seconds"], p["bytes"] / p["ours_median_seconds"]] for p in one]
    c0, s = lstsq(rows, [1.0] * len(rows))
    # n ranks: T - s*m = 2(n-1)*alpha + (n-1)/n*m*B, relative residuals (each row divided by T).
    rows, ys, pts = [], [], []
    for n in ranks:
        for p in m["allreduce"][str(n)]:
            t, b = p["ours_median_seconds"], p["bytes"]
            rows.append([2 * (n - 1) / t, (n - 1) / n * b / t])
            ys.append((t - s * b) / t)
            pts.append((n, b, t))
    alpha, big_b = lstsq(rows, ys)
    gamma = GAMMA_OVER_S * s
    beta = (big_b - gamma) / 2
    model = {"alpha_s": alpha, "B_s_per_byte": big_b, "beta_s_per_byte": beta,
             "gamma_s_per_byte": gamma, "s_s_per_byte": s, "one_rank_overhead_s": c0}
    resid = []
    for n, b, t in pts:
        pred = allreduce_time(n, b, alpha, big_b, s)
        resid.append({"ranks": n, "bytes": b, "measured_s": t, "model_s": pred,
                      "error_pct": 100 * (pred - t) / t})
    model["residuals"] = resid
    model["rms_rel_error_pct"] = math.sqrt(statistics.fmean(r["error_pct"] ** 2 for r in resid))
    return model


def allreduce_time(n, nbytes, alpha, big_b, s):
    if n == 1:
        return 0.0
    return 2 * (n - 1) * alpha + (n - 1) / n * nbytes * big_b + s * nbytes


def compute_per_step(res):
    ph = res["phase_seconds"]
    return (ph["forward"] + ph["loss"] + ph["backward"] + ph["optimizer"]) / res["steps"]


def predict(m, model):
    one = m["train"]["1"]
    t_comp = statistics.median(compute_per_step(r) for r in one)
    params = one[0]["parameters"]
    nbytes = 4 * params
    batch = one[0]["batch_per_rank"]
    per_sample = statistics.median(
        (r["phase_seconds"]["forward"] + r["phase_seconds"]["loss"] + r["phase_seconds"]["backward"])
        / (r["steps"] * batch) for r in one)
    opt_step = statistics.median(r["phase_seconds"]["optimizer"] / r["steps"] for r in one)
    out = {"parameters": params, "gradient_bytes": nbytes, "batch_per_rank": batch,
           "compute_s_per_step_1rank": t_comp, "fwd_bwd_loss_s_per_sample": per_sample,
           "optimizer_s_per_step": opt_step, "scenarios": {}}
    for scen, speed in [("this_core", 1.0), ("10x_node", FAST_NODE_SPEEDUP)]:
        tc = t_comp / speed
        for name, net in NETWORKS.items():
            beta = 8 / (net["gbit_per_s"] * 1e9 * WIRE_EFFICIENCY)
            big_b = 2 * beta + model["gamma_s_per_byte"]
            rows = []
            for n in NODES:
                ta = allreduce_time(n, nbytes, net["alpha_s"], big_b, model["s_s_per_byte"])
                step = tc + ta
                rows.append({"nodes": n, "step_ms": 1e3 * step, "allreduce_ms": 1e3 * ta,
                             "samples_per_s": n * batch / step, "efficiency": tc / step})
            out["scenarios"][f"{scen}/{name}"] = {"compute_ms": 1e3 * tc, "alpha_s": net["alpha_s"],
                                                 "beta_s_per_byte": beta, "rows": rows}
    return out


def validate(m, model, pred):
    t_comp = pred["compute_s_per_step_1rank"]
    out = []
    for n in RANKS_FIT:
        runs = m["train"][str(n)]
        measured = statistics.median(r["seconds"] / r["steps"] for r in runs)
        comp_meas = statistics.median(compute_per_step(r) for r in runs)
        ar_meas = statistics.median(r["phase_seconds"]["allreduce"] / r["steps"] for r in runs)
        ar_model = allreduce_time(n, pred["gradient_bytes"], model["alpha_s"], model["B_s_per_byte"],
                                  model["s_s_per_byte"])
        predicted = t_comp + ar_model
        # Same model with compute slowed by core sharing: n ranks on CORES cores.
        shared = t_comp * max(1.0, n / CORES) + ar_model
        out.append({"ranks": n, "oversubscribed": n > CORES,
                    "measured_step_ms": 1e3 * measured, "predicted_step_ms": 1e3 * predicted,
                    "error_pct": 100 * (predicted - measured) / measured,
                    "predicted_core_sharing_ms": 1e3 * shared,
                    "error_core_sharing_pct": 100 * (shared - measured) / measured,
                    "measured_compute_ms": 1e3 * comp_meas, "model_compute_ms": 1e3 * t_comp,
                    "measured_allreduce_phase_ms": 1e3 * ar_meas, "model_allreduce_ms": 1e3 * ar_model,
                    "runs_step_ms": [1e3 * r["seconds"] / r["steps"] for r in runs]})
    return out


def report(m, model, pred, val):
    p = print
    p(f"Machine: {m['cores']} cores; OPENBLAS_CORETYPE={m['openblas_coretype']}")
    p(f"\nFitted ring-allreduce constants ({m.get('transport', 'loopback / shared memory')}, Open MPI):")
    p(f"  alpha = {model['alpha_s'] * 1e6:.2f} us per message")
    p(f"  B = 2*beta + gamma = {model['B_s_per_byte'] * 1e12:.1f} ps/byte "
      f"({1 / model['B_s_per_byte'] / 1e9:.2f} GB/s effective)")
    p(f"  s (averaging pass) = {model['s_s_per_byte'] * 1e12:.1f} ps/byte; "
      f"gamma = {GAMMA_OVER_S} s = {model['gamma_s_per_byte'] * 1e12:.1f} ps/byte; "
      f"beta_shm = {model['beta_s_per_byte'] * 1e12:.1f} ps/byte")
    p(f"  rms relative error of the fit: {model['rms_rel_error_pct']:.1f} %")
    for n, f in model.get("per_ranks", {}).items():
        p(f"  fitted on {n} ranks alone: alpha {f['alpha_s'] * 1e6:.2f} us, B {f['B_s_per_byte'] * 1e12:.1f} ps/byte, "
          f"rms {f['rms_rel_error_pct']:.1f} %")
    for r in model["residuals"]:
        p(f"    n={r['ranks']} {r['bytes']:>9} B  measured {r['measured_s'] * 1e6:9.1f} us  "
          f"model {r['model_s'] * 1e6:9.1f} us  ({r['error_pct']:+.1f} %)")
    p(f"\nCompute on 1 rank: {pred['compute_s_per_step_1rank'] * 1e3:.3f} ms/step "
      f"({pred['fwd_bwd_loss_s_per_sample'] * 1e6:.2f} us/sample fwd+loss+bwd, "
      f"{pred['optimizer_s_per_step'] * 1e3:.3f} ms optimizer); gradient {pred['gradient_bytes']:,} B")
    for key, sc in pred["scenarios"].items():
        p(f"\n{key}: compute {sc['compute_ms']:.3f} ms, alpha {sc['alpha_s'] * 1e6:.0f} us, "
          f"beta {sc['beta_s_per_byte'] * 1e12:.0f} ps/B")
        p("  nodes  step_ms  allreduce_ms  samples/s  efficiency")
        for r in sc["rows"]:
            p(f"  {r['nodes']:5d} {r['step_ms']:8.3f} {r['allreduce_ms']:12.3f} {r['samples_per_s']:10.0f} "
              f"{r['efficiency']:10.3f}")
    p("\nValidation on this machine (medians of 3 runs):")
    for v in val:
        p(f"  n={v['ranks']}{' (oversubscribed)' if v['oversubscribed'] else ''}: measured "
          f"{v['measured_step_ms']:.3f} ms/step, predicted {v['predicted_step_ms']:.3f} ms "
          f"({v['error_pct']:+.1f} %); with core sharing {v['predicted_core_sharing_ms']:.3f} ms "
          f"({v['error_core_sharing_pct']:+.1f} %)")
        p(f"      compute measured {v['measured_compute_ms']:.3f} vs model {v['model_compute_ms']:.3f} ms; "
          f"allreduce phase measured {v['measured_allreduce_phase_ms']:.3f} vs model "
          f"{v['model_allreduce_ms']:.3f} ms")


def markdown(pred):
    """The prediction table as Markdown, for benchmarks/scaling_model.md."""
    sc = pred["scenarios"]
    lines = ["| nodes | 10 GbE step ms | 10 GbE allreduce ms | 10 GbE efficiency | 100 GbE step ms "
             "| 100 GbE allreduce ms | 100 GbE efficiency | 10x node, 10 GbE eff. | 10x node, 100 GbE eff. |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for i, n in enumerate(NODES):
        a, b = sc["this_core/10GbE"]["rows"][i], sc["this_core/100GbE"]["rows"][i]
        c, d = sc["10x_node/10GbE"]["rows"][i], sc["10x_node/100GbE"]["rows"][i]
        lines.append(f"| {n} | {a['step_ms']:.2f} | {a['allreduce_ms']:.2f} | {a['efficiency']:.2f} "
                     f"| {b['step_ms']:.2f} | {b['allreduce_ms']:.2f} | {b['efficiency']:.2f} "
                     f"| {c['efficiency']:.2f} | {d['efficiency']:.2f} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "ringmaster"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--iterations", type=int, default=50)
    ap.add_argument("--save", help="write the raw measurements here")
    ap.add_argument("--load", help="use these raw measurements instead of measuring")
    ap.add_argument("--markdown", action="store_true", help="also print the prediction table as Markdown")
    ap.add_argument("--netns", action="store_true",
                    help="measure 2 ranks on two network-namespace hosts (TCP) instead of 1, 2 and 4 on loopback")
    a = ap.parse_args()
    global RANKS_FIT
    if a.load:
        with open(a.load) as f:
            m = json.load(f)
    elif a.netns:
        m = measure_netns(a.binary, a.runs, a.steps, a.iterations)
    else:
        m = measure(a.binary, a.runs, a.steps, a.iterations)
    if "transport" in m:  # the namespace measurement has 2 ranks only
        RANKS_FIT = [2]
    if a.save:
        with open(a.save, "w") as f:
            json.dump(m, f, indent=1)
    model = fit(m, RANKS_FIT)
    # Per-rank-count fits show how far 4 oversubscribed ranks pull the joint fit.
    model["per_ranks"] = {str(n): {k: v for k, v in fit(m, [n]).items() if k in ("alpha_s", "B_s_per_byte", "rms_rel_error_pct")}
                          for n in RANKS_FIT}
    pred = predict(m, model)
    val = validate(m, model, pred)
    report(m, model, pred, val)
    if a.markdown:
        print("\n" + markdown(pred) + "\n")
    print(json.dumps({"model": model, "prediction": pred, "validation": val}))


if __name__ == "__main__":
    main()
