# Two commands for a fresh machine: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The lock files: the exact version (and hashes) of every package, so next year's run of this
# year's data installs the same code and gives the same pages. `make run` installs LOCK,
# `make test` LOCK_TEST (the same versions plus the test tools). Both are made from
# pyproject.toml by `make lock`; never edit them by hand.
LOCK      := requirements/lock.txt
LOCK_TEST := requirements/lock-test.txt
# What the lock is resolved for, and the tool that resolves it (pinned too, so a refresh made
# next year on another machine resolves the same way). uv reads neither pip's config nor its
# local indexes, so the lock records plain PyPI releases only. 3.11 means any 3.11.x, so a package
# whose newer releases need a later 3.11 (soupsieve 3 needs 3.11.5) is held at the last that fits.
LOCK_PYTHON   := 3.11
LOCK_PLATFORM := linux
UV_VERSION    := 0.13.9
LOCK_VENV     := .venv-lock
UV            := $(LOCK_VENV)/bin/uv

.PHONY: run test bench check chromium pango clean lock lock-upgrade

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the lock or pyproject.toml changes. The package itself goes in with --no-deps,
# so nothing is resolved from pyproject.toml's ranges: every dependency comes from the lock.
# pip check then fails if pyproject.toml asks for a package the lock lacks (`make lock` forgotten).
$(VENV)/.installed: $(LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; \
	  echo "$(LOCK) is out of step with pyproject.toml: run 'make lock'"; exit 1; }
	@touch $@

$(VENV)/.installed-test: $(LOCK_TEST) pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -r $(LOCK_TEST)
	@touch $@

# The worked examples of ad-hoc questions are published first, so the last line printed is the year's index.
run: $(VENV)/.installed pango
	$(BIN)/workbook publish notebooks/adhoc/examples/*.ipynb --data data/sample
	$(BIN)/workbook run --data data/sample

check: $(VENV)/.installed
	$(BIN)/workbook check --data data/sample

# Pango, which WeasyPrint draws the committee pack's PDF with (a Debian package, not a Python one).
pango:
	@ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || { \
	  echo "Installing Debian's Pango for the committee pack's PDF"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; }

# Debian's chromium, for the browser tests (never a browser downloaded by a test tool).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; }

test: $(VENV)/.installed-test chromium pango
	$(BIN)/python -m pytest

# `make bench CONTACTS=10000000 CALLS=15000000` for a county-sized council, or any option of
# `python -m analysis.bench` in BENCH_ARGS, e.g. BENCH_ARGS="--contacts-per-year 2000000 --touch panel.csv".
CONTACTS   ?= 1000000
CALLS      ?= 1500000
BENCH_ARGS ?= --contacts-per-year $(CONTACTS) --calls-per-year $(CALLS)
bench: $(VENV)/.installed
	$(BIN)/python -m analysis.bench $(BENCH_ARGS)

clean:
	rm -rf outputs/*/ outputs/index.html .bench

# --- The lock ---------------------------------------------------------------------------------
# `make lock` after changing pyproject.toml's dependencies: versions already in the lock stay
# as they are and only what is new or no longer fits is resolved. `make lock-upgrade` moves
# every package to its newest release (once a year, before the new year's first run, then
# `make test`). The test lock takes every optional extra of pyproject.toml, so a new extra needs
# no change here, and is held to the runtime lock's versions (-c) so run and test use the same code.
$(LOCK_VENV)/.uv-$(UV_VERSION):
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet uv==$(UV_VERSION)
	@touch $@

UV_COMPILE = $(UV) pip compile pyproject.toml --quiet --python-version $(LOCK_PYTHON) \
	--python-platform $(LOCK_PLATFORM) --generate-hashes --no-header $(UV_UPGRADE)

# $(call lock_header,FILE,WHAT,NOTE): the explanation at the top of a lock file (uv's own
# header is left out: it would name this machine's paths).
lock_header = { printf '%s\n' \
	  "\# Exact versions, with hashes, of every package $(2), for Python $(LOCK_PYTHON) on Linux," \
	  "\# so next year's run of this year's data installs the same code and gives the same pages." \
	  "\# $(3)" \
	  "\# Made from pyproject.toml by uv $(UV_VERSION) from PyPI; do not edit by hand. Refresh it with" \
	  "\# \`make lock\` after changing pyproject.toml, \`make lock-upgrade\` for new releases."; \
	  cat $(1); } > $(1).new && mv $(1).new $(1)

lock: $(LOCK_VENV)/.uv-$(UV_VERSION)
	@mkdir -p $(dir $(LOCK))
	$(UV_COMPILE) -o $(LOCK)
	@$(call lock_header,$(LOCK),the workbook needs,\`make run\` installs it; the test tools are kept apart in $(LOCK_TEST).)
	$(UV_COMPILE) --all-extras -c $(LOCK) -o $(LOCK_TEST)
	@$(call lock_header,$(LOCK_TEST),the workbook and its tests need,\`make test\` installs it: $(LOCK)'s versions plus the test tools.)

lock-upgrade: UV_UPGRADE := --upgrade
lock-upgrade: lock
