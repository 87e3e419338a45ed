"""The README's quick start runs, warns about nothing, and prints what it says."""

import re
import warnings
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _section_code(title):
    """The first ```python block under the README's ``## title`` heading."""
    text = README.read_text(encoding="utf-8")
    section = text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL)[1]


def test_quick_start_converges_and_scores_what_the_readme_says(capsys):
    code = _section_code("Quick start")
    namespace = {"__name__": "__main__"}
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        exec(compile(code, str(README), "exec"), namespace)
    # A first example teaches, it does not warn (no ConvergenceWarning).
    assert [f"{w.category.__name__}: {w.message}" for w in record] == []
    clf = namespace["clf"]
    assert clf[-1].n_iter_ < clf[-1].max_iter  # stopped by the rule
    printed = capsys.readouterr().out.splitlines()
    score = float(printed[0])
    assert score >= 0.98
    # The score written in the README's comment is the one printed (to one
    # test sample: a prediction on the boundary may round either way).
    stated = float(re.search(r"print\(clf\.score\(.*\)\)\s+# ([0-9.]+)", code)[1])
    assert score == pytest.approx(stated, abs=1 / len(namespace["y_test"]))
