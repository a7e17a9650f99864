#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The README's first command must work on the first run from a fresh clone:
# clone the committed tree into an empty folder and build what `make demo`
# boots (the Xen payload: a module per kernel series, the tools, the e2e
# programs; the bare-metal domU3's Image) with an empty build/. A warm tree cannot fool this: nothing of
# the checkout's build/ exists in the clone. The download cache
# ($XENSHM_CACHE) is shared: an empty cache is what a cold CI run tests.
#
# Usage: tests/build/fresh-clone.sh WORKDIR [make targets...]
# (default targets: xen-payload baremetal). Tests HEAD, not uncommitted changes.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:?usage: $0 WORKDIR [targets...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(xen-payload baremetal)

rm -rf "$work"
git clone -q --no-hardlinks "$top" "$work"
[ ! -e "$work/build" ] || { echo "fresh-clone: the clone has a build/ folder" >&2; exit 1; }
echo "fresh-clone: $(git -C "$work" log -1 --format='%h %s' | cut -c1-72)"
start=$(date +%s)
if ! make --no-print-directory -C "$work" "${targets[@]}" >"$work.log" 2>&1; then
	tail -n 30 "$work.log"
	echo "fresh-clone: make ${targets[*]} FAILED on the first run (log: $work.log)"
	exit 1
fi
echo "fresh-clone: make ${targets[*]} passed on the first run in $(( $(date +%s) - start )) s"
rm -rf "$work"
