# Two commands: `make run` (set up and start with demo data, the web server and the job worker) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
WORKERS ?= 2
THREADS ?= 4
# Processes the main test suite runs in (pytest-xdist; `auto` is one per core, 1 runs it in this process).
TEST_WORKERS ?= auto
# The master databases the main suite runs on: `sqlite`, and with `postgres` once more with the master
# database on the PostgreSQL server at 127.0.0.1:5432 (CI runs both).
TEST_MASTERS ?= sqlite
TEST_POSTGRES_MASTER_URL ?= postgres://postgres@127.0.0.1:5432/medrep_master

.PHONY: run setup test e2e screenshots lint messages bench bench-scale clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@ $(VENV)/.runtime

# A local .env with a fresh secret, production mode, plain HTTP on loopback, and (for the demo
# only) superusers without the second factor.
.env:
	@$(PYTHON) -c 'import secrets; print(f"DEBUG=False\nHTTPS=False\nSECRET_KEY={secrets.token_urlsafe(50)}")' > $@
	@printf '%s\n' "# Demo only: superusers log in without a one-time code. Remove this line for real use." "SUPERUSER_2FA=False" >> $@
	@echo "Wrote .env (DEBUG=False, HTTPS=False, SUPERUSER_2FA=False, a new SECRET_KEY); edit it to change settings."

setup: $(VENV)/.runtime .env
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py migrate_tenants
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py refresh_platform_stats
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

run: setup
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl+C stops it). Logins: admin, acme_owner, acme_manager,"
	@echo "acme_rep, globex_owner, globex_manager, globex_rep; password: $${DEMO_PASSWORD:-demo}"
	@echo "The job worker runs beside the web server (its lines start with [worker]); Jobs: /master-admin/jobs/"
	$(BIN)/python config/serve.py --port $(PORT) --workers $(WORKERS) --threads $(THREADS)

lint: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --ignore=config/tests/browser
	@if echo " $(TEST_MASTERS) " | grep -q " postgres "; then \
		echo "The main suite again, with the master database on PostgreSQL ($(TEST_POSTGRES_MASTER_URL))"; \
		DATABASE_URL=$(TEST_POSTGRES_MASTER_URL) TEST_POSTGRES_PREFIX=pgmaster \
			$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --ignore=config/tests/browser; \
	fi
	$(BIN)/pytest config/tests/browser

# The real-browser suite alone (Debian's Chromium driven by Playwright; see README's Testing section).
e2e: $(VENV)/.test
	$(BIN)/pytest config/tests/browser

# Retake the README's screenshots (docs/screenshots/*.png) with the browser suite's server and Chromium.
screenshots: $(VENV)/.test
	$(BIN)/python docs/screenshots/take.py

# Rebuild the translation catalogues (needs GNU gettext); the compiled files are committed.
messages: $(VENV)/.runtime
	$(BIN)/python manage.py makemessages --locale az --locale ru --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'bench/*' --ignore 'docs/*' --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

# The benchmarks of docs/benchmarks.md (several minutes; each makes its own throw-away databases).
bench: $(VENV)/.runtime
	$(BIN)/python bench/provisioning.py
	$(BIN)/python bench/doctor_list.py
	$(BIN)/python bench/analytics.py
	$(BIN)/python bench/concurrency.py
	$(BIN)/python bench/copy_company.py
	$(BIN)/python bench/backup_restore.py
	$(BIN)/python bench/create_on_postgres.py
	$(BIN)/python bench/move_company.py

# The benchmarks of the tenancy core at 1,000 companies (docs/benchmarks.md; 20–40 minutes on 2 cores).
bench-scale: $(VENV)/.runtime
	$(BIN)/python bench/aliases.py
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/refresh_stats.py
	$(BIN)/python bench/migrate_many.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
