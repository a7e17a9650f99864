// SPDX-License-Identifier: GPL-2.0-only
/*
 * The little of a C library the platform and a freestanding C++ peer library
 * need: mem*, str*, and the C++ ABI hooks a -fno-exceptions -fno-rtti object
 * may still reference. Built with -fno-tree-loop-distribute-patterns so the
 * compiler does not turn these loops back into calls to themselves.
 */
#include "bm_internal.h"

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)d = *(const uint64_t *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	if (d < s || d >= s + n)
		return memcpy(dst, src, n);
	d += n;
	s += n;
	while (n--)
		*--d = *--s;
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t v = (unsigned char)c;

	v |= v << 8;
	v |= v << 16;
	v |= v << 32;
	while (n && ((uintptr_t)d & 7)) {
		*d++ = (unsigned char)c;
		n--;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(uint64_t *)d = v;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		if (!*a)
			return 0;
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, (size_t)-1);
}

/* --- C++ ABI ---------------------------------------------------------------
 * There is no heap: operator new is not provided (a link error says so);
 * the deleting destructors a class with a virtual destructor emits still
 * reference operator delete, which must then never run. */
static void __attribute__((noreturn)) bm_fatal(const char *what)
{
	bm_printf("XENSHM-INFO bm fatal: %s\n", what);
	bm_halt();
}

void __cxa_pure_virtual(void)
{
	bm_fatal("pure virtual call");
}

void __cxa_deleted_virtual(void)
{
	bm_fatal("deleted virtual call");
}

void abort(void)
{
	bm_fatal("abort");
}

void __stack_chk_fail(void)
{
	bm_fatal("stack protector");
}

/* operator delete(void *), operator delete(void *, size_t) */
void _ZdlPv(void *p)
{
	(void)p;
	bm_fatal("operator delete (no heap)");
}

void _ZdlPvm(void *p, size_t n)
{
	(void)p;
	(void)n;
	bm_fatal("operator delete (no heap)");
}

/* Static objects with destructors register them here; this program never
 * exits, so they never run. */
void *__dso_handle;
int __cxa_atexit(void (*fn)(void *), void *arg, void *dso)
{
	(void)fn;
	(void)arg;
	(void)dso;
	return 0;
}

/* Function-local statics without -fno-threadsafe-statics: one vCPU, and
 * initialisers do not run from IRQ context, so a flag is enough. */
int __cxa_guard_acquire(uint64_t *g)
{
	return !*(volatile uint8_t *)g;
}

void __cxa_guard_release(uint64_t *g)
{
	*(volatile uint8_t *)g = 1;
}

void __cxa_guard_abort(uint64_t *g)
{
	(void)g;
}
