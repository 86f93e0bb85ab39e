# The course's commands. Each target sets up .venv itself the first time
# (and again whenever the requirements change), so on a fresh machine with
# Python 3.11+ `make lab` or `make test` is all there is to do.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.installed

.PHONY: lab solutions test bench lab-server notebooks learner doctor clean

TESTS  := $(VENV)/.installed-test

# A learner's environment: what the course runs (requirements.txt) and the
# course itself, editable. `make test` and the authoring targets add the test
# and authoring tools (requirements-test.txt) on top.
$(READY): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + "); set PYTHON=python3.11 or similar")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing the course's packages into $(VENV): the first time this takes a few minutes."
	$(BIN)/python -m pip install --progress-bar on --disable-pip-version-check -r requirements.txt -e .
	touch $@

$(TESTS): $(READY) requirements-test.txt
	@echo "Installing the test tools into $(VENV) (pytest, nbval, Playwright, ...)."
	$(BIN)/python -m pip install --progress-bar on --disable-pip-version-check -r requirements-test.txt
	touch $@

# JupyterLab refuses to run as root (containers often are) unless told.
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

## lab: copy the learner notebooks into my-work/ (first run; yours are never
## overwritten) and start JupyterLab there
lab: $(READY)
	$(BIN)/python -m helpers start $(ROOT_FLAG)

## solutions: start JupyterLab on notebooks/ (the solutions, for instructors)
solutions: $(READY)
	$(BIN)/python -m helpers start --solutions $(ROOT_FLAG)

## test: run every test (unit, lab integration, notebooks)
test: $(TESTS)
	$(BIN)/python -m pytest

## notebooks: after a helpers change, re-execute every notebook, regenerate
## navigation, text twins and learner copies (then commit them all)
notebooks: $(TESTS)
	$(BIN)/python -m helpers notebooks

## learner: regenerate only notebooks/learner/ from the solution notebooks
learner: $(TESTS)
	$(BIN)/python -m helpers learner

## doctor: check this environment (Python, packages, lab, live DNS, port 25)
doctor: $(READY)
	$(BIN)/python -m helpers doctor

## bench: measure lab start/stop, one STARTTLS delivery, one validated TLSA lookup;
## then 10 and 30 learners' labs at once (helpers.bench_room)
bench: $(READY)
	$(BIN)/python -m helpers.bench
	$(BIN)/python -m helpers.bench_room 10 30

## lab-server: run the lab in a terminal, for dig, delv, openssl, swaks
lab-server: $(READY)
	$(BIN)/python -m helpers lab --json-file lab.json

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info
