# SPDX-License-Identifier: GPL-2.0-only
# Harness self-test: crash this domain's kernel; the watcher must stop the run.
xenshm_info "crashing the kernel on purpose"
echo c > /proc/sysrq-trigger
