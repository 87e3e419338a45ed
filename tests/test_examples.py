"""The example scripts run on their own and do what they say."""

import re

from conftest import REPO_ROOT, run_python

EXAMPLES = REPO_ROOT / "examples"


def test_tutorial_demo_prints_losses_and_learns_xor():
    result = run_python(args=[EXAMPLES / "tutorial_numpy.py"])
    lines = result.stdout.splitlines()
    epochs = [
        int(m.group(1)) for m in map(re.compile(r"Epoch (\d+), Loss").match, lines) if m
    ]
    assert epochs == list(range(0, 1000, 100))
    losses = [
        float(line.rsplit(" ", 1)[1]) for line in lines if line.startswith("Epoch")
    ]
    assert losses[-1] < losses[0] / 4
    accuracy = float(lines[-1].rsplit(" ", 1)[1])
    assert accuracy >= 0.95
    assert result.stderr == ""
