"""Tables of the benchmark results file, rendered when the docs are built.

``make bench`` writes ``benchmarks/results.json``; the pages quote it through
two directives, so that no figure in them is typed in by hand:

``.. benchmark-table:: KIND``
    A table: ``targets`` (every figure with a target, its spread and its
    verdict), ``times``, ``memory``, ``accuracy``, ``streaming`` or
    ``search-dask``.
``.. benchmark-run:: SECTION [SECTION ...]``
    One paragraph per section saying when, where and how its figures were
    measured: date, command, commit, CPU, BLAS, versions and load average.

A section missing from the file (``make bench`` without ``make bench-all``)
renders as a note that says so. The file is the Sphinx setting
``benchmark_results`` (default: ``benchmarks/results.json``).

The verdicts (met, within noise, missed) and the formats come from
``benchmarks/_bench_results.py``, the module the benchmarks print with. The
functions ``render_table`` and ``render_run`` return the rst lines and need
no Sphinx: the tests call them on small synthetic results.
"""

import importlib.util
import json
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
RESULTS = REPO_ROOT / "benchmarks" / "results.json"


def _load_bench_results():
    path = REPO_ROOT / "benchmarks" / "_bench_results.py"
    spec = importlib.util.spec_from_file_location("_bench_results", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_bench = _load_bench_results()


# ------------------------------------------------------------ rst helpers


def _cell(value):
    text = str(value)
    # A cell is parsed as rst: a leading "-", "*" or "+" would start a list.
    return "\\" + text if text[:1] in "-*+#|" else text


def _list_table(header, rows, caption=""):
    lines = [f".. list-table:: {caption}".rstrip(), "   :header-rows: 1", ""]
    for row in [header, *rows]:
        first, *rest = (_cell(value) for value in row)
        lines.append(f"   * - {first}")
        lines.extend(f"     - {value}" for value in rest)
    return [*lines, ""]


def _mb(value):
    return f"{value:,.0f} MB"


# ------------------------------------------------------------------ tables


def _targets(results):
    header = ["id", "workload", "reference", "median (min to max)", "target"]
    header += ["floor", "result"]
    keys = ("id", "workload", "reference", "value", "target", "floor", "verdict")
    rows = [[r[key] for key in keys] for r in _bench.target_rows(results)]
    return _list_table(header, rows)


def _times(results):
    header = ["id", "workload", "ours (s)", "reference (s)", "agreement"]
    rows = []
    for name in ("numpy", "torch"):
        for row in results.get(name, {}).get("rows", []):
            ours = row.get("ours_s", row.get("fit_s"))
            reference = row.get("reference_s")
            if "gemm_gflops" in row:
                reference = f"GEMM {row['gemm_gflops']:.0f} GFLOP/s"
            elif reference is not None:
                reference = f"{reference:.4f}"
            agreement = row.get("agreement")
            rows.append(
                [
                    row["id"],
                    row["workload"],
                    f"{ours:.4f}",
                    reference,
                    "" if agreement is None else f"{agreement:.1e}",
                ]
            )
    return _list_table(header, rows)


def _memory(results):
    section = results["memory"]
    header = ["backend", "input", "data", "peak above baseline", "peak / data"]
    header += ["fit's own extra"]
    rows = [
        [
            m["backend"],
            m["input"],
            _mb(m["data_mb"]),
            _mb(m["peak_mb"]),
            f"{m['peak_over_data']:.2f}x",
            _mb(m["fit_extra_mb"]),
        ]
        for m in section["table"]
    ]
    return _list_table(header, rows, caption=section["config"])


def _accuracy(results):
    header = ["data set", "estimator", "accuracy", "log loss", "ROC AUC"]
    header += ["fit time (s)"]
    rows = [
        [
            a["dataset"],
            a["estimator"],
            f"{a['accuracy_mean']:.4f} ± {a['accuracy_std']:.4f}",
            f"{a['log_loss']:.4f}",
            f"{a['roc_auc']:.4f}",
            f"{a['fit_time_s']:.3f}",
        ]
        for a in results["accuracy"]["table"]
    ]
    return _list_table(header, rows)


_ESTIMATORS = {"numpy": "NumpyBinaryMLP", "torch": "TorchBinaryMLP"}


def _streaming(results):
    section = results["streaming"]
    c = section["config"]
    backends = list(dict.fromkeys(m["backend"] for m in section["table"]))
    inputs = list(dict.fromkeys(m["input"] for m in section["table"]))
    cells = {(m["backend"], m["input"]): m for m in section["table"]}
    rows = []
    for kind in inputs:
        row = [kind]
        for backend in backends:
            m = cells.get((backend, kind))
            row.append(
                "" if m is None else f"{_mb(m['peak_mb'])} ({m['peak_over_data']:.2f}x)"
            )
        rows.append(row)
    caption = (
        f"float32 {c['rows']:,} x {c['features']} ({_mb(c['data_mb'])}), "
        f"{c['blocks']} blocks of {c['block_rows']:,} rows "
        f"({_mb(c['block_mb'])}), {c['epochs']} epoch(s)"
    )
    header = ["input", *(_ESTIMATORS[b] for b in backends)]
    return _list_table(header, rows, caption=caption)


_MODES = {
    "sequential": "in the calling process",
    "loky": "joblib's worker processes",
    "dask": "dask LocalCluster, one worker per core",
}


def _search_dask(results):
    section = results["search_dask"]
    c = section["config"]
    rows = [
        [
            _ESTIMATORS[t["backend"]],
            _MODES[t["mode"]],
            f"{t['setup']:.1f} s" if t["mode"] == "dask" else "",
            f"{t['seconds'][0]:.1f} s",
            f"{t['seconds'][1]:.1f} s",
            f"{t['best_score']:.4f}",
        ]
        for t in section["table"]
    ]
    caption = (
        f"{c['candidates']} candidates x {c['folds']} folds on "
        f"{c['samples']:,} x {c['features']}, {c['max_iter']} epochs"
    )
    header = ["estimator", "how the fits run", "cluster start", "1st search"]
    header += ["2nd search", "best score"]
    return _list_table(header, rows, caption=caption)


TABLES = {
    "targets": _targets,
    "times": _times,
    "memory": _memory,
    "accuracy": _accuracy,
    "streaming": _streaming,
    "search-dask": _search_dask,
}


# The section of the results file that each table needs.
SECTIONS = {
    "targets": ("numpy", "torch", "memory"),
    "times": ("numpy", "torch"),
    "memory": ("memory",),
    "accuracy": ("accuracy",),
    "streaming": ("streaming",),
    "search-dask": ("search_dask",),
}


def _missing(names):
    names = ", ".join(f"``{name}``" for name in names)
    return [
        ".. note::",
        "",
        f"   Not measured: the results file has no section {names}. Run",
        "   ``make bench-all`` to measure it.",
        "",
    ]


def render_table(kind, results):
    """The rst lines of the table ``kind`` of ``results`` (a parsed file)."""
    missing = [name for name in SECTIONS[kind] if name not in results]
    if not missing:
        return TABLES[kind](results)
    # The targets table shows the sections there are, and names the others.
    if kind == "targets" and len(missing) < len(SECTIONS[kind]):
        return TABLES[kind](results) + _missing(missing)
    return _missing(missing)


def render_run(name, results):
    """The rst lines of a paragraph on how section ``name`` was measured."""
    if name not in results:
        return _missing([name])
    env = results[name]["environment"]
    machine = env["machine"]
    blas = ", ".join(
        f"{pool['internal_api']} {pool['version']} (``{pool.get('prefix')}``, "
        f"{pool['architecture']} kernel, {pool['num_threads']} threads)"
        for pool in env["blas"]
        if pool["user_api"] == "blas"
    )
    versions = ", ".join(f"{k} {v}" for k, v in env["versions"].items())
    settings = env.get("blas_environment") or {}
    settings = ", ".join(f"``{k}={v}``" for k, v in settings.items()) or "none"
    return [
        f"**{name}**: measured on {env['date']} by ``{env['command']}`` "
        f"(commit ``{env['commit']}``) on {machine['cpu']}, {machine['cores']} "
        f"cores ({machine['system']}); BLAS: {blas or 'none found'}; "
        f"thread settings in the environment: {settings}; {versions}. "
        + (
            f"BLAS limited to {env['blas_threads_limit']} thread(s). "
            if env.get("blas_threads_limit")
            else ""
        )
        + f"Load average (1 minute): {env['load_average_start']} at the start, "
        f"{env['load_average_end']} at the end."
        + (f" The run took {env['duration_s']:.0f} s." if "duration_s" in env else "")
        + (
            " **A quick run** (``--quick``: smaller data, fewer repeats): its"
            " ratios are not those the targets are meant for."
            if results[name].get("mode") == "quick" or "--quick" in env["command"]
            else ""
        ),
        "",
    ]


# ------------------------------------------------------------------- Sphinx


def _directives():
    from docutils import nodes
    from docutils.parsers.rst import directives
    from docutils.statemachine import StringList
    from sphinx.util.docutils import SphinxDirective

    class _Rendered(SphinxDirective):
        def render(self, results):
            raise NotImplementedError

        def run(self):
            path = Path(self.config.benchmark_results)
            # Rebuild the page when the results file changes.
            self.env.note_dependency(str(path))
            results = json.loads(path.read_text(encoding="utf-8"))
            lines = StringList(self.render(results), source=str(path))
            container = nodes.container()
            self.state.nested_parse(lines, 0, container)
            return container.children

    class BenchmarkTable(_Rendered):
        required_arguments = 1
        option_spec = {}

        def render(self, results):
            kind = directives.choice(self.arguments[0], tuple(TABLES))
            return render_table(kind, results)

    class BenchmarkRun(_Rendered):
        required_arguments = 1
        optional_arguments = 10

        def render(self, results):
            lines = []
            for name in self.arguments:
                lines.extend(render_run(name, results))
            return lines

    return BenchmarkTable, BenchmarkRun


def setup(app):
    app.add_config_value("benchmark_results", str(RESULTS), "env")
    table, run = _directives()
    app.add_directive("benchmark-table", table)
    app.add_directive("benchmark-run", run)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
