# The two commands of the README: `make demo` and `make test`. Everything else is a helper.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8050

.PHONY: install demo serve test lint translations bench bench-etl bench-app bench-browser bench-forecast bench-planning bench-soak services clean chromium nginx

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

install: $(BIN)/.installed

## make demo: install, migrate the embedded SQLite store, fill it with the demo company, train the forecasts and the
## media response model, evaluate the example alert rules and send the demo users' Monday digests (the e-mails land in
## var/outbox/), serve the app. Five years of history: with three, the response model cannot tell most
## channels' effects apart (it says so), which is honest but shows little of the planning page.
demo: install
	$(BIN)/pilotage db upgrade
	$(BIN)/pilotage demo --years 5
	$(BIN)/pilotage forecast train
	$(BIN)/pilotage plan fit
	$(BIN)/pilotage alerts run
	$(BIN)/pilotage reports send --weekly
	$(BIN)/pilotage serve --bind $(HOST):$(PORT)

## serve the app on the current store (no demo data generated)
serve: install
	$(BIN)/pilotage serve --bind $(HOST):$(PORT)

## make test: install and run every test (PostgreSQL tests need 127.0.0.1:5432; see `make services`)
test: install chromium nginx
	$(BIN)/pytest -q

## Debian's Chromium for the browser tests and the home page's PDF (and pdftotext, to read it in a test),
## installed only when missing (Playwright never downloads one).
## If it cannot be installed the browser tests are skipped, except in CI (CI=true) where make stops here.
chromium:
	@test -x /usr/bin/chromium || { export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -qq chromium >/dev/null 2>&1 || \
	  { apt-get update -qq && apt-get install -y -qq chromium; } >/dev/null 2>&1 || \
	  { echo "could not install chromium (apt-get install -y chromium): browser tests will be skipped" >&2; \
	    test "$$CI" != true; }; }
	@test -x /usr/bin/pdftotext || { export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -qq poppler-utils >/dev/null 2>&1 || \
	  echo "could not install poppler-utils: the home PDF test will be skipped" >&2; }

## Debian's nginx for the two-instance test (tests/test_deploy_cluster.py) and the soak benchmark, installed only
## when missing; never started as a service (the tests run their own on a free loopback port).
nginx:
	@test -x /usr/sbin/nginx || { export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -qq nginx-light >/dev/null 2>&1 || \
	  { apt-get update -qq && apt-get install -y -qq nginx-light; } >/dev/null 2>&1 || \
	  { echo "could not install nginx (apt-get install -y nginx-light): the two-instance test will be skipped" >&2; \
	    test "$$CI" != true; }; }

lint: install
	$(BIN)/ruff check .

## translations: find the keys the code uses (t("key") calls), write the KPIs' definitions from
## dashapp/semantic/metrics.py into en.po, rebuild dashapp/i18n/locale/messages.pot from en.po,
## update en.po and fr.po from it, compile the .mo files; fails on a key used but missing, or a French text missing
## or to review (README: "Translations")
translations: install
	@mkdir -p var
	$(BIN)/pybabel -q extract --no-default-keywords -k t -F babel.cfg --omit-header -o var/i18n-used.pot \
	  dashapp pilotage etl forecasting
	$(BIN)/pilotage i18n update --extracted var/i18n-used.pot

## start the local PostgreSQL and Redis if they are down (what CI does)
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ""

bench-etl: install
	$(BIN)/python bench/etl.py

## app benchmark: BENCH_APP_ARGS="--leads 200000 --users 10 --duration 20" for a quick run
bench-app: install
	$(BIN)/python bench/app.py $(BENCH_APP_ARGS)

## the pages in the browser until their last chart is drawn, each demo role, cold and warm (the demo of make demo)
bench-browser: install chromium
	$(BIN)/python bench/app.py --browser-only --backends sqlite $(BENCH_BROWSER_ARGS)

## media planning benchmark: fit on a known truth and on the mmm data, optimiser vs brute force
bench-planning: install
	$(BIN)/python bench/planning.py $(BENCH_PLANNING_ARGS)

## forecast benchmark vs statsforecast (installed once in its own venv, $PILOTAGE_BENCH_VENV or /tmp/pilotage-bench-sf)
bench-forecast: install
	$(BIN)/python bench/forecast.py $(BENCH_FORECAST_ARGS)

## soak: two instances behind nginx, 50 users for 10 min, an instance and PostgreSQL (its own cluster) restarted;
## BENCH_SOAK_ARGS="--users 20 --minutes 2 --reuse" for a quick run
bench-soak: install nginx
	$(BIN)/python bench/soak.py $(BENCH_SOAK_ARGS)

bench: bench-etl bench-app bench-forecast bench-planning

clean:
	rm -rf $(VENV) var
