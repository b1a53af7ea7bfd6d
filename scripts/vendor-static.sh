#!/usr/bin/env bash
# Refresh the vendored front-end assets in static/vendor/ from the npm registry.
#
# Usage: scripts/vendor-static.sh
#
# Bump a version below, run the script, review `git diff --stat static/vendor`
# and commit static/vendor/ together with this script. Only the files listed
# in this script are kept; everything else in the npm tarballs is discarded.
# Requires: bash, npm, node, tar, sha256sum.
set -euo pipefail

BOOTSTRAP_VERSION="5.3.9"
BOOTSTRAP_ICONS_VERSION="1.13.2"
HTMX_VERSION="2.0.11"
ECHARTS_VERSION="6.1.0"

# Source maps larger than this are never vendored.
MAX_MAP_BYTES=$((1024 * 1024))

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
vendor_dir="${repo_root}/static/vendor"
work_dir="$(mktemp -d)"
trap 'rm -rf "${work_dir}"' EXIT

versions_rows=()
files_sections=()

# fetch <npm-package> <version> -> extracts into ${work_dir}/<npm-package>/package
# and sets PKG_DIR, PKG_LICENSE and PKG_INTEGRITY.
fetch() {
    local pkg="$1" version="$2"
    local dest="${work_dir}/${pkg}"
    mkdir -p "${dest}"
    echo "==> npm pack ${pkg}@${version}" >&2
    (cd "${dest}" && npm pack --json --silent --ignore-scripts "${pkg}@${version}") >"${dest}/pack.json"
    local tarball
    tarball="$(node -e 'console.log(require(process.argv[1])[0].filename)' "${dest}/pack.json")"
    PKG_INTEGRITY="$(node -e 'console.log(require(process.argv[1])[0].integrity)' "${dest}/pack.json")"
    tar -xzf "${dest}/${tarball}" -C "${dest}"
    PKG_DIR="${dest}/package"
    local got
    got="$(node -e 'console.log(require(process.argv[1]).version)' "${PKG_DIR}/package.json")"
    if [[ "${got}" != "${version}" ]]; then
        echo "error: ${pkg}: expected version ${version}, tarball has ${got}" >&2
        exit 1
    fi
    PKG_LICENSE="$(node -e 'console.log(require(process.argv[1]).license)' "${PKG_DIR}/package.json")"
}

# put <name> <src relative to package/> <dest relative to static/vendor/<name>/>
put() {
    local name="$1" src="$2" dst="$3"
    local from="${PKG_DIR}/${src}"
    if [[ ! -f "${from}" ]]; then
        echo "error: ${name}: ${src} not found in the npm tarball" >&2
        exit 1
    fi
    if [[ "${src}" == *.map ]] && (($(stat -c %s "${from}") > MAX_MAP_BYTES)); then
        echo "error: ${name}: ${src} is larger than ${MAX_MAP_BYTES} bytes" >&2
        exit 1
    fi
    install -D -m 0644 "${from}" "${vendor_dir}/${name}/${dst}"
    NAME_FILES+=("${dst}")
}

# record <name> <npm-package> <version>: adds the package to VERSIONS.md.
record() {
    local name="$1" pkg="$2" version="$3"
    versions_rows+=("| ${pkg} | ${version} | ${PKG_LICENSE} | \`static/vendor/${name}/\` |")
    local section="### ${pkg} ${version}"$'\n\n'
    section+="npm integrity: \`${PKG_INTEGRITY}\`"$'\n\n'
    section+="| file | bytes | sha256 |"$'\n'"| --- | ---: | --- |"$'\n'
    local f path
    for f in "${NAME_FILES[@]}"; do
        path="${vendor_dir}/${name}/${f}"
        section+="| \`${name}/${f}\` | $(stat -c %s "${path}") | \`$(sha256sum "${path}" | cut -d' ' -f1)\` |"$'\n'
    done
    files_sections+=("${section}")
}

# start <name>: wipes static/vendor/<name>/ so that no stale file survives.
start() {
    rm -rf "${vendor_dir:?}/$1"
    NAME_FILES=()
}

mkdir -p "${vendor_dir}"

# Bootstrap: CSS and the JS bundle (includes Popper), with their source maps.
# The maps are kept because the minified files reference them and Django's
# manifest static files storage fails on a missing referenced file.
fetch bootstrap "${BOOTSTRAP_VERSION}"
start bootstrap
put bootstrap LICENSE LICENSE
put bootstrap dist/css/bootstrap.min.css css/bootstrap.min.css
put bootstrap dist/css/bootstrap.min.css.map css/bootstrap.min.css.map
put bootstrap dist/js/bootstrap.bundle.min.js js/bootstrap.bundle.min.js
put bootstrap dist/js/bootstrap.bundle.min.js.map js/bootstrap.bundle.min.js.map
record bootstrap bootstrap "${BOOTSTRAP_VERSION}"

# Bootstrap Icons: icon font CSS; it loads url("fonts/bootstrap-icons.woff2"),
# so the fonts stay in fonts/ next to the CSS.
fetch bootstrap-icons "${BOOTSTRAP_ICONS_VERSION}"
start bootstrap-icons
put bootstrap-icons LICENSE LICENSE
put bootstrap-icons font/bootstrap-icons.min.css font/bootstrap-icons.min.css
put bootstrap-icons font/fonts/bootstrap-icons.woff2 font/fonts/bootstrap-icons.woff2
put bootstrap-icons font/fonts/bootstrap-icons.woff font/fonts/bootstrap-icons.woff
while read -r font_url; do
    if [[ ! -f "${vendor_dir}/bootstrap-icons/font/${font_url}" ]]; then
        echo "error: bootstrap-icons CSS refers to missing ${font_url}" >&2
        exit 1
    fi
done < <(grep -o 'url("[^"?]*' "${vendor_dir}/bootstrap-icons/font/bootstrap-icons.min.css" | cut -d'"' -f2)
record bootstrap-icons bootstrap-icons "${BOOTSTRAP_ICONS_VERSION}"

# htmx 2.x
fetch htmx.org "${HTMX_VERSION}"
start htmx
put htmx LICENSE LICENSE
put htmx dist/htmx.min.js htmx.min.js
record htmx htmx.org "${HTMX_VERSION}"

# Apache ECharts: the full build (Apache-2.0 needs LICENSE and NOTICE kept;
# LICENSE refers to licenses/LICENSE-d3 for bundled d3 code).
fetch echarts "${ECHARTS_VERSION}"
start echarts
put echarts LICENSE LICENSE
put echarts NOTICE NOTICE
put echarts licenses/LICENSE-d3 licenses/LICENSE-d3
put echarts dist/echarts.min.js echarts.min.js
record echarts echarts "${ECHARTS_VERSION}"

{
    echo "# Vendored front-end assets"
    echo
    echo "Generated by \`scripts/vendor-static.sh\` from the npm registry; do not edit by hand."
    echo "To upgrade, change the pinned versions at the top of the script and run it again."
    echo
    echo "| package | version | licence | directory |"
    echo "| --- | --- | --- | --- |"
    printf '%s\n' "${versions_rows[@]}"
    echo
    echo "## Files"
    echo
    separator=""
    for section in "${files_sections[@]}"; do
        printf '%s%s' "${separator}" "${section}"
        separator=$'\n'
    done
} >"${vendor_dir}/VERSIONS.md"

echo "==> wrote ${vendor_dir} ($(du -sh "${vendor_dir}" | cut -f1))" >&2
