// SPDX-License-Identifier: GPL-2.0-only
/*
 * xenshm-info: state and counters of one or all xenshm channel ends.
 *
 * Usage: xenshm-info [-i] [NAME...]
 *   NAME  an end (loop0-a, /dev/xenshm/foo); default: every end in sysfs
 *   -i    also open each free end and print GET_INFO/STATS (mmap layout,
 *         ports); an end in use by another process is shown from sysfs only
 *
 * sysfs (/sys/class/misc/xenshm!<name>/ and its stats/) needs no open file,
 * so it works while another process holds the end (one opener per end).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libxenshm.h"

#define SYS_MISC "/sys/class/misc"

static int read_attr(const char *dev, const char *attr, char *buf, size_t len)
{
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), SYS_MISC "/xenshm!%s/%s", dev, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = 0;
	return 0;
}

static const char *attr_or(const char *dev, const char *attr, char *buf, size_t len)
{
	if (read_attr(dev, attr, buf, len))
		snprintf(buf, len, "-");
	return buf;
}

static void show_sysfs(const char *name)
{
	static const char *const stats[] = {
		"tx_bytes", "rx_bytes", "tx_msgs", "rx_msgs", "notify_sent",
		"notify_recv", "notify_suppressed", "errors",
	};
	char a[64], b[64], c[64], d[64], e[64], f[64], g[64];
	size_t i;

	printf("%s: %s, %s, slot %s, role %s, mode %s\n", name,
	       attr_or(name, "state", a, sizeof(a)), attr_or(name, "transport", b, sizeof(b)),
	       attr_or(name, "slot", c, sizeof(c)), attr_or(name, "role", d, sizeof(d)),
	       attr_or(name, "mode", e, sizeof(e)));
	printf("  local domid %s, peer %s, ports %s, region %s bytes, last error %s\n",
	       attr_or(name, "local_domid", a, sizeof(a)), attr_or(name, "peer", b, sizeof(b)),
	       attr_or(name, "ports", c, sizeof(c)), attr_or(name, "region_size", f, sizeof(f)),
	       attr_or(name, "last_error", g, sizeof(g)));
	printf("  stats:");
	for (i = 0; i < sizeof(stats) / sizeof(stats[0]); i++) {
		char key[64];

		snprintf(key, sizeof(key), "stats/%s", stats[i]);
		printf(" %s=%s", stats[i], attr_or(name, key, a, sizeof(a)));
	}
	printf("\n");
}

static int show_ioctl(const char *name)
{
	struct xenshm_stats s;
	struct xenshm_info i;
	int fd, r;

	fd = xenshm_open(name, O_NONBLOCK);
	if (fd == -EBUSY) {
		printf("  (in use by another process: GET_INFO not available)\n");
		return 0;
	}
	if (fd < 0) {
		fprintf(stderr, "xenshm-info: %s: %s\n", name, strerror(-fd));
		return 1;
	}
	r = xenshm_get_info(fd, &i);
	if (!r)
		r = xenshm_get_stats(fd, &s);
	close(fd);
	if (r) {
		fprintf(stderr, "xenshm-info: %s: ioctl: %s\n", name, strerror(-r));
		return 1;
	}
	printf("  GET_INFO: abi %u.%u state %s features 0x%llx region %llu data %u max_msg %u\n",
	       i.abi_major, i.abi_minor, xenshm_state_name(i.state),
	       (unsigned long long)i.features, (unsigned long long)i.region_size,
	       i.data_size, i.max_msg_size);
	printf("  mmap: header @%llu+%llu (ro), rings @%llu+%llu (rw); tx ctrl %llu data %llu; rx ctrl %llu data %llu\n",
	       (unsigned long long)i.mmap_header_off, (unsigned long long)i.mmap_header_size,
	       (unsigned long long)i.mmap_rings_off, (unsigned long long)i.mmap_rings_size,
	       (unsigned long long)i.tx_ctrl_off, (unsigned long long)i.tx_data_off,
	       (unsigned long long)i.rx_ctrl_off, (unsigned long long)i.rx_data_off);
	printf("  STATS (this open): tx %llu B / %llu msgs, rx %llu B / %llu msgs, events sent %llu recv %llu suppressed %llu, errors %llu\n",
	       (unsigned long long)s.tx_bytes, (unsigned long long)s.tx_msgs,
	       (unsigned long long)s.rx_bytes, (unsigned long long)s.rx_msgs,
	       (unsigned long long)s.notify_sent, (unsigned long long)s.notify_recv,
	       (unsigned long long)s.notify_suppressed, (unsigned long long)s.errors);
	return 0;
}

static const char *base_name(const char *name)
{
	const char *p = strrchr(name, '/');

	return p ? p + 1 : name;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	int opt_i = 0, rc = 0, i, n = 0;
	char *names[256];

	while ((i = getopt(argc, argv, "ih")) != -1) {
		switch (i) {
		case 'i':
			opt_i = 1;
			break;
		default:
			fprintf(stderr, "usage: %s [-i] [NAME...]\n", argv[0]);
			return i == 'h' ? 0 : 2;
		}
	}
	if (optind < argc) {
		for (i = optind; i < argc && n < 256; i++)
			names[n++] = strdup(base_name(argv[i]));
	} else {
		DIR *d = opendir(SYS_MISC);
		struct dirent *de;

		if (!d) {
			fprintf(stderr, "xenshm-info: %s: %s\n", SYS_MISC, strerror(errno));
			return 1;
		}
		while ((de = readdir(d)) && n < 256)
			if (!strncmp(de->d_name, "xenshm!", 7))
				names[n++] = strdup(de->d_name + 7);
		closedir(d);
		qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
		if (!n) {
			fprintf(stderr, "xenshm-info: no xenshm channels (is xenshm.ko loaded?)\n");
			return 1;
		}
	}
	for (i = 0; i < n; i++) {
		char st[64];

		if (read_attr(names[i], "state", st, sizeof(st))) {
			fprintf(stderr, "xenshm-info: %s: no such channel\n", names[i]);
			rc = 1;
			continue;
		}
		show_sysfs(names[i]);
		if (opt_i)
			rc |= show_ioctl(names[i]);
		free(names[i]);
	}
	return rc;
}
