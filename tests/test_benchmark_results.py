"""The benchmark results file and the docs tables rendered from it.

``benchmarks/_bench_results.py`` judges a figure against its target from the
spread of its paired ratios; ``docs/_ext/benchmark_results.py`` renders the
results file into the rst tables of the Benchmarks and Scaling pages. Both are
tested here on small synthetic results, written out by hand, and the committed
results file is checked to hold what the pages render.
"""

import importlib.util
import json
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load("_bench_results", "benchmarks/_bench_results.py")
render = _load("benchmark_results", "docs/_ext/benchmark_results.py")


def _row(id, workload, values, target, unit="x", floor=None):
    return {
        "id": id,
        "workload": workload,
        "reference": "MLPClassifier",
        "unit": unit,
        "spread": bench.spread(values),
        "target": target,
        "floor": floor,
    }


def _environment():
    return {
        "date": "2026-01-02T03:04:05+00:00",
        "command": "bench_numpy.py --results r.json",
        "commit": "abc1234",
        "machine": {"cpu": "Some CPU", "cores": 2, "system": "Linux x86_64"},
        "blas": [
            {
                "user_api": "blas",
                "internal_api": "openblas",
                "prefix": "libopenblas",
                "version": "0.3.30",
                "num_threads": 2,
                "architecture": "Haswell",
            },
            {
                "user_api": "openmp",
                "internal_api": "openmp",
                "version": None,
                "num_threads": 2,
                "architecture": None,
            },
        ],
        "blas_environment": {},
        "versions": {"python": "3.11.7", "numpy": "2.4.6"},
        "load_average_start": 1.5,
        "load_average_end": 2.25,
        "duration_s": 61.4,
    }


AT_MOST = {"op": "<=", "value": 0.3}
AT_LEAST = {"op": ">=", "value": 0.65}


@pytest.mark.parametrize(
    "target, values, expected",
    [
        # Median and whole spread on the good side.
        (AT_MOST, [0.2, 0.25, 0.28], "met"),
        (AT_MOST, [0.2, 0.3, 0.3], "met"),  # on the target counts as meeting it
        # Median meets the target, the spread crosses it.
        (AT_MOST, [0.2, 0.25, 0.31], "within noise"),
        # Median misses, even where the best repeat meets it.
        (AT_MOST, [0.25, 0.35, 0.4], "missed"),
        # A lower bound: the same rule, the other way.
        (AT_LEAST, [0.7, 0.8, 0.9], "met"),
        (AT_LEAST, [0.6, 0.7, 0.9], "within noise"),
        (AT_LEAST, [0.5, 0.6, 0.9], "missed"),
        # No target: no verdict.
        (None, [0.5, 0.6], "-"),
    ],
)
def test_verdict(target, values, expected):
    assert bench.verdict(target, bench.spread(values)) == expected


def test_spread_and_formats():
    values = bench.spread([3.0, 1.0, 2.0, 10.0])
    assert (values["min"], values["median"], values["max"]) == (1.0, 2.5, 10.0)
    assert bench.format_spread(bench.spread([0.391, 0.38, 0.4]), "x") == (
        "0.39x (0.38x to 0.40x)"
    )
    assert bench.format_spread(bench.spread([0.456]), "%") == "46%"
    assert bench.format_target(AT_LEAST, "%") == "≥ 65%"
    assert bench.format_target(None, "x") == "-"


