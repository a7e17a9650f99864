# SPDX-License-Identifier: GPL-2.0-only
#
# Installing xenshm on this machine (or into a staging folder), and DKMS.
#
#   make install                    module + everything below, for $(KVER)
#   make install-module             xenshm.ko into /lib/modules/$(KVER)/updates, depmod
#   make install-user               tools, headers, libxenshm.a, xenshm.pc, man pages,
#                                   udev rule (no kernel needed)
#   make dkms-install               the module's source into /usr/src/xenshm-<version>,
#                                   then dkms add/build/install for $(KVER)
#   make dkms-remove                dkms remove --all, and the source folder
#   make check-man                  mandoc -T lint and lexgrog on every man page
#
# Variables:
#   DESTDIR    staging root (packages); without it, installing needs root
#   PREFIX     /usr/local (Debian's packages use /usr)
#   KVER       kernel release the module is for; default: KDIR's release,
#              else `uname -r`
#   KDIR       kernel build folder; default /lib/modules/$(KVER)/build
#   TOOLS_LDFLAGS  how the installed tools link (default: statically, as
#              `make tools` builds them; packages link dynamically)
#
# The module is built by the same Kbuild, probes and checks as `make module`
# (mk/module.mk), into build/install/<release>/.

ifndef XENSHM_INSTALL_MK
XENSHM_INSTALL_MK := 1

include $(TOP)/mk/tools.mk

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# udev reads /lib/udev/rules.d (packages) and /etc/udev/rules.d (the admin).
UDEVRULESDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/udev/rules.d,/etc/udev/rules.d)
SYSUSERSDIR ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/sysusers.d,/etc/sysusers.d)
INSTALL ?= install

# The version, said once: module/xenshm_main.h.
XENSHM_VERSION := $(shell sed -n 's/^\#define XENSHM_VERSION "\(.*\)"$$/\1/p' $(TOP)/module/xenshm_main.h)

# Kernel release: from KDIR when one is given, else the running kernel.
# (utsrelease.h: what the module's vermagic says; Debian's headers carry the
# upstream version in include/config/kernel.release instead.)
KVER ?= $(if $(KDIR),$(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null),$(shell uname -r))
INSTALL_KDIR = $(or $(KDIR),/lib/modules/$(KVER)/build)
INSTALL_MODULE_OUT = $(BUILD)/install/$(KVER)

# The host's tools: the arch this machine runs (uname -m: x86_64, aarch64).
INSTALL_USER_ARCH ?= $(patsubst aarch64,arm64,$(shell uname -m))
TOOLS_LDFLAGS ?= $(USER_LDFLAGS)

# Headers a program needs for #include <libxenshm.h> (or .hpp), under
# $(INCLUDEDIR)/xenshm/ in the tree's own spelling ("uapi/xenshm.h",
# "xenshm/xsr.h"), so xenshm.pc adds one -I and nothing is renamed (see
# install-user). libxenshm.a needs no C++ runtime: a C program links it alone.

