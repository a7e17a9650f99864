# SPDX-License-Identifier: GPL-2.0-only
#
# Helpers for the per-domain test scripts of the Xen harness (sourced by /init;
# the test script runs in a subshell with these functions and /xenshm/env).
#
# Environment from run.sh (/xenshm/env):
#   XENSHM_DOM       dom0 | domu1 | domu2      (the name used in every marker)
#   XENSHM_DOMID     0 | 1 | 2                 (as configured: dom0less order)
#   XENSHM_REGIONS   the shared regions this domain was given, space separated,
#                    each ID:GUESTADDR:SIZE:PEER:ROLE:EVTCHN (e.g.
#                    "xenshm-0-1:0x70000000:0x400000:domu1:owner:0"); EVTCHN is
#                    the local port of the region's static event channel, or 0
#   XENSHM_PEERS     the peer domains, space separated (e.g. "domu1 domu2")
#   XENSHM_KSERIES   the Linux series this domain must run (e.g. 6.12; empty:
#                    no expectation); /init reports it as the result "kernel"
#   plus every --env KEY=VALUE given to run.sh.
#
# Markers (one line each, kept under 120 characters so Xen's vpl011 never splits
# a domU line; domU lines reach the log as "(XEN) DOM<n>: <marker>"):
#   XENSHM-RESULT <dom> <test> PASS|FAIL|SKIP [detail]   counted by collect.py
#   XENSHM-INFO <dom> <text>                             shown, not counted
#   XENSHM-DONE <dom> rc=<n>                              printed by /init

xenshm_marker() {
	# One write() per line; long lines are cut, never wrapped.
	printf '%.118s\n' "$*"
}

xenshm_info() { xenshm_marker "XENSHM-INFO $XENSHM_DOM $*"; }

# xenshm_result TEST PASS|FAIL|SKIP [detail...]
xenshm_result() {
	_t=$1 _s=$2
	shift 2
	xenshm_marker "XENSHM-RESULT $XENSHM_DOM $_t $_s${*:+ $*}"
	[ "$_s" != FAIL ]
}
xenshm_pass() { _t=$1; shift; xenshm_result "$_t" PASS "$@"; }
xenshm_fail() { _t=$1; shift; xenshm_result "$_t" FAIL "$@"; }
xenshm_skip() { _t=$1; shift; xenshm_result "$_t" SKIP "$@"; }

# xenshm_check TEST CMD...: PASS when CMD succeeds; its output goes to INFO lines.
xenshm_check() {
	_t=$1
	shift
	if _o=$("$@" 2>&1); then _r=PASS; else _r=FAIL; fi
	[ -z "$_o" ] || printf '%s\n' "$_o" | while IFS= read -r l; do xenshm_info "$_t: $l"; done
	xenshm_result "$_t" "$_r"
}

# xenshm_info_file PREFIX FILE: each line of FILE as an INFO marker.
xenshm_info_file() {
	[ -r "$2" ] || { xenshm_info "$1: (no $2)"; return 1; }
	while IFS= read -r l; do xenshm_info "$1: $l"; done < "$2"
}

# Read a DT property: string (NULs dropped), or hex bytes.
xenshm_dt_str() { tr '\0' ' ' < "$1" | sed 's/ *$//'; }
xenshm_dt_hex() { od -An -v -tx1 "$1" | tr -d ' \n'; }

# xenshm_dt_regions: one line "ID ADDR SIZE NODE" (hex with 0x) per
# reserved-memory node carrying xen,id, as the guest sees them.
xenshm_dt_regions() {
	_rm=/proc/device-tree/reserved-memory
	[ -d "$_rm" ] || return 0
	_ac=$(xenshm_dt_hex "$_rm/#address-cells" 2>/dev/null); _ac=$((0x${_ac:-00000002}))
	_sc=$(xenshm_dt_hex "$_rm/#size-cells" 2>/dev/null); _sc=$((0x${_sc:-00000002}))
	for n in "$_rm"/*/; do
		n=${n%/}
		[ -e "$n/xen,id" ] || continue
		_id=$(xenshm_dt_str "$n/xen,id")
		_reg=$(xenshm_dt_hex "$n/reg")
		_a=$(printf '%s' "$_reg" | cut -c1-$((_ac * 8)))
		_s=$(printf '%s' "$_reg" | cut -c$((_ac * 8 + 1))-$(((_ac + _sc) * 8)))
		printf '%s 0x%x 0x%x %s\n' "$_id" "$((0x$_a))" "$((0x$_s))" "${n##*/}"
	done
}

