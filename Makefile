# Two commands for a newcomer: `make demo` and `make test`. Everything else is for CI and operators.
SHELL := /bin/bash
PYTHON ?= python3
UV := .tools/bin/uv
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
# Compiled once at install: every `simpul` command, server worker and import process then
# starts in about a second, even where bytecode cannot be written at run time.
export UV_COMPILE_BYTECODE := 1

.PHONY: demo serve install install-dev browser test test-sqlite test-postgres lint ci bench clean messages

$(UV):
	@$(PYTHON) -m venv .tools && .tools/bin/pip install --quiet --disable-pip-version-check uv

install: $(UV)
	@$(UV) sync --frozen --no-dev --inexact --quiet
	@$(UV) run --frozen --no-sync python -m compileall -q -j 0 simpul >/dev/null
	@$(UV) run --frozen --no-sync simpul compilemessages >/dev/null

install-dev: $(UV)
	@$(UV) sync --frozen --quiet
	@$(UV) run --frozen --no-sync python -m compileall -q -j 0 simpul >/dev/null
	@$(UV) run --frozen --no-sync simpul compilemessages >/dev/null

## Install, build the demo network in ./data and serve it on http://127.0.0.1:8000
demo: install
	@$(UV) run --frozen --no-sync simpul demo $(DEMO_ARGS)

browser:
	@bash scripts/ensure-system-packages.sh

## Install everything (Chromium included) and run the whole test suite on SQLite
test: install-dev browser test-sqlite

test-sqlite:
	@$(UV) run --frozen --no-sync pytest -n 2 --dist loadgroup

## The same suite on PostgreSQL (127.0.0.1:5432, database `test`)
test-postgres: install-dev browser
	@DATABASE_URL=$(POSTGRES_URL) $(UV) run --frozen --no-sync pytest -n 2 --dist loadgroup

lint: install-dev
	@$(UV) run --frozen --no-sync ruff check simpul tests bench
	@$(UV) run --frozen --no-sync ruff format --check simpul tests bench
	@$(UV) run --frozen --no-sync mypy simpul

ci: test test-postgres lint

clean:
	rm -rf .venv .tools

## Extract translatable messages into simpul/web/locale/id/LC_MESSAGES/django.po
messages: install-dev
	@cd simpul && ../$(UV) run --frozen --no-sync django-admin makemessages --locale id --no-location --ignore 'static/*' --settings simpul.settings
	@$(UV) run --frozen --no-sync simpul compilemessages
