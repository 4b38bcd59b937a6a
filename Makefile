# make run: set up and serve on http://127.0.0.1:$(PORT); make test: lint and the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000

-include .env
export

OPENID ?= oDemo-zhangwei

.PHONY: run test lint format migrate seed chat screenshots clean

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

migrate: $(VENV)/.installed
	mkdir -p instance
	$(BIN)/alembic upgrade head

seed: migrate
	$(BIN)/flask --app wsgi seed demo

run: seed
	PORT=$(PORT) $(BIN)/python serve.py

chat: $(VENV)/.installed
	$(BIN)/flask --app wsgi wechat chat --openid $(OPENID) --url http://127.0.0.1:$(PORT)/wechat \
		--simulator-url http://127.0.0.1:$${WECHAT_SIMULATOR_PORT:-5001}

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The suite runs in parallel (pytest-xdist): tests spend much of their time waiting on PostgreSQL, Redis and
# servers of their own, so more workers than the 2 cores of CI pay. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 3
test: lint
	$(BIN)/pytest -n $(TEST_WORKERS)

# The README's pictures of the console, taken by its browser tests.
screenshots: $(VENV)/.installed-dev
	GONGHUI_SCREENSHOTS=docs/screenshots $(BIN)/pytest -n $(TEST_WORKERS) tests/console

clean:
	rm -rf $(VENV) instance/*.db instance/*.db-* instance/redis.*
