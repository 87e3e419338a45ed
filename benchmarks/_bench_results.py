"""What the benchmark scripts share: paired timing, spreads, verdicts, results.

The benchmarks report **paired ratios**: in each repeat, our job and its
reference run back to back (their order alternating from one repeat to the
next), and the repeat's ratio is our time over the reference's. Noise that
hits one repeat hits both of its jobs alike, so the spread of the paired
ratios (min, median, max) shows how much of a figure is noise.

A target is judged on the median, and the spread says how sure that is:

* ``met``: the median and the whole spread meet the target;
* ``within noise``: the median meets it, but the spread crosses it;
* ``missed``: the median does not meet it.

``make bench`` runs each script with ``--results benchmarks/results.json``:
each writes its own section of that one JSON file, stamped with the machine,
the library versions, the load average and the date of its run. The docs
(``docs/_ext/benchmark_results.py``) and ``examples/plot_benchmarks.py``
render their tables and figure from that file, so that no figure is typed in
by hand. Where ``docs`` and this module meet: ``verdict``, ``format_value``
and ``target_rows``.
"""

import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RESULTS = REPO_ROOT / "benchmarks" / "results.json"
# The libraries whose versions a run records (those installed; none imported).
LIBRARIES = (
    "numpy",
    "scipy",
    "scikit-learn",
    "threadpoolctl",
    "torch",
    "skorch",
    "dask",
    "distributed",
    "joblib",
)
# Rows of the targets table, in the order of the issue that set them.
ROW_ORDER = ("W1", "W2", "W3", "W4", "W5", "T1", "T2", "M0", "M1")
SYMBOLS = {"<=": "≤", ">=": "≥"}


# ------------------------------------------------------------ spreads, verdicts


def spread(values):
    """Min, median and max of ``values``, and the values themselves."""
    values = [float(v) for v in values]
    return {
        "min": min(values),
        "median": statistics.median(values),
        "max": max(values),
        "values": values,
    }


def _meets(value, target):
    if target["op"] == "<=":
        return value <= target["value"]
    return value >= target["value"]


def verdict(target, values):
    """``"met"``, ``"within noise"`` or ``"missed"``: see the module's docstring.

    Parameters
    ----------
    target : dict or None
        ``{"op": "<=" or ">=", "value": float}``; None for a figure without a
        target, whose verdict is ``"-"``.
    values : dict
        A ``spread``: ``min``, ``median`` and ``max``.
    """
    if target is None:
        return "-"
    if not _meets(values["median"], target):
        return "missed"
    if _meets(values["min"], target) and _meets(values["max"], target):
        return "met"
    return "within noise"


def format_value(value, unit):
    """A figure as printed: a ratio ``0.39x``, a percentage ``45%``, else ``1.23``."""
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "%":
        return f"{100 * value:.0f}%"
    return f"{value:.3g}"


def format_spread(values, unit):
    """``median (min to max)``, or the median alone for a single measurement."""
    median = format_value(values["median"], unit)
    if len(values.get("values", ())) <= 1:
        return median
    low, high = format_value(values["min"], unit), format_value(values["max"], unit)
    return f"{median} ({low} to {high})"


def format_target(target, unit):
    if target is None:
        return "-"
    return f"{SYMBOLS[target['op']]} {format_value(target['value'], unit)}"


def target_rows(results):
    """The rows of the targets table from every section of ``results``.

    Each row is a dict: ``id``, ``workload``, ``reference``, ``value`` (the
    spread, formatted), ``target``, ``floor`` and ``verdict``, sorted by
    ``ROW_ORDER`` then by position in the file.
    """
    rows = []
    for section in results.values():
        for row in section.get("rows", []):
            unit = row.get("unit", "x")
            rows.append(
                {
                    "id": row["id"],
                    "workload": row["workload"],
                    "reference": row["reference"],
                    "value": format_spread(row["spread"], unit),
                    "repeats": len(row["spread"].get("values", ())),
                    "target": format_target(row.get("target"), unit),
                    "floor": format_target(row.get("floor"), unit),
                    "verdict": verdict(row.get("target"), row["spread"]),
                }
            )
    rank = {name: i for i, name in enumerate(ROW_ORDER)}
    return sorted(rows, key=lambda r: rank.get(r["id"], len(ROW_ORDER)))


# ------------------------------------------------------------------ timing


def timed(job):
    """Run ``job()``; return its wall-clock seconds and its output."""
    start = time.perf_counter()
    output = job()
    return time.perf_counter() - start, output


