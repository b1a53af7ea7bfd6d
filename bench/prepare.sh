#!/usr/bin/env bash
# Build the province-scale database once; rebuild only when the generators change (their hash is kept in
# bench/data/scale.hash). New migrations (indexes, columns) are applied to the existing data with `migrate`;
# BENCH_REBUILD=1 forces a rebuild. Usage: bench/prepare.sh <python> <database url>
set -euo pipefail
PY="$1"
URL="$2"
SCALE="${BENCH_SCALE:-province}"
NAME="${URL##*/}"
BASE="${URL%/*}"
case "$NAME" in *_scale) ;; *) echo "bench database must be named *_scale (got $NAME)" >&2; exit 2 ;; esac
mkdir -p bench/data
HASH=$( { echo "$SCALE"; cat */scale.py kejiju/*/scale.py kejiju/core/management/commands/seed_scale.py; } \
	| sha256sum | cut -d' ' -f1)
if [ -z "${BENCH_REBUILD:-}" ] && [ -f bench/data/scale.hash ] && [ "$(cat bench/data/scale.hash)" = "$HASH" ] \
	&& psql "$URL" -Atc "select 1 from enterprises_enterprise limit 1" 2>/dev/null | grep -q 1; then
	DATABASE_URL="$URL" "$PY" manage.py migrate --noinput -v0
	echo "Scale data up to date ($SCALE, $NAME); migrations applied."
	exit 0
fi
echo "Building $SCALE scale data in $NAME …"
psql "$BASE/postgres" -qc "DROP DATABASE IF EXISTS $NAME" -c "CREATE DATABASE $NAME"
DATABASE_URL="$URL" "$PY" manage.py migrate --noinput -v0
DATABASE_URL="$URL" "$PY" manage.py seed_scale --scale "$SCALE"
# What autovacuum would have done by the time anyone reads the data (visibility map for index-only scans).
psql "$URL" -qc "VACUUM ANALYZE"
echo "$HASH" > bench/data/scale.hash
