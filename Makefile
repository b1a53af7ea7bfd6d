# kejiju — the two commands are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SYSTEM_PACKAGES := chromium fonts-noto-cjk fonts-dejavu-core fonts-noto-color-emoji fonts-symbola fonts-hanazono \
	libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
	poppler-utils postgresql-client
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/kejiju
TEST_BROKER_URL ?= redis://127.0.0.1:6379/0
PYTEST_ARGS ?=

.PHONY: run test install system-deps lint check migrations-check pytest seed clean-db backup restore bench bench-storage

## run: the portal on http://127.0.0.1:8000 with the demo data (SQLite and in-process tasks by default)
run: system-deps install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "打开 http://127.0.0.1:8000 ，用上面的演示账户登录（密码 Kejiju@2026）。"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

## test: lint, checks, migrations in step, and the whole suite on PostgreSQL + Redis + chromium
test: system-deps install lint check migrations-check pytest

install: $(VENV)/.installed

$(VENV)/.installed: requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

# Debian packages: chromium for browser tests, Pango/HarfBuzz and the Noto CJK fonts for WeasyPrint PDFs,
# poppler-utils to read PDFs back, the PostgreSQL client for backups.
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python manage.py check
	DJANGO_SETTINGS_MODULE=kejiju.settings_prod SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-value-for-the-check \
		PII_ENCRYPTION_KEY=check-deploy-placeholder-key PII_KEYS=1:Y2hlY2stZGVwbG95LW9ubA== \
		INTEGRITY_MAC_KEY=Y2hlY2stZGVwbG95LXBsYWNlaG9sZGVyLW1hYy1rZXktMzI= \
		ALLOWED_HOSTS=kejiju.example.gov.cn DATABASE_URL=$(TEST_DATABASE_URL) \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

migrations-check: install
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python manage.py makemigrations --check --dry-run

pytest: install
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) DJANGO_ALLOW_ASYNC_UNSAFE=true \
		$(BIN)/pytest $(PYTEST_ARGS)

## backup: pg_dump of DATABASE_URL and a tar of every file of the default storage (MEDIA_ROOT, or the S3 bucket of FILE_STORAGE=s3, read through the storage API), each file's size and SHA-256 in a manifest sealed with HMAC-SM3, into backups/<timestamp>/
backup: install
	$(BIN)/python manage.py backup

## restore: make restore BACKUP=backups/<timestamp> into the EMPTY database of DATABASE_URL and an EMPTY default storage (MEDIA_ROOT or the S3 bucket; seal, checksums and archive members verified first, every file read back after)
restore: install
	@test -n "$(BACKUP)" || { echo "用法：make restore BACKUP=backups/<时间戳>"; exit 2; }
	$(BIN)/python manage.py restore $(BACKUP)

clean-db:
	rm -f db.sqlite3

## bench: province-scale data (built once per migration state) and every hot path beside its peer or floor;
## writes bench/results.json, bench/results.md and the README's Benchmarks section
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/kejiju_scale
BENCH_CACHE_URL ?= redis://127.0.0.1:6379/3
# settings_prod requires PII_KEYS and INTEGRITY_MAC_KEY: bench-only values. PII_KEYS is the version-1 key the
# embedded default derives from this PII_ENCRYPTION_KEY, so that scale data built without it still reads.
BENCH_ENV := DATABASE_URL=$(BENCH_DATABASE_URL) CACHE_URL=$(BENCH_CACHE_URL) SECRET_KEY=bench-only-secret-key-not-for-production-0123456789abcdef \
	PII_ENCRYPTION_KEY=bench-only-pii-key PII_KEYS=1:i6J4bT664Uoo9/cwJZz65w== \
	INTEGRITY_MAC_KEY=YmVuY2gtb25seS1pbnRlZ3JpdHktbWFjLWtleS1ub3QtYS1zZWNyZXQ= \
	ALLOWED_HOSTS=testserver,127.0.0.1,localhost SECURE_SSL_REDIRECT=False \
	STATIC_ROOT=$(CURDIR)/bench/data/static
bench: system-deps install
	@command -v wrk >/dev/null || { if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get install -y -qq wrk >/dev/null || { $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk >/dev/null; }; }
	$(BENCH_ENV) bench/prepare.sh $(BIN)/python $(BENCH_DATABASE_URL)
	$(BENCH_ENV) DJANGO_SETTINGS_MODULE=kejiju.settings_prod $(BIN)/python manage.py collectstatic --noinput -v0
	$(BENCH_ENV) DJANGO_SETTINGS_MODULE=kejiju.settings_prod $(BIN)/python bench/run.py
	$(BIN)/python bench/readme.py

## bench-storage: only the object-store measures (annual review and export, local disk against S3 through moto's
## server) into bench/data/partial.json and .md; the committed results stay as they are. Smaller data:
## BENCH_SCALE=city BENCH_DATABASE_URL=postgres://…/kejiju_city_scale (another database, not the province one)
bench-storage: system-deps install
	$(BENCH_ENV) bench/prepare.sh $(BIN)/python $(BENCH_DATABASE_URL)
	$(BENCH_ENV) DJANGO_SETTINGS_MODULE=kejiju.settings_prod $(BIN)/python manage.py collectstatic --noinput -v0
	$(BENCH_ENV) DJANGO_SETTINGS_MODULE=kejiju.settings_prod $(BIN)/python bench/run.py storage
