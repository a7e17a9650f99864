# SPDX-License-Identifier: GPL-2.0-only
# Harness self-test: one failing and one passing result; the collector must fail.
xenshm_pass selftest-ok
xenshm_fail selftest-bad "reported on purpose"
true
