// SPDX-License-Identifier: GPL-2.0-only
// Link probe (make baremetal-cxx-check): the C++ a freestanding peer library
// may contain -- virtual destructors, pure virtuals, a static object with a
// constructor and destructor, a function-local static -- must link against
// the platform alone (libc.c's C++ ABI hooks, start.S's .init_array walk).
#include "bm.h"

namespace {
struct base {
	virtual ~base() {}
	virtual int value() const = 0;
};
struct derived : base {
	int v;
	derived() : v(bm_domid() < 0 ? 1 : 2) {}
	~derived() override { v = 0; }
	int value() const override { return v; }
};
derived global_object;
} // namespace

extern "C" int bm_cxx_probe(void)
{
	static derived local_object;
	const base *b = &global_object;

	return b->value() + local_object.value();
}
