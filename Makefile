# nnbasics — two commands: `make lab` (install + open the course) and `make test` (install + all tests).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# JupyterLab refuses to run as root without this flag (containers, CI, some hubs).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# pytest exits 5 when it collected nothing: that is a broken test run, never a pass.
define pytest_strict
	$(PY) -m pytest $(1); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "ERROR: pytest collected no tests for: $(1)"; exit 1; fi; exit $$rc
endef

.PHONY: lab test install exercises notebooks test-unit test-notebooks test-browser bench student-dist mutants clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Serves the whole course folder (notebooks/ AND exercises/) and opens the start page.
lab: $(STAMP)
	$(VENV)/bin/jupyter lab $(ROOT_FLAG) \
		--LabApp.default_url='/lab/tree/notebooks/00_start_here.ipynb?file-browser-path=/'

exercises: $(STAMP)
	$(PY) tools/make_exercises.py

# Each notebook is executed once: in the browser stage (which makes every check of the headless
# stage too: tests/notebook_checks.py) where chromium can run or is required, headless otherwise.
BROWSER_STAGE := $(PY) -c "import sys; sys.path[:0] = ['tests', 'tests/browser']; import lab; \
	why = lab.browser_unavailable_reason(); print(f'no browser here ({why}): notebooks run headless') if why else None; \
	sys.exit(1 if why and not lab.browser_required() else 0)"

test: $(STAMP)
	$(PY) tools/make_exercises.py --check
	$(MAKE) --no-print-directory test-unit
	if $(BROWSER_STAGE); then $(MAKE) --no-print-directory test-browser; \
	else $(MAKE) --no-print-directory test-notebooks; fi

# Two test processes share 2 cores: one thread each (tiny models only lose from threads fighting).
test-unit test-notebooks test-browser: export OMP_NUM_THREADS = 1
test-unit test-notebooks test-browser: export OPENBLAS_NUM_THREADS = 1
test-unit test-notebooks test-browser: export MKL_NUM_THREADS = 1
# Hypothesis derandomized (tests/conftest.py): a run never fails on a lucky draw the next one misses.
test-unit test-notebooks test-browser: export NNBASICS_TEST_PROFILE = ci

# nbval stays installed for learners (pytest --nbval notebooks/) but no stage uses it: its plugin
# imports nbformat and jsonschema, 2.4 s of CPU in each of the three processes of a stage.
NO_NBVAL := -p no:nbval

test-unit: $(STAMP)
	$(call pytest_strict,-n 2 --dist loadgroup $(NO_NBVAL) -m "not browser and not notebook" tests)

test-notebooks: $(STAMP)
	$(call pytest_strict,-m notebook --timeout=0 -n 2 -p no:randomly $(NO_NBVAL) tests/test_notebooks.py)

# Two workers: while one kernel runs a notebook the other browser renders; each has its own server.
test-browser: $(STAMP)
	$(call pytest_strict,-m browser --timeout=0 -n 2 $(NO_NBVAL) tests/browser)

notebooks: $(STAMP)
	$(PY) tools/build_notebooks.py

bench: $(STAMP)
	$(PY) -m nnbasics bench

student-dist: $(STAMP)
	$(PY) -m nnbasics dist --zip

clean:
	rm -rf $(VENV) _build .pytest_cache .hypothesis

# Maintainers: grade every planted mistake (solutions/mutants/) and show which test catches it.
mutants: $(STAMP)
	$(PY) -m nnbasics grade all --mutants
