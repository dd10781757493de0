# The two commands: `make run` and `make test`. Everything they need is installed inside the repo.

# The version .python-version names (pyenv and uv read it too): on the PATH, or installed by uv
# (`uv python install`, not on the PATH by default); else a newer one, else python3.
PYTHON_VERSION := $(or $(shell cat .python-version 2>/dev/null),3.12)
PYTHON ?= $(shell command -v python$(PYTHON_VERSION) || uv python find \
	$(PYTHON_VERSION) 2>/dev/null || command -v python3.13 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test install install-test lint format clean screenshots bench

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { \
		echo "Python 3.12 or newer is needed; $(PYTHON) is $$($(PYTHON) --version 2>&1)."; \
		echo "Get one, then run make again. Any of:"; \
		echo "  uv python install 3.12     (make finds uv's Pythons by itself)"; \
		echo "  pyenv install 3.12         (this repo's .python-version then selects it)"; \
		echo "  make test PYTHON=python3.12, or PYTHON=/path/to/python3.12"; \
		exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install --quiet -c requirements.lock -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -c requirements.lock -e '.[test]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

# The translations, locale/<language>/LC_MESSAGES/*.po, compiled into the .mo files Django reads:
# build output, never committed. GNU gettext's msgfmt compiles them, as Django's compilemessages
# does; --check refuses a catalogue whose placeholders do not match its English.
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

%.mo: %.po
	@command -v msgfmt >/dev/null 2>&1 || { \
		echo "msgfmt (GNU gettext) is needed to compile the translations in locale/."; \
		echo "Install it, then run make again: apt-get install gettext, or brew install gettext."; \
		exit 1; }
	msgfmt --check -o $@ $<

install: $(VENV)/.installed node_modules/.package-lock.json $(MO_FILES)

install-test: $(VENV)/.installed-test node_modules/.package-lock.json $(MO_FILES)

run: install
	$(BIN)/python manage.py migrate --noinput
	PORT=$(PORT) $(BIN)/python manage.py runworkshop

# The whole suite, browser tests included, on the embedded default (SQLite, in-memory layer);
# beside it, a second pass against PostgreSQL and Redis on 127.0.0.1 (TEST_DATABASE_URL,
# TEST_REDIS_URL), skipped with a note when they do not answer, a failure under CI=true: every
# test but tests/browser, plus tests/scaleout (two Daphne processes behind a proxy, Redis
# restarting), which only this pass runs. The browser tests exercise templates and JavaScript,
# which do not change with the database, so they run once. The two passes run at once
# (tests/both_passes.py): the suite mostly waits, so on 2 cores that halves the time.
# PYTEST_ARGS go to both, e.g. `make test PYTEST_ARGS="-x --durations=20"`.
test: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python tests/both_passes.py $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules staticfiles $(MO_FILES)

# Refresh the README's pictures from a real run in Chromium.
screenshots: install-test
	SCREENSHOT_DIR=docs/screenshots $(BIN)/pytest -q tests/browser/test_screens.py \
		tests/browser/test_wall.py tests/browser/test_remote.py tests/browser/test_projector_theme.py \
		tests/browser/test_console_strip.py tests/browser/test_shareout.py tests/browser/test_closed_board.py \
		tests/browser/test_moderation.py tests/browser/test_room_pattern.py tests/browser/test_polls.py \
		tests/browser/test_whole_day.py tests/browser/test_languages.py \
		tests/browser/test_agenda_editor.py tests/browser/test_report_pdf.py

# The load and latency harness (bench/run.py): the app embedded, the app scaled out (two processes
# on the PostgreSQL and Redis of 127.0.0.1:5432 and :6379) and a minimal baseline, on the same
# work, in one run. Writes bench/results/latest.md and latest.json; `make bench ARGS=--quick`
# tries it small, `make bench ARGS=--only=room,baseline` runs some of its groups.
bench: install-test
	$(BIN)/pip install --quiet -c requirements.lock -e '.[bench]'
	$(BIN)/python bench/run.py $(ARGS)