def paired_times(jobs, repeats, *, warm_up=True):
    """Time the jobs of ``jobs`` (a dict of callables) in rotating order.

    After one untimed run of each (when ``warm_up``), each of the ``repeats``
    rounds runs every job once, the order shifted by one job per round.

    Returns
    -------
    times : dict
        Name -> list of seconds, one per round: ``times[a][i] / times[b][i]``
        is a paired ratio.
    outputs : dict
        Name -> the output of its last run.
    """
    names = list(jobs)
    outputs = {name: jobs[name]() for name in names} if warm_up else {}
    times = {name: [] for name in names}
    for repeat in range(repeats):
        shift = repeat % len(names)
        for name in names[shift:] + names[:shift]:
            seconds, outputs[name] = timed(jobs[name])
            times[name].append(seconds)
    return times, outputs


def ratios(numerators, denominators):
    return [a / b for a, b in zip(numerators, denominators)]


# --------------------------------------------------------------- environment


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _git_commit():
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("+changes" if dirty else "")


def load_average():
    """The 1-minute load average, or None where the system has none."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def environment():
    """The machine, BLAS, versions and date of a run, as a JSON-ready dict."""
    from threadpoolctl import threadpool_info

    versions = {"python": platform.python_version()}
    for name in ("sklearn-binnet", *LIBRARIES):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "commit": _git_commit(),
        "machine": {
            "cpu": _cpu_model(),
            "cores": os.cpu_count(),
            "system": f"{platform.system()} {platform.machine()}",
        },
        "blas": [
            {
                key: pool.get(key)
                for key in (
                    "user_api",
                    "internal_api",
                    "prefix",
                    "version",
                    "num_threads",
                    "architecture",
                    "threading_layer",
                )
            }
            for pool in threadpool_info()
        ],
        "blas_environment": {
            k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS_", "OMP_"))
        },
        "versions": versions,
        "load_average_start": load_average(),
        "started": time.time(),
    }


def print_environment(env):
    print(f"{env['date']}  {env['command']}  commit {env['commit']}")
    machine = env["machine"]
    print(f"{machine['cpu']}, {machine['cores']} cores, {machine['system']}")
    for pool in env["blas"]:
        print(
            f"{pool['user_api']}: {pool['internal_api']} {pool['version']}, "
            f"{pool['num_threads']} threads, kernel {pool['architecture']}"
        )
    print(", ".join(f"{k} {v}" for k, v in env["versions"].items()))
    print(f"thread settings in the environment: {env['blas_environment'] or 'none'}")
    print(f"load average (1 min) at start: {env['load_average_start']}")


# -------------------------------------------------------------- results file


def write_section(path, name, section):
    """Write ``section`` as ``name`` in the JSON file ``path``, keeping the others.

    ``section`` gets ``load_average_end`` and ``duration_s`` (since its
    environment was read). The file is replaced atomically.
    """
    path = Path(path)
    results = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    section = dict(section)
    section["environment"] = {
        **section["environment"],
        "load_average_end": load_average(),
    }
    if "started" in section["environment"]:
        started = section["environment"]["started"]
        section["environment"]["duration_s"] = round(time.time() - started, 1)
    results[name] = section
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
    print(f"\nwrote section {name!r} of {path}")


def read_results(path=DEFAULT_RESULTS):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def print_target_rows(rows):
    """Print the rows of ``target_rows`` as a text table."""
    header = ["id", "workload", "reference", "median (min to max)", "target"]
    header += ["verdict"]
    keys = ["id", "workload", "reference", "value", "target", "verdict"]
    cells = [[str(row[k]) for k in keys] for row in rows]
    widths = [max(len(r[i]) for r in [header, *cells]) for i in range(len(header))]
    for line in [header, ["-" * w for w in widths], *cells]:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip())


def main(argv=None):
    """Print every figure with a target from a results file (``make bench``)."""
    argv = sys.argv[1:] if argv is None else argv
    results = read_results(argv[0] if argv else DEFAULT_RESULTS)
    print("\nEvery figure with a target (median of paired ratios, min to max):")
    print_target_rows(target_rows(results))
    for name, section in results.items():
        env = section["environment"]
        print(
            f"{name}: {env['date']}, load average {env['load_average_start']} "
            f"at start, {env['load_average_end']} at end"
        )


if __name__ == "__main__":
    main()
