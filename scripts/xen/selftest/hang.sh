# SPDX-License-Identifier: GPL-2.0-only
# Harness self-test: never finish; Dom0's linger then poweroff must end the run
# and the collector must report this domain as not DONE.
xenshm_info "hanging on purpose"
while :; do sleep 3600; done