MAN_PAGES := $(wildcard $(TOP)/docs/man/*.[1-9])

# What the DKMS source folder holds: the Kbuild and every file it compiles.
DKMS_SRC_DIRS := module ringcore uapi kunit
DKMS_NAME := xenshm
DKMS_SRC = $(DESTDIR)/usr/src/$(DKMS_NAME)-$(XENSHM_VERSION)

INSTALL_GOAL = $(or $(firstword $(MAKECMDGOALS)),install)

.PHONY: install install-module install-user install-dkms-src dkms-install dkms-remove \
	install-check-root check-man

install: install-module install-user

# One message instead of a wall of "Permission denied".
install-check-root:
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -ne 0 ]; then \
		case "$(INSTALL_GOAL)" in \
		dkms-*) echo "make $(INSTALL_GOAL): DKMS works on the system and needs root: run 'sudo make $(INSTALL_GOAL)'" >&2 ;; \
		*) echo "make $(INSTALL_GOAL): installing into the system needs root: run 'sudo make $(INSTALL_GOAL)'," \
			"or stage the files with 'make $(INSTALL_GOAL) DESTDIR=/tmp/stage'" >&2 ;; \
		esac; \
		exit 1; \
	fi

install-module: install-check-root
	@[ -n "$(KVER)" ] && [ -d $(INSTALL_KDIR) ] || { \
		echo "make install-module: no kernel build folder for $(or $(KVER),KDIR's release) ($(INSTALL_KDIR) missing)."; \
		echo "  Install the headers (Debian: apt-get install linux-headers-$(KVER)), pass KDIR=,"; \
		echo "  or install the tools alone: make install-user"; \
		exit 1; } >&2
	@$(MAKE) --no-print-directory module KDIR=$(INSTALL_KDIR) MODULE_OUT=$(INSTALL_MODULE_OUT)
	$(INSTALL) -D -m 0644 $(INSTALL_MODULE_OUT)/xenshm.ko $(DESTDIR)/lib/modules/$(KVER)/updates/xenshm.ko
	@if [ -n "$(DESTDIR)" ]; then \
		echo "  (staged in $(DESTDIR): run 'depmod $(KVER)' where it is installed)"; \
	elif command -v depmod >/dev/null; then \
		echo "  DEPMOD  $(KVER)"; depmod -a $(KVER); \
	fi

install-user: install-check-root tools-$(INSTALL_USER_ARCH)-install
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(INCLUDEDIR)/xenshm/uapi \
		$(DESTDIR)$(INCLUDEDIR)/xenshm/xenshm $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR)
	$(INSTALL) -m 0755 $(addprefix $(BUILD)/install/user/bin/,$(TOOL_NAMES)) $(DESTDIR)$(BINDIR)/
	$(INSTALL) -m 0644 $(TOP)/lib/libxenshm.h $(TOP)/lib/libxenshm.hpp $(DESTDIR)$(INCLUDEDIR)/xenshm/
	$(INSTALL) -m 0644 $(TOP)/uapi/xenshm.h $(DESTDIR)$(INCLUDEDIR)/xenshm/uapi/
	$(INSTALL) -m 0644 $(TOP)/ringcore/include/xenshm/xsr.h $(DESTDIR)$(INCLUDEDIR)/xenshm/xenshm/
	$(INSTALL) -m 0644 $(USER_BUILD)/$(INSTALL_USER_ARCH)/libxenshm.a $(DESTDIR)$(LIBDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|; s|@VERSION@|$(XENSHM_VERSION)|' \
		$(TOP)/packaging/xenshm.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/xenshm.pc
	for p in $(MAN_PAGES); do \
		s=$${p##*.}; $(INSTALL) -D -m 0644 $$p $(DESTDIR)$(MANDIR)/man$$s/$$(basename $$p) || exit 1; \
	done
	$(INSTALL) -D -m 0644 $(TOP)/packaging/udev/60-xenshm.rules $(DESTDIR)$(UDEVRULESDIR)/60-xenshm.rules
	$(INSTALL) -D -m 0644 $(TOP)/packaging/sysusers/xenshm.conf $(DESTDIR)$(SYSUSERSDIR)/xenshm.conf
	@if [ -z "$(DESTDIR)" ]; then \
		if ! getent group xenshm >/dev/null; then \
			if command -v systemd-sysusers >/dev/null; then systemd-sysusers xenshm.conf; \
			else groupadd --system xenshm; fi; \
		fi; \
		if command -v udevadm >/dev/null; then udevadm control --reload 2>/dev/null || :; fi; \
	fi

# The installed tools link as TOOLS_LDFLAGS says, in their own folder (the
# static ones of `make tools` stay what the QEMU tests use).
.PHONY: tools-$(INSTALL_USER_ARCH)-install
tools-$(INSTALL_USER_ARCH)-install: $(USER_BUILD)/$(INSTALL_USER_ARCH)/libxenshm.a
	@mkdir -p $(BUILD)/install/user/bin
	@set -e; for t in $(TOOL_NAMES); do \
		if [ -f $(TOP)/tools/$$t.c ]; then \
			echo "  CC      $$t"; \
			$(USER_CROSS_$(INSTALL_USER_ARCH))gcc $(USER_CSTD) $(USER_CFLAGS) $(USER_CPPFLAGS) $(CPPFLAGS) \
				-c $(TOP)/tools/$$t.c -o $(BUILD)/install/user/$$t.o; \
			$(USER_CROSS_$(INSTALL_USER_ARCH))g++ $(BUILD)/install/user/$$t.o \
				$(USER_BUILD)/$(INSTALL_USER_ARCH)/libxenshm.a $(TOOLS_LDFLAGS) -o $(BUILD)/install/user/bin/$$t; \
		else \
			echo "  CXX     $$t"; \
			$(USER_CROSS_$(INSTALL_USER_ARCH))g++ $(USER_CXXSTD) -fexceptions $(USER_CFLAGS) $(USER_CPPFLAGS) $(CPPFLAGS) \
				$(TOP)/tools/$$t.cpp $(USER_BUILD)/$(INSTALL_USER_ARCH)/libxenshm.a $(TOOLS_LDFLAGS) \
				-o $(BUILD)/install/user/bin/$$t; \
		fi; \
	done

# The module's source as DKMS wants it: /usr/src/xenshm-<version>/ with
# dkms.conf, the Kbuild and what it compiles (objects land in DKMS's copy).
install-dkms-src:
	@rm -rf $(DKMS_SRC) && $(INSTALL) -d $(DKMS_SRC)
	cp -r $(TOP)/Kbuild $(addprefix $(TOP)/,$(DKMS_SRC_DIRS)) $(DKMS_SRC)/
	rm -rf $(DKMS_SRC)/ringcore/peer.cpp $(DKMS_SRC)/kunit/configs
	sed -e "s/#MODULE_VERSION#/$(XENSHM_VERSION)/" \
		-e "1a # Do not edit directly, generated from dkms.conf by make install-dkms-src." \
		$(TOP)/dkms.conf >$(DKMS_SRC)/dkms.conf

# dkms itself builds (dkms.conf's MAKE[0]: the same Kbuild, its probes and
# its CONFIG_XEN check); the kernel folder is checked first so a bad one
# stops here with scripts/check-kdir.sh's message, not in DKMS's make.log.
dkms-install: install-check-root
	@command -v dkms >/dev/null || { \
		echo "make dkms-install: dkms is not installed (Debian: apt-get install dkms)"; exit 1; } >&2
	@[ -d $(INSTALL_KDIR) ] || { \
		echo "make dkms-install: no headers for kernel $(KVER) ($(INSTALL_KDIR) missing):"; \
		echo "  install them (Debian: apt-get install linux-headers-$(KVER)) or pass KVER="; \
		exit 1; } >&2
	@$(TOP)/scripts/check-kdir.sh $(INSTALL_KDIR)
	@$(MAKE) --no-print-directory install-dkms-src DESTDIR=
	dkms add -m $(DKMS_NAME) -v $(XENSHM_VERSION) 2>/dev/null || dkms status -m $(DKMS_NAME) -v $(XENSHM_VERSION) | grep -q .
	dkms install -m $(DKMS_NAME) -v $(XENSHM_VERSION) -k $(KVER) $(if $(KDIR),--kernelsourcedir $(INSTALL_KDIR))

dkms-remove: install-check-root
	@command -v dkms >/dev/null || { \
		echo "make dkms-remove: dkms is not installed (Debian: apt-get install dkms)"; exit 1; } >&2
	@if dkms status -m $(DKMS_NAME) -v $(XENSHM_VERSION) | grep -q .; then \
		dkms remove -m $(DKMS_NAME) -v $(XENSHM_VERSION) --all; \
	else echo "dkms-remove: $(DKMS_NAME)/$(XENSHM_VERSION) is not in DKMS"; fi
	rm -rf /usr/src/$(DKMS_NAME)-$(XENSHM_VERSION)

# Man pages: mdoc, judged by mandoc's linter at level warning (its "style"
# level also reports cross-references to pages this machine has not
# installed) and by lexgrog (what mandb/apropos index: the NAME section).
check-man:
	@command -v mandoc >/dev/null || { \
		echo "check-man: mandoc not found (Debian: apt-get install mandoc)" >&2; exit 1; }
	@echo "  MANDOC  $(words $(MAN_PAGES)) pages"
	@out=$$(mandoc -T lint -W warning $(MAN_PAGES) 2>&1); [ -z "$$out" ] || { \
		echo "$$out" >&2; echo "check-man: fix the messages above" >&2; exit 1; }
	@for p in $(MAN_PAGES); do \
		lexgrog $$p >/dev/null || { echo "check-man: lexgrog finds no NAME in $$p" >&2; exit 1; }; \
	done

# dkms.conf repeats mk/module.mk's MODULE_PAHOLE_FLAGS (DKMS runs kbuild
# without this Makefile): the two must not drift.
.PHONY: check-packaging
check-packaging:
	@grep -q 'MODULE_PAHOLE_FLAGS=$(MODULE_PAHOLE_FLAGS) ' $(TOP)/dkms.conf || { \
		echo "check-packaging: dkms.conf's MODULE_PAHOLE_FLAGS differ from mk/module.mk's ($(MODULE_PAHOLE_FLAGS))" >&2; \
		exit 1; }
	@[ "$$(sed -n 's/^xenshm (\([^)]*\)).*/\1/p;q' $(TOP)/packaging/debian/changelog)" = "$(XENSHM_VERSION)" ] || { \
		echo "check-packaging: packaging/debian/changelog's version is not XENSHM_VERSION ($(XENSHM_VERSION))" >&2; \
		exit 1; }

endif # XENSHM_INSTALL_MK
