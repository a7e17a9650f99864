/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The harness's result markers (scripts/xen/guest/lib.sh) from the
 * bare-metal domain, one vpl011 line each (at most 118 characters: Xen's
 * vpl011 cuts a line at 126):
 *   XENSHM-RESULT <dom> <test> PASS|FAIL [detail]
 *   XENSHM-INFO <dom> <text>
 */
#ifndef XENSHM_BM_REPORT_H
#define XENSHM_BM_REPORT_H

extern char report_dom[16];		/* <dom>: from bootargs "dom=" */
extern unsigned int report_failures;	/* FAIL markers so far */

void report_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A RESULT marker, PASS if @ok; returns @ok. */
int report_result(const char *test, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
