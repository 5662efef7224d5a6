# QA Portal: the two commands are `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Test processes (pytest-xdist); the suite is split across them. 0 runs everything in one process.
TEST_WORKERS ?= 2
STAMP := $(VENV)/.installed

.PHONY: run test setup migrate seed lint lint-imports format worker beat bench bench-pages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

# Re-install only when requirements.txt changes.
$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(BIN)/python manage.py migrate --noinput

# seed_demo keeps existing data: running `make run` again does not wipe anything.
seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	@echo "QA Portal on http://127.0.0.1:$(PORT)/ (sign in as quality, auditor, moderator or manager; password demo)"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: setup
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# The dependency contract between the apps alone (.importlinter; `make lint` runs it too).
lint-imports: setup
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: setup
	$(BIN)/celery -A qa_portal worker --loglevel=INFO

beat: setup
	$(BIN)/celery -A qa_portal beat --loglevel=INFO

# bench_pages.py needs PostgreSQL and runs a server: `make bench-pages` (with DATABASE_URL, and CACHE_URL for Redis).
bench: setup
	@for script in $(filter-out bench/bench_pages.py,$(wildcard bench/bench_*.py)); do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# The pages under load through gunicorn (issue 15); BENCH_ARGS e.g. "--full --clients 20 --seconds 30".
bench-pages: setup
	$(BIN)/python bench/bench_pages.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles media test-artifacts
