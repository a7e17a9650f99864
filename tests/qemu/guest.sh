#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the QEMU guest (as /test.sh of scripts/mkinitramfs.sh): load
# xenshm.ko with two loopback pairs, run the test program, then a short
# smoke run of the tools. The exit status is the guest's verdict (checked by
# scripts/qemu-run.sh); the test program's TAP stream on the console is
# judged by scripts/tap-verdict.py. XENSHM_TEST_FILTER (kernel command line)
# selects cases by name: the others are left out of the plan.
params="loopback=2"
echo "guest: $(uname -r) $(uname -m), $(grep -c ^processor /proc/cpuinfo) CPUs"
if ! insmod /xenshm.ko $params; then
	echo "guest: insmod failed"
	exit 1
fi
rc=0
if [ -n "${XENSHM_BENCH:-}" ]; then
	# Benchmark only (make bench-dev).
	/bin/xenshm-bench --csv /tmp/bench.csv ${XENSHM_BENCH_ARGS:-} || exit 1
	echo "guest: bench csv begin"
	cat /tmp/bench.csv
	echo "guest: bench csv end"
	exit 0
fi
/bin/xenshm-test -m /xenshm.ko -p "$params" ${XENSHM_TEST_FILTER:-} || rc=1
if [ -x /bin/xenshm-info ]; then
	echo "guest: tools smoke"
	/bin/xenshm-info || rc=1
	# stdin -> loop1-a -> loop1-b -> stdout
	/bin/xenshm-cat -r -n 1048576 loop1-b > /tmp/out &
	catpid=$!
	head -c 1048576 /dev/urandom > /tmp/in
	/bin/xenshm-cat -w loop1-a < /tmp/in || rc=1
	wait $catpid || rc=1
	if cmp /tmp/in /tmp/out; then
		echo "guest: xenshm-cat 1 MiB round trip ok"
	else
		echo "guest: xenshm-cat round trip FAILED"
		rc=1
	fi
	# Message mode: each stdin read becomes a message, each message is output.
	/bin/xenshm-cat -m -r loop0-b > /tmp/outm &
	catpid=$!
	/bin/xenshm-cat -m -w loop0-a < /tmp/in || rc=1
	wait $catpid || rc=1
	if cmp /tmp/in /tmp/outm; then
		echo "guest: xenshm-cat message mode round trip ok"
	else
		echo "guest: xenshm-cat message mode round trip FAILED"
		rc=1
	fi
fi
if [ -x /usr/bin/python3 ]; then
	echo "guest: python example"
	if PYTHONHOME=/usr PYTHONDONTWRITEBYTECODE=1 \
	   /usr/bin/python3 /tools/python/examples/loopback_rw.py --pair 1; then
		echo "guest: python example ok"
	else
		echo "guest: python example FAILED"
		rc=1
	fi
	echo "guest: python xenshm.Channel tests"
	if PYTHONHOME=/usr PYTHONDONTWRITEBYTECODE=1 \
	   /usr/bin/python3 /tools/python/tests/test_channel.py --pair 1 -v; then
		echo "guest: python xenshm.Channel tests ok"
	else
		echo "guest: python xenshm.Channel tests FAILED"
		rc=1
	fi
fi
exit $rc
