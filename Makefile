# Every target creates .venv itself, so a fresh clone needs nothing but python3 and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run demo test lint unit bench clean constraints

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# After changing a range in pyproject.toml: install within the new ranges, then record what was installed.
constraints: $(STAMP)
	$(PY) -m pip install -q --upgrade -e '.[dev]'
	{ echo "# Exact versions of every package LE Desk's application and tests install (make installs with -c)."; \
	  echo "# Regenerate after a change of pyproject.toml's ranges: make constraints"; \
	  $(PY) -m pip freeze --exclude-editable | grep -v '^ledesk'; } > constraints.txt

install: $(STAMP)

run: demo
demo: $(STAMP)
	$(VENV)/bin/ledesk demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# Two workers: most tests wait on a server (Prefect, PostgreSQL, Dovecot, Chromium), so two share two cores.
PYTEST_WORKERS ?= 2

test: lint
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal

unit: $(STAMP)
	$(PY) -m pytest tests/unit

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
