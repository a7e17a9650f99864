// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
//
// Fixed-width integer types for ringcore, from compiler builtins only: the
// kernel build uses -nostdinc, so <cstdint> is not available there.
#pragma once

namespace xenshm {

using u8 = __UINT8_TYPE__;
using u16 = __UINT16_TYPE__;
using u32 = __UINT32_TYPE__;
using u64 = __UINT64_TYPE__;
using s32 = __INT32_TYPE__;
using s64 = __INT64_TYPE__;
using usize = __SIZE_TYPE__;
using uptr = __UINTPTR_TYPE__;

static_assert(sizeof(u8) == 1 && sizeof(u16) == 2 && sizeof(u32) == 4 && sizeof(u64) == 8);
static_assert(sizeof(s32) == 4 && sizeof(s64) == 8);
static_assert(sizeof(usize) == sizeof(void *) && sizeof(uptr) == sizeof(void *));

} // namespace xenshm
