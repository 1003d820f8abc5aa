# Each target sets itself up: a fresh clone needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-postgres lint bench accuracy clean

$(STAMP): pyproject.toml
	@echo "Setting up $(VENV) (first run only; details in $(VENV)/install.log)..."
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@( $(BIN)/python -m pip install --upgrade pip && $(BIN)/python -m pip install -e '.[dev]' ) \
		> $(VENV)/install.log 2>&1 || { tail -n 40 $(VENV)/install.log; exit 1; }
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/pmobot console --demo --history

test: $(STAMP)
	$(BIN)/python -m pytest -q

# The storage and service tests again, against a real PostgreSQL server.
test-postgres: $(STAMP)
	PMOBOT_TEST_POSTGRES_URL=$${PMOBOT_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
	$(BIN)/python -m pytest -q -m postgres

# Style and imports (ruff), then types (mypy --strict, every module); configured in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python tools/typecheck.py

bench: $(STAMP)
	$(BIN)/python -m bench

# How much of an opening sentence is understood, per field (also part of `make bench`).
accuracy: $(STAMP)
	$(BIN)/python -m bench.understanding

clean:
	rm -rf $(VENV) build dist *.egg-info src/*.egg-info .mypy_cache .ruff_cache
