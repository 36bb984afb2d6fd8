#!/usr/bin/env bash
# Lints the container and deployment files with the linters Debian and npm
# offer (no Docker engine runs where the tests do): the Dockerfile with
# dockerfile-utils (the parser of VS Code's Docker support; npm, pinned,
# installed once into CACHE_DIR), the YAML with Debian's yamllint.
# Usage: deploy_lint.sh SOURCE_DIR CACHE_DIR
set -euo pipefail
source_dir=$1 cache_dir=$2
version=0.16.3
lint=$cache_dir/dockerfile-utils-$version/node_modules/.bin/dockerfile-utils

command -v npm >/dev/null || { echo "FAIL: npm is not installed (Debian: npm; it fetches dockerfile-utils@$version)"; exit 1; }
command -v yamllint >/dev/null || { echo "FAIL: yamllint is not installed (scripts/install-deps --test)"; exit 1; }
if [[ ! -x $lint ]]; then
  mkdir -p "$cache_dir"
  timeout 300 npm install --no-audit --no-fund --no-save --prefix "$cache_dir/dockerfile-utils-$version" \
    "dockerfile-utils@$version" >/dev/null || { echo "FAIL: npm could not install dockerfile-utils@$version"; exit 1; }
fi

status=0
echo "dockerfile-utils lint Dockerfile"
timeout 60 "$lint" lint "$source_dir/Dockerfile" || { echo "FAIL: dockerfile-utils found problems"; status=1; }

cd "$source_dir"
# Comments are often long URLs or commands; the YAML structure is what matters.
files=(docker-compose.yml deploy/compose/prometheus.yml deploy/analysis/queries.yaml)
mapfile -t -O ${#files[@]} files < <(find deploy/k8s -name '*.yaml' | sort)
echo "yamllint ${#files[@]} files"
timeout 60 yamllint --strict -d '{extends: default, rules: {line-length: {max: 200}, document-start: disable,
  comments: {min-spaces-from-content: 1}, truthy: {check-keys: false}}}' "${files[@]}" \
  || { echo "FAIL: yamllint found problems"; status=1; }
exit $status
