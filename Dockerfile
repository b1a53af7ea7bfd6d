# Production image of kejiju: one image for the web, worker and beat services of docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=kejiju.settings_prod \
    MEDIA_ROOT=/app/media

# WeasyPrint needs Pango and HarfBuzz (subsetting); Noto CJK renders Chinese in PDFs, DejaVu, Noto Color
# Emoji, Symbola and HanaMin are the fallbacks for symbols, emoji and rare CJK characters (𪚥);
# postgresql-client (15 on bookworm, as the server) gives pg_dump/psql for backups.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-noto-cjk \
        fonts-dejavu-core \
        fonts-noto-color-emoji \
        fonts-symbola \
        fonts-hanazono \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 kejiju \
    && useradd --system --uid 10001 --gid kejiju --home-dir /home/kejiju --create-home \
        --shell /usr/sbin/nologin kejiju

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY requirements.lock /app/requirements.lock
RUN pip install --require-hashes -r /app/requirements.lock

# The code stays owned by root: the app user can read it but not change it.
COPY . /app

# SECRET_KEY (and PII_ENCRYPTION_KEY, PII_KEYS, INTEGRITY_MAC_KEY) are dummies that exist for this command only; they are not kept
# in the image, and the real ones come from the environment at run time.
# /app/media (MEDIA_ROOT) is written only with FILE_STORAGE=local; docker-compose.yml keeps files in the object store.
RUN SECRET_KEY=build-only-collectstatic-not-a-secret \
    PII_ENCRYPTION_KEY=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    PII_KEYS=1:AAAAAAAAAAAAAAAAAAAAAA== \
    INTEGRITY_MAC_KEY=YnVpbGQtb25seS1jb2xsZWN0c3RhdGljLW5vdC1hLWtleQ== \
    python manage.py collectstatic --noinput \
    && install -d -o kejiju -g kejiju -m 0750 /app/media

USER kejiju

EXPOSE 8000

CMD ["gunicorn", "kejiju.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--access-logfile", "-"]
