#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the kernel's scripts/checkpatch.pl (--strict) on the given files.
# Debian ships checkpatch.pl only inside linux-source-<series>; this takes the
# three files it needs (checkpatch.pl, spelling.txt, const_structs.checkpatch)
# out of that package once, into
#   ${XENSHM_CACHE:-$HOME/.cache/xenshm}/checkpatch/<version>/
# reusing the .deb the KUnit build downloads (kunit/debs/), so a cold run gets
# the style check too instead of skipping it. CHECKPATCH=/path/checkpatch.pl
# uses another copy.
#
# Usage: scripts/checkpatch.sh FILE...
set -euo pipefail

[ $# -gt 0 ] || { echo "usage: $0 FILE..." >&2; exit 2; }
cache=${XENSHM_CACHE:-$HOME/.cache/xenshm}
series=6.1
log() { echo "checkpatch.sh: $*" >&2; }

if [ -z "${CHECKPATCH:-}" ]; then
	ver=$(apt-cache policy "linux-source-$series" | awk '/Candidate:/ { print $2 }')
	[ -n "$ver" ] && [ "$ver" != "(none)" ] || { log "apt knows no linux-source-$series"; exit 1; }
	dst=$cache/checkpatch/$ver
	CHECKPATCH=$dst/scripts/checkpatch.pl
	if [ ! -f "$dst/.done" ]; then
		debs=$cache/kunit/debs
		mkdir -p "$debs"
		exec 9>"$cache/kunit/.lock-src"
		flock 9
		deb=$debs/linux-source-${series}_${ver}_all.deb
		if [ ! -f "$deb" ]; then
			log "downloading linux-source-$series $ver"
			(cd "$debs" && apt-get download -q "linux-source-$series=$ver" 2>&1 |
				grep -v '^W: Download is performed unsandboxed' >&2 || true)
			[ -f "$deb" ] || { log "download of linux-source-$series=$ver failed"; exit 1; }
		fi
		log "extracting checkpatch.pl from linux-source-$series $ver"
		rm -rf "$dst.tmp"
		mkdir -p "$dst.tmp"
		dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/linux-source-$series.tar.xz" |
			tar -xJ -C "$dst.tmp" --strip-components=1 \
				"linux-source-$series/scripts/checkpatch.pl" \
				"linux-source-$series/scripts/spelling.txt" \
				"linux-source-$series/scripts/const_structs.checkpatch"
		touch "$dst.tmp/.done"
		rm -rf "$dst"
		mv "$dst.tmp" "$dst"
	fi
fi

echo "  CHECKPATCH $CHECKPATCH"
exec perl "$CHECKPATCH" --no-tree --terse --strict --show-types \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,CONST_STRUCT -f "$@"
