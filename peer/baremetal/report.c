// SPDX-License-Identifier: GPL-2.0-only
/* Result markers of the bare-metal domain: report.h. */
#include <stdarg.h>
#include "bm.h"
#include "report.h"

char report_dom[16] = "bm";
unsigned int report_failures;

static void marker(const char *kind, const char *head, const char *fmt, va_list ap)
{
	char body[160], out[128];

	bm_vsnprintf(body, sizeof(body), fmt, ap);
	bm_snprintf(out, sizeof(out), "XENSHM-%s %s %s%s%s", kind, report_dom, head,
		    head[0] && body[0] ? " " : "", body);
	out[118] = '\0';
	bm_printf("%s\n", out);
}

void report_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	marker("INFO", "", fmt, ap);
	va_end(ap);
}

int report_result(const char *test, int ok, const char *fmt, ...)
{
	char head[64];
	va_list ap;

	bm_snprintf(head, sizeof(head), "%s %s", test, ok ? "PASS" : "FAIL");
	if (!ok)
		report_failures++;
	va_start(ap, fmt);
	marker("RESULT", head, fmt, ap);
	va_end(ap);
	return ok;
}
