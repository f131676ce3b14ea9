# Two commands for a fresh machine: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test bench check chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

# The worked examples of ad-hoc questions are published first, so the last line printed is the year's index.
run: $(VENV)/.installed
	$(BIN)/workbook publish notebooks/adhoc/examples/*.ipynb --data data/sample
	$(BIN)/workbook run --data data/sample

check: $(VENV)/.installed
	$(BIN)/workbook check --data data/sample

# Debian's chromium, for the browser tests (never a browser downloaded by a test tool).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; }

test: $(VENV)/.installed-test chromium
	$(BIN)/python -m pytest

bench: $(VENV)/.installed
	$(BIN)/python -m analysis.bench

clean:
	rm -rf outputs/*/ outputs/index.html .bench
