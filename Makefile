# Each target creates the virtual environment when it is missing, installs what it
# needs (pins from constraints.txt), then runs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP_INSTALL := $(PY) -m pip install --quiet --constraint constraints.txt

.PHONY: demo test test-min lint format bench bench-all docs clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.core-installed: pyproject.toml constraints.txt | $(PY)
	$(PIP_INSTALL) --editable .
	touch $@

# dask-ml (the docs' Incremental block) needs NumPy 2: here, not in test-min.
$(VENV)/.dev-installed: pyproject.toml constraints.txt | $(PY)
	$(PIP_INSTALL) --editable ".[dev,torch,plot,dask-ml]"
	touch $@ $(VENV)/.core-installed

$(VENV)/.plot-installed: pyproject.toml constraints.txt | $(PY)
	$(PIP_INSTALL) --editable ".[plot]"
	touch $@ $(VENV)/.core-installed

$(VENV)/.docs-installed: pyproject.toml constraints.txt | $(PY)
	$(PIP_INSTALL) --editable ".[docs,torch,plot]"
	touch $@ $(VENV)/.core-installed $(VENV)/.plot-installed

# Everything the binnet command needs (plots, CSV and skops files), so that a
# first `binnet fit` works after `make demo`.
$(VENV)/.cli-installed: pyproject.toml constraints.txt | $(PY)
	$(PIP_INSTALL) --editable ".[cli]"
	touch $@ $(VENV)/.core-installed $(VENV)/.plot-installed

demo: $(VENV)/.cli-installed  ## the tutorial, end to end, with plots in ./binnet-demo
	$(VENV)/bin/binnet demo

lint: $(VENV)/.dev-installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.dev-installed
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

test: lint  ## lint, then the whole test suite with the docstring examples
	$(PY) -m pytest -q

# The oldest numpy, scikit-learn, SciPy, torch and skorch that pyproject.toml
# declares (constraints-min.txt, instead of the newest tested pins of
# constraints.txt), in a virtual environment of their own, rebuilt when the
# pins change. Binary wheels only: a floor without wheels fails here, at once.
VENV_MIN ?= .venv-min
PY_MIN := $(VENV_MIN)/bin/python

$(VENV_MIN)/.installed: pyproject.toml constraints.txt constraints-min.txt
	rm -rf $(VENV_MIN)
	$(PYTHON) -m venv $(VENV_MIN)
	$(PY_MIN) -m pip install --quiet --constraint constraints-min.txt \
		--only-binary numpy,scipy,scikit-learn,torch \
		--editable ".[dev,torch,plot]"
	touch $@

test-min: $(VENV_MIN)/.installed  ## the test suite against the oldest declared versions
	$(PY_MIN) -m pytest -q

# Each script writes its section of one results file, from which the docs
# render their tables: paired ratios with their spread, the machine, the
# versions, the load average, the date and how long it took.
BENCH_RESULTS ?= benchmarks/results.json

bench: $(VENV)/.dev-installed  ## speed and memory against their references; writes $(BENCH_RESULTS)
	$(PY) benchmarks/bench_numpy.py --results $(BENCH_RESULTS)
	$(PY) benchmarks/bench_torch.py --results $(BENCH_RESULTS)
	$(PY) benchmarks/bench_memory.py --results $(BENCH_RESULTS)
	$(PY) benchmarks/_bench_results.py $(BENCH_RESULTS)

# Also accuracy, out-of-core memory and the dask search (about 10 more minutes).
bench-all: bench
	$(PY) benchmarks/bench_accuracy.py --results $(BENCH_RESULTS)
	$(PY) benchmarks/bench_streaming.py --backends numpy torch --results $(BENCH_RESULTS)
	$(PY) benchmarks/bench_search_dask.py --results $(BENCH_RESULTS)

# Warnings are errors; the gallery's examples run during the build. Then the
# built pages are checked: no broken internal link or anchor, and the new
# pages in the top bar. Open docs/_build/html/index.html.
docs: $(VENV)/.docs-installed  ## the HTML documentation, in docs/_build/html
	$(VENV)/bin/sphinx-build -W --keep-going -b html docs docs/_build/html
	SKLEARN_BINNET_DOCS_HTML=docs/_build/html $(PY) -m pytest -q tests/test_docs_site.py -k built_site

clean:
	rm -rf $(VENV) $(VENV_MIN) build *.egg-info .pytest_cache
