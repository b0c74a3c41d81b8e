# Sammen om Rødovre: the two commands a newcomer needs are `make run` and `make test`.
# Both set everything up on a fresh machine (Python 3.12 and Node.js/npm present).

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.12 2>/dev/null || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench install install-dev assets migrate demo serve worker beat clean messages

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 12), "Python 3.12 is required (see .python-version), found " + sys.version' 
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.runtime assets
install-dev: $(VENV)/.dev assets
assets: node_modules/.installed

# --- the app --------------------------------------------------------------------------
# Without DATABASE_URL / CELERY_BROKER_URL: SQLite and eager tasks. With them: PostgreSQL
# and Redis (start a worker with `make worker` and the scheduler with `make beat`).
run: export DJANGO_DEBUG ?= 1
run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

migrate: install
	$(PY) manage.py migrate --no-input

demo: install
	$(PY) manage.py load_demo

# Production processes (see README: DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL,
# CELERY_BROKER_URL must be set).
serve: install
	$(PY) manage.py collectstatic --no-input
	# The access log leaves out the client address and user agent: anonymous input must
	# leave no trace of who sent it (quality.md row 21).
	$(VENV)/bin/gunicorn rodovre_udvikling.wsgi --bind $(HOST):$(PORT) --workers 3 \
		--access-logfile - --access-logformat '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'

worker: install
	$(VENV)/bin/celery -A rodovre_udvikling worker --loglevel=INFO --concurrency=2

beat: install
	$(VENV)/bin/celery -A rodovre_udvikling beat --loglevel=INFO --schedule=/tmp/celerybeat-schedule

# --- quality --------------------------------------------------------------------------
test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	DJANGO_ALLOWED_HOSTS=udvikling.rk.dk DJANGO_DEBUG=0 \
	$(PY) manage.py check --deploy --fail-level WARNING

bench: install-dev
	$(PY) -m bench.run $(BENCH)

messages: install-dev
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -l en --ignore='.venv/*' --ignore='node_modules/*' --ignore='tests/*' --ignore='bench/*' --no-obsolete
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages --ignore='.venv/*' --ignore='node_modules/*'

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 .test-media
