# Two commands matter: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install install-dev migrate messages serve worker beat lint typecheck format e2e bench prod

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(VENV)/bin/activate
	$(PIP) install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/activate
	$(PIP) install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

messages: install
	$(PY) manage.py compile_catalogues

migrate: install
	$(PY) manage.py migrate --noinput

demo: install migrate messages
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

serve: install
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: install
	$(VENV)/bin/celery -A config worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=INFO

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# mypy with django-stubs over every app's services, selectors and views (pyproject.toml).
typecheck: install-dev
	$(VENV)/bin/mypy

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: install-dev lint typecheck
	$(PY) manage.py compile_catalogues
	$(VENV)/bin/pytest $(PYTEST_ARGS)

e2e: install-dev
	$(PY) manage.py compile_catalogues
	$(VENV)/bin/pytest tests/e2e $(PYTEST_ARGS)

SIZE ?= S M
# BENCH_ARGS: e.g. --reuse (keep the database built by an earlier run), --strict (exit 1
# when answers are lost or a figure cannot be measured; CI uses it).
bench: install-dev
	$(PY) -m bench.run --size $(SIZE) $(BENCH_ARGS)

# Production mode on one machine (see docs/deploy.md): needs the variables of .env.example.
prod: install
	DJANGO_SETTINGS_MODULE=config.production $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=config.production $(PY) manage.py collectstatic --noinput
	DJANGO_SETTINGS_MODULE=config.production $(PY) manage.py compile_catalogues
	DJANGO_SETTINGS_MODULE=config.production $(VENV)/bin/gunicorn config.wsgi -w 4 -b $(HOST):$(PORT)
