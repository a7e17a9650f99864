// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
//
// Names that must never appear in ringcore's own code, poisoned: using one
// after this header is a compile error in every build of the core (kernel,
// libxenshm, host tests, fuzzer, benchmark), not a review comment. Zircon
// does the same in ktl/enforce.h.
//
// Include it as the LAST include of every ringcore/*.cpp, in a block of its
// own. Never from a header: whatever the including file pulled in before
// (GoogleTest, libstdc++) may use these names, and the poison would break it.
//
// Poisoned, and why:
//   std                      no hosted C++ library: the kernel build has no
//                            libstdc++ headers (-nostdinc++), and the core
//                            must mean the same code in every build
//   new                      no heap: every object lives in caller-allocated
//                            storage (the opaque xsr_* handles); there is no
//                            operator new in the kernel
//   malloc calloc realloc    the same for C's allocator (`free` stays usable:
//                            it is the spec's name of a slot state and the
//                            ring's word for free space; nothing can be
//                            freed that these did not allocate)
//   float double             no floating point: kernel code may not touch
//                            FPU/SIMD registers (x86_64 builds with -mno-sse,
//                            arm64 with -mgeneral-regs-only)
//   thread_local             no TLS in the kernel
// Not poisoned: throw/try/catch, typeid and dynamic_cast are already compile
// errors under -fno-exceptions -fno-rtti, which every build of the core
// passes; `delete` also spells `= delete`, which the core may use.
#if __INCLUDE_LEVEL__ != 1
#error "xenshm/poison.hpp: include it last in a ringcore .cpp file, never from a header"
#endif

#pragma GCC poison std
#pragma GCC poison new
#pragma GCC poison malloc calloc realloc
#pragma GCC poison float double
#pragma GCC poison thread_local
