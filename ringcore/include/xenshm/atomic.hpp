// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
//
// The one atomics vocabulary of ringcore, on the compiler's __atomic builtins,
// shared by the kernel and userspace builds (TSan understands them too).
//
// Mapping to the Linux memory model (Documentation/memory-barriers.txt):
//   load_acquire(p)      smp_load_acquire(p)
//   store_release(p, v)  smp_store_release(p, v)
//   read_once(p)         READ_ONCE(p)   (relaxed, single access, no tearing)
//   write_once(p, v)     WRITE_ONCE(p, v)
//   fence_full()         smp_mb()
//   cmpxchg(p, &o, n)    cmpxchg(): full barrier on success
//   fetch_add(p, v)      atomic_add_return(v, p) - v: full barrier
// Only naturally aligned 1/2/4/8-byte objects are accessed this way.
#pragma once

#include "xenshm/types.hpp"

namespace xenshm::atomic {

template <typename T>
[[nodiscard]] inline T load_acquire(const T *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

template <typename T>
inline void store_release(T *p, T v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

template <typename T>
[[nodiscard]] inline T read_once(const T *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

template <typename T>
inline void write_once(T *p, T v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

inline void fence_full()
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

// Compare-and-swap, strong. On failure *expected receives the current value.
// Sequentially consistent (a full barrier) on success, like cmpxchg().
template <typename T>
[[nodiscard]] inline bool cmpxchg(T *p, T *expected, T desired)
{
	return __atomic_compare_exchange_n(p, expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

// Add v, return the old value. Sequentially consistent, like the
// value-returning atomic_*() of the kernel.
template <typename T>
inline T fetch_add(T *p, T v)
{
	return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
}

} // namespace xenshm::atomic
