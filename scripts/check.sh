#!/usr/bin/env bash
# Everything a change must pass: format, lint, types, then the suite on SQLite and on a
# throwaway PostgreSQL server that the fixtures start and remove.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
echo "== ruff format"; $BIN/ruff format --check .
echo "== ruff check";  $BIN/ruff check .
echo "== mypy";        $BIN/mypy
echo "== pytest on SQLite"
TEST_DB=sqlite $BIN/pytest "$@"
echo "== pytest on PostgreSQL"
TEST_DB=postgresql $BIN/pytest "$@"