def test_targets_table_is_rendered_in_the_issue_order():
    results = {
        "torch": {
            "rows": [
                _row("T1", "tutorial fit", [1.1, 1.3, 1.15], {"op": "<=", "value": 1.2})
            ]
        },
        "numpy": {
            "rows": [
                _row("W5", "search", [0.3, 0.35], {"op": "<=", "value": 0.2}),
                _row(
                    "W1",
                    "tutorial fit",
                    [0.2, 0.25, 0.28],
                    AT_MOST,
                    floor={"op": "<=", "value": 0.4},
                ),
                _row("W4", "wide fit", [0.5, 0.7, 0.8], AT_LEAST, unit="%"),
            ]
        },
    }
    lines = render.render_table("targets", results)
    expected_header = [
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - id",
        "     - workload",
        "     - reference",
        "     - median (min to max)",
        "     - target",
        "     - floor",
        "     - result",
    ]
    assert lines[: len(expected_header)] == expected_header
    body = lines[len(expected_header) :]
    assert body[:7] == [
        "   * - W1",
        "     - tutorial fit",
        "     - MLPClassifier",
        "     - 0.25x (0.20x to 0.28x)",
        "     - ≤ 0.30x",
        "     - ≤ 0.40x",
        "     - met",
    ]
    assert body[7:14] == [
        "   * - W4",
        "     - wide fit",
        "     - MLPClassifier",
        "     - 70% (50% to 80%)",
        "     - ≥ 65%",
        "     - \\-",  # escaped: a bare "-" would start a bullet list
        "     - within noise",
    ]
    # W5 then T1: the order of the issue's table, not of the file.
    assert body[14] == "   * - W5" and body[20] == "     - missed"
    assert body[21] == "   * - T1" and body[27] == "     - within noise"
    # No memory section: the table says so after the rows it has.
    assert body[28:30] == ["", ".. note::"]
    assert "no section ``memory``" in body[31]


def test_run_paragraph_names_machine_blas_versions_and_load():
    results = {"numpy": {"environment": _environment(), "rows": []}}
    (paragraph, blank) = render.render_run("numpy", results)
    assert blank == ""
    for part in (
        "2026-01-02T03:04:05+00:00",
        "``bench_numpy.py --results r.json``",
        "``abc1234``",
        "Some CPU, 2 cores",
        "openblas 0.3.30 (``libopenblas``, Haswell kernel, 2 threads)",
        "numpy 2.4.6",
        "1.5 at the start, 2.25 at the end",
        "The run took 61 s.",
    ):
        assert part in paragraph
    # Only the BLAS pools are named as BLAS.
    assert "openmp" not in paragraph
    assert "quick run" not in paragraph
    results["numpy"]["mode"] = "quick"
    assert "**A quick run**" in render.render_run("numpy", results)[0]


def test_memory_and_streaming_tables():
    results = {
        "memory": {
            "config": "fit on float32 1,000 x 5",
            "table": [
                {
                    "backend": "numpy",
                    "input": "array",
                    "data_mb": 400.0,
                    "peak_mb": 441.6,
                    "peak_over_data": 1.104,
                    "fit_extra_mb": 25.7,
                    "fit_s": 1.0,
                }
            ],
        },
        "streaming": {
            "config": {
                "rows": 2_000_000,
                "features": 50,
                "blocks": 40,
                "block_rows": 50_000,
                "epochs": 2,
                "data_mb": 400.0,
                "block_mb": 10.0,
            },
            "table": [
                {
                    "backend": "numpy",
                    "input": "dask",
                    "peak_mb": 43.2,
                    "peak_over_data": 0.108,
                },
                {
                    "backend": "torch",
                    "input": "dask",
                    "peak_mb": 48.0,
                    "peak_over_data": 0.12,
                },
            ],
        },
    }
    memory = render.render_table("memory", results)
    assert memory[0] == ".. list-table:: fit on float32 1,000 x 5"
    assert memory[-7:] == [
        "   * - numpy",
        "     - array",
        "     - 400 MB",
        "     - 442 MB",
        "     - 1.10x",
        "     - 26 MB",
        "",
    ]
    streaming = render.render_table("streaming", results)
    assert streaming[0] == (
        ".. list-table:: float32 2,000,000 x 50 (400 MB), 40 blocks of 50,000 rows "
        "(10 MB), 2 epoch(s)"
    )
    assert streaming[3:6] == [
        "   * - input",
        "     - NumpyBinaryMLP",
        "     - TorchBinaryMLP",
    ]
    assert streaming[6:9] == [
        "   * - dask",
        "     - 43 MB (0.11x)",
        "     - 48 MB (0.12x)",
    ]