# xenshm_region_of PEER: "ID ADDR SIZE" of the region shared with PEER, from
# XENSHM_REGIONS (what the harness configured).
xenshm_region_of() {
	for r in $XENSHM_REGIONS; do
		case "$r" in
		*:"$1":*) IFS=: read -r _id _ga _sz _rest <<EOT
$r
EOT
			echo "$_id $_ga $_sz"; return 0 ;;
		esac
	done
	return 1
}

# xenshm_kernel_result: the result "kernel", detail uname -r; FAIL unless the
# running kernel is of the series XENSHM_KSERIES (6.12 matches 6.12.117+deb12-arm64,
# not 6.1.0-57-arm64 and vice versa). Run by /init in every domain.
xenshm_kernel_result() {
	_r=$(uname -r)
	if [ -z "${XENSHM_KSERIES:-}" ]; then
		xenshm_pass kernel "$_r (no series expected)"
		return
	fi
	case "$_r" in
	"$XENSHM_KSERIES" | "$XENSHM_KSERIES".* | "$XENSHM_KSERIES"-*)
		xenshm_pass kernel "$_r (series $XENSHM_KSERIES)" ;;
	*)	xenshm_fail kernel "$_r is not of series $XENSHM_KSERIES" ;;
	esac
}

# xenshm_ko_release [KO]: the kernel release a module was built for (first
# word of its vermagic; default /xenshm/xenshm.ko).
xenshm_ko_release() {
	tr '\0' '\n' < "${1:-/xenshm/xenshm.ko}" | sed -n 's/^vermagic=\([^ ]*\).*/\1/p' | head -n 1
}

# xenshm_insmod [ARGS...]: load /xenshm/xenshm.ko (from run.sh --payload).
# A module built for another kernel is refused by insmod (vermagic); say so.
xenshm_insmod() {
	[ -e /xenshm/xenshm.ko ] || { xenshm_info "no /xenshm/xenshm.ko"; return 1; }
	_kr=$(xenshm_ko_release)
	[ "$_kr" = "$(uname -r)" ] ||
		xenshm_info "xenshm.ko is built for '$_kr', this kernel is $(uname -r)"
	insmod /xenshm/xenshm.ko "$@"
}

# xenshm_wait_for TIMEOUT_S CMD...: poll CMD every 0.1 s; bounded.
xenshm_wait_for() {
	_n=$(($1 * 10))
	shift
	while [ "$_n" -gt 0 ]; do
		"$@" && return 0
		usleep 100000
		_n=$((_n - 1))
	done
	return 1
}

# xenshm_echo_cat TEST CHAN...: the shell's own tools on each channel, with no
# CONNECT (implicit connect, docs/uapi.md): on every CHAN the region's owner
# echoes a line and its peer cats it, then the other way round. Channels are
# taken in the order given, which must be the same in every domain. The
# receiving side shows the line ("TEST <chan>: ..." INFO) and reports
# "TEST@<chan>" PASS when it arrived intact and cat ended at EOF; each tool
# is bounded by busybox's timeout.
xenshm_echo_cat() {
	_ec_t=$1
	shift
	for _c in "$@"; do
		_role=
		for _r in $XENSHM_REGIONS; do
			case "$_r" in "$_c":*) _role=$(echo "$_r" | cut -d: -f5); _peer=$(echo "$_r" | cut -d: -f4) ;; esac
		done
		for _dir in 1 2; do
			if { [ "$_role" = owner ] && [ $_dir = 1 ]; } || { [ "$_role" != owner ] && [ $_dir = 2 ]; }; then
				timeout 20 sh -c "echo 'hello from $XENSHM_DOM' > /dev/xenshm/$_c" ||
					xenshm_fail "$_ec_t@${_c#xenshm-}" "echo into /dev/xenshm/$_c failed"
			else
				_got=$(timeout 20 cat "/dev/xenshm/$_c"); _rc=$?
				if [ $_rc = 0 ] && [ "$_got" = "hello from $_peer" ]; then
					xenshm_info "$_ec_t $_c: $_peer: echo > dev, $XENSHM_DOM: cat dev -> '$_got'"
					xenshm_pass "$_ec_t@${_c#xenshm-}"
				else
					xenshm_fail "$_ec_t@${_c#xenshm-}" "cat $_c: rc=$_rc, got '$_got'"
				fi
			fi
		done
	done
}
