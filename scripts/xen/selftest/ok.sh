# SPDX-License-Identifier: GPL-2.0-only
# Harness self-test: a domain that passes one test and ends.
xenshm_pass selftest-ok
