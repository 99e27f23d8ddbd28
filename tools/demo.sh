#!/bin/sh
# The main job, end to end, from a built tree.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/_build}
"$build/sloika" --version