def test_write_section_keeps_the_other_sections(tmp_path):
    path = tmp_path / "results.json"
    bench.write_section(path, "numpy", {"environment": {"a": 1}, "rows": [1]})
    bench.write_section(path, "torch", {"environment": {"b": 2}, "rows": [2]})
    bench.write_section(path, "numpy", {"environment": {"a": 3}, "rows": [3]})
    results = json.loads(path.read_text())
    assert list(results) == ["numpy", "torch"]
    assert results["numpy"]["rows"] == [3] and results["torch"]["rows"] == [2]
    assert "load_average_end" in results["numpy"]["environment"]
    started = bench.environment()
    bench.write_section(path, "torch", {"environment": started, "rows": []})
    torch = json.loads(path.read_text())["torch"]["environment"]
    assert 0 <= torch["duration_s"] < 60 and torch["machine"]["cores"] >= 1
    assert not list(tmp_path.glob("*.tmp"))


def test_paired_times_rotate_the_order():
    calls = []
    jobs = {name: (lambda name=name: calls.append(name)) for name in "abc"}
    times, _ = bench.paired_times(jobs, 3, warm_up=True)
    assert calls == list("abcabcbcacab")  # warm-up, then rotated rounds
    assert {name: len(t) for name, t in times.items()} == {"a": 3, "b": 3, "c": 3}


# ------------------------------------------------- the committed results file

RESULTS = REPO_ROOT / "benchmarks" / "results.json"
# The sections written by `make bench-all` only, not by `make bench`.
BENCH_ALL_ONLY = {"accuracy", "streaming", "search_dask"}
# What docs/benchmarks.rst and docs/scaling.rst render.
PAGES = {
    "docs/benchmarks.rst": ["targets", "times", "memory", "accuracy"],
    "docs/scaling.rst": ["search-dask", "streaming"],
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_committed_results_render_every_table_of_the_pages(page):
    text = (REPO_ROOT / page).read_text(encoding="utf-8")
    kinds = [
        line.split("::", 1)[1].strip()
        for line in text.splitlines()
        if line.startswith(".. benchmark-table::")
    ]
    assert kinds == PAGES[page]
    results = bench.read_results(RESULTS)
    for kind in kinds:
        lines = render.render_table(kind, results)
        if all(name in results for name in render.SECTIONS[kind]):
            assert lines[0].startswith(".. list-table::") and len(lines) > 10
        else:
            # Only what `make bench-all` adds may be missing: it renders as a
            # note that says so.
            assert set(render.SECTIONS[kind]) <= BENCH_ALL_ONLY
            assert lines[0] == ".. note::"
    runs = [
        name
        for line in text.splitlines()
        if line.startswith(".. benchmark-run::")
        for name in line.split("::", 1)[1].split()
    ]
    for name in runs:
        first = render.render_run(name, results)[0]
        if name in results:
            assert first.startswith(f"**{name}**")
        else:
            assert name in BENCH_ALL_ONLY and first == ".. note::"


def test_committed_results_hold_every_row_of_the_issue_table():
    rows = bench.target_rows(bench.read_results(RESULTS))
    ids = [row["id"] for row in rows if row["target"] != "-"]
    assert sorted(set(ids)) == sorted(bench.ROW_ORDER)
    for row in rows:
        assert row["verdict"] in {"met", "within noise", "missed", "-"}


def test_a_missing_section_renders_as_a_note():
    results = {"numpy": {"rows": []}}
    for lines in (
        render.render_table("accuracy", results),
        render.render_run("accuracy", results),
    ):
        assert lines[0] == ".. note::"
        assert "no section ``accuracy``" in lines[2]
    # Without any of its sections, the targets table is a note alone.
    assert render.render_table("targets", {})[0] == ".. note::"
