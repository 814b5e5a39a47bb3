# The two commands of the README: `make demo` and `make test`. Everything else is a helper.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8050

.PHONY: install demo serve test lint bench bench-etl services clean

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

install: $(BIN)/.installed

## make demo: install, migrate the embedded SQLite store and fill it with the demo company
demo: install
	$(BIN)/pilotage db upgrade
	$(BIN)/pilotage demo

## make test: install and run every test (PostgreSQL tests need 127.0.0.1:5432; see `make services`)
test: install
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .

## start the local PostgreSQL and Redis if they are down (what CI does)
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ""

bench-etl: install
	$(BIN)/python bench/etl.py

bench: bench-etl

clean:
	rm -rf $(VENV) var
