#!/usr/bin/env bash
# Build the province-scale database once; rebuild only when the migrations or the generators change
# (their hash is kept in bench/data/scale.hash). Usage: bench/prepare.sh <python> <database url>
set -euo pipefail
PY="$1"
URL="$2"
SCALE="${BENCH_SCALE:-province}"
NAME="${URL##*/}"
BASE="${URL%/*}"
case "$NAME" in *_scale) ;; *) echo "bench database must be named *_scale (got $NAME)" >&2; exit 2 ;; esac
mkdir -p bench/data
HASH=$( { echo "$SCALE"; cat */migrations/*.py kejiju/*/migrations/*.py */scale.py kejiju/*/scale.py \
	kejiju/core/scale.py; } | sha256sum | cut -d' ' -f1)
if [ -f bench/data/scale.hash ] && [ "$(cat bench/data/scale.hash)" = "$HASH" ] \
	&& psql "$URL" -Atc "select 1 from enterprises_enterprise limit 1" 2>/dev/null | grep -q 1; then
	echo "Scale data up to date ($SCALE, $NAME)."
	exit 0
fi
echo "Building $SCALE scale data in $NAME …"
psql "$BASE/postgres" -qc "DROP DATABASE IF EXISTS $NAME" -c "CREATE DATABASE $NAME"
DATABASE_URL="$URL" "$PY" manage.py migrate --noinput -v0
DATABASE_URL="$URL" "$PY" manage.py seed_scale --scale "$SCALE"
echo "$HASH" > bench/data/scale.hash
