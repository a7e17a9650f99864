// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/xenshm/<name>, the char device of a channel end: registration, file
 * operations, mmap, ioctls and the sysfs files.
 *
 * How this works
 *   Each channel end is a misc device.  Opening it binds the file to the end
 *   (one opener per end: a second open() gets EBUSY until the first file is
 *   released; dup() and fork() share the one open file).  Everything the file
 *   sets up (the connection, the eventfd) lives and dies with it: the last
 *   close detaches from the region, which the peer sees as a hang-up.
 *
 * Note to userspace
 *   The contract is docs/uapi.md.  read()/write() (and readv()/writev(),
 *   io_uring, kernel_read()/kernel_write(): one read_iter/write_iter path)
 *   follow the framing of the producer (stream or message); poll() reports
 *   EPOLLIN, EPOLLOUT, EPOLLHUP and EPOLLERR; mmap() offsets are region
 *   offsets from GET_INFO.
 *
 * Warning
 *   The header page holds the slots that drive the rendezvous, so it is only
 *   ever mapped read-only.  The ring pages are writable by the mapping process:
 *   scribbling on them only breaks this process' own channel (EIO), as a
 *   hostile peer would.
 *
 * Lifetime
 *   A transport adds the device after creating the channel and removes it
 *   before destroying the channel (chardev.h); the channel does not know
 *   the device.  fops.owner pins the module while a file is open, and every
 *   mapping holds its file (vma->vm_file), so the last close, which
 *   detaches, comes after the last munmap.  Each VMA still takes its own
 *   reference on the region and on the module (vm_ops open/close, as
 *   gntalloc's do), so a mapping is safe without leaning on that order.
 *   rmmod fails with EBUSY while a file or a mapping exists.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/compat.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>

#include "channel.h"
#include "chardev.h"
#include "kcompat.h"
#include "uapi.h"

/* One per channel end; the miscdevice's drvdata is &dev->misc. */
struct xenshm_chardev {
	struct miscdevice misc;
	struct xenshm_channel *ch;
	char name[XENSHM_NAME_MAX + 8];		/* "xenshm/<name>" */
};

static struct xenshm_channel *file_channel(struct file *file)
{
	return file->private_data;
}

static int xenshm_open(struct inode *inode, struct file *file)
{
	/* misc_open() left the struct miscdevice in private_data. */
	struct miscdevice *misc = file->private_data;
	struct xenshm_channel *ch = container_of(misc, struct xenshm_chardev, misc)->ch;
	int ret;

	ret = xenshm_channel_open(ch);
	if (ret)
		return ret;
	file->private_data = ch;
	ret = stream_open(inode, file);
	/* read_iter/write_iter honour IOCB_NOWAIT (see xenshm_iocb_wait). */
	file->f_mode |= FMODE_NOWAIT;
	return ret;
}

static int xenshm_release(struct inode *inode, struct file *file)
{
	xenshm_channel_release(file_channel(file),
			       !(file->f_flags & O_NONBLOCK));
	return 0;
}

/*
 * O_NONBLOCK on the file and IOCB_NOWAIT on the request (io_uring's
 * non-blocking attempt, preadv2/pwritev2 RWF_NOWAIT) both turn "wait for
 * data or space" into -EAGAIN; IOCB_NOWAIT does not even wait for a lock.
 */
static enum xenshm_io_wait xenshm_iocb_wait(struct kiocb *iocb)
{
	if (iocb->ki_flags & IOCB_NOWAIT)
		return XENSHM_IO_NOWAIT;
	if (iocb->ki_filp->f_flags & O_NONBLOCK)
		return XENSHM_IO_NONBLOCK;
	return XENSHM_IO_BLOCK;
}

/*
 * read()/readv(): what one call reads (a stream's bytes, or one whole
 * message) is scattered over all the segments; write()/writev(): all the
 * segments together are what one call writes (in message mode: one message).
 */
static ssize_t xenshm_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	return xenshm_channel_read(file_channel(iocb->ki_filp), to,
				   xenshm_iocb_wait(iocb));
}

static ssize_t xenshm_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	return xenshm_channel_write(file_channel(iocb->ki_filp), from,
				    xenshm_iocb_wait(iocb));
}

static __poll_t xenshm_poll(struct file *file, struct poll_table_struct *wait)
{
	struct xenshm_channel *ch = file_channel(file);

	poll_wait(file, &ch->wq, wait);
	return xenshm_channel_poll_mask(ch);
}

/* ---- mmap ---- */

/*
 * A VMA keeps its region (memory) and the module (these vm_ops, and the
 * channel, which lives until module exit) alive.  VM_MAYWRITE marks a
 * mapping through which userspace moves ring indices: it is set only on
 * ring mappings asked for with PROT_WRITE and, unlike VM_WRITE, mprotect()
 * cannot change it, so the count stays exact.
 */
static void xenshm_vm_open(struct vm_area_struct *vma)
{
	struct xenshm_channel *ch = vma->vm_private_data;

	/* A split or partial unmap of a mapping we made: one more VMA. */
	xenshm_region_get(ch->region);
	__module_get(THIS_MODULE);
	if (vma->vm_flags & VM_MAYWRITE)
		xenshm_channel_map_rings(ch);
}

static void xenshm_vm_close(struct vm_area_struct *vma)
{
	struct xenshm_channel *ch = vma->vm_private_data;

	if (vma->vm_flags & VM_MAYWRITE)
		xenshm_channel_unmap_rings(ch);
	xenshm_region_put(ch->region);
	/*
	 * Last statement on purpose: the module may go once this returns
	 * (the usual module_put() tail; rmmod still has to stop the module,
	 * which takes far longer than our return).
	 */
	module_put(THIS_MODULE);
}

static vm_fault_t xenshm_vm_fault(struct vm_fault *vmf)
{
	/* Everything is mapped up front; a fault is outside the region. */
	return VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct xenshm_vm_ops = {
	.open = xenshm_vm_open,
	.close = xenshm_vm_close,
	.fault = xenshm_vm_fault,
};

/*
 * Windows (offsets are region offsets, as GET_INFO reports them):
 *   [0, 4096)             header + slots: read-only, never writable
 *   [4096, region_size)   ring control page and data areas: RW or RO
 * A mapping may span both only read-only.  MAP_SHARED only; a file opened
 * O_RDONLY maps read-only (do_mmap() refuses it PROT_WRITE with EACCES).
 * Nothing here takes a channel lock: we run under mmap_lock, which the
 * data path takes (page faults in copy_to/from_user) inside its locks.
 */
static int xenshm_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct xenshm_channel *ch = file_channel(file);
	struct xenshm_region *region = ch->region;
	unsigned long len = vma->vm_end - vma->vm_start;
	unsigned long off;
	int ret;

	/* Window offsets are 4 KiB apart: a bigger kernel page cannot split them. */
	if (PAGE_SIZE != XENSHM_PAGE_SIZE)
		return -EOPNOTSUPP;
	/*
	 * MAP_SHARED only.  VM_MAYSHARE, not VM_SHARED: do_mmap() drops
	 * VM_SHARED (and VM_MAYWRITE) for a MAP_SHARED mapping of a file
	 * opened without write access, which may still map read-only.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff >= (region->size >> PAGE_SHIFT))
		return -EINVAL;
	off = vma->vm_pgoff << PAGE_SHIFT;
	if (len > region->size - off)
		return -EINVAL;

	if (vma->vm_flags & VM_WRITE) {
		/* The header page (slots) is the kernel's. */
		if (off < XENSHM_CTRL_OFF)
			return -EACCES;
	} else {
		/* Read-only stays read-only: no mprotect(PROT_WRITE) later. */
		xenshm_vm_flags_mod(vma, 0, VM_MAYWRITE);
	}
	xenshm_vm_flags_mod(vma, VM_DONTEXPAND | VM_DONTCOPY | VM_DONTDUMP, 0);

	switch (region->kind) {
	case XENSHM_REGION_VMALLOC:
		ret = remap_vmalloc_range(vma, region->base, vma->vm_pgoff);
		break;
	case XENSHM_REGION_PHYS:
		ret = remap_pfn_range(vma, vma->vm_start,
				      PHYS_PFN(region->phys) + vma->vm_pgoff,
				      len, vma->vm_page_prot);
		break;
	default:
		ret = -ENODEV;
		break;
	}
	if (ret)
		return ret;

	vma->vm_ops = &xenshm_vm_ops;
	vma->vm_private_data = ch;
	/* vm_ops->open is not called for the first VMA. */
	xenshm_vm_open(vma);
	return 0;
}

/* ---- ioctls ---- */

long xenshm_ioctl_arg(struct file *file, unsigned int cmd,
		      union xenshm_ioc_arg *u)
{
	struct xenshm_channel *ch = file_channel(file);
	long ret;

	switch (_IOC_NR(cmd)) {
	case _IOC_NR(XENSHM_IOC_GET_INFO):
		ret = xenshm_uapi_check_info(&u->info);
		if (ret)
			return ret;
		memset(&u->info, 0, sizeof(u->info));
		xenshm_channel_info(ch, &u->info);
		u->info.size = sizeof(u->info);
		return 0;
	case _IOC_NR(XENSHM_IOC_CONNECT):
		ret = xenshm_uapi_check_connect(&u->connect);
		if (ret)
			return ret;
		return xenshm_channel_connect(ch, &u->connect);
	case _IOC_NR(XENSHM_IOC_SET_EVENTFD):
		ret = xenshm_uapi_check_eventfd(&u->eventfd);
		if (ret)
			return ret;
		if (u->eventfd.flags & XENSHM_EVENTFD_FLAGS_CLEAR)
			return xenshm_channel_set_eventfd(ch, -1);
		return xenshm_channel_set_eventfd(ch, (int)u->eventfd.fd);
	case _IOC_NR(XENSHM_IOC_NOTIFY):
		ret = xenshm_uapi_check_notify(&u->notify);
		if (ret)
			return ret;
		return xenshm_channel_notify(ch, u->notify.flags);
	case _IOC_NR(XENSHM_IOC_STATS):
		ret = xenshm_uapi_check_stats(&u->stats);
		if (ret)
			return ret;
		memset(&u->stats, 0, sizeof(u->stats));
		xenshm_channel_stats(ch, &u->stats);
		u->stats.size = sizeof(u->stats);
		return 0;
	case _IOC_NR(XENSHM_IOC_RESET):
		ret = xenshm_uapi_check_reset(&u->reset);
		if (ret)
			return ret;
		return xenshm_channel_reset(ch);
	default:
		return -ENOTTY;
	}
}

static long xenshm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	union xenshm_ioc_arg u;
	size_t ksize;
	u32 usize;
	long ret;

	ksize = xenshm_uapi_arg_size(cmd);
	if (!ksize)
		return -ENOTTY;
	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	ret = xenshm_uapi_check_size(usize, ksize);
	if (ret)
		return ret;
	/* Copies ksize bytes; -E2BIG if the caller's tail is not all zero. */
	ret = copy_struct_from_user(&u, ksize, uarg, usize);
	if (ret)
		return ret;

	ret = xenshm_ioctl_arg(file, cmd, &u);
	if (ret)
		return ret;
	/* The output structs (usize >= ksize was checked above). */
	switch (_IOC_NR(cmd)) {
	case _IOC_NR(XENSHM_IOC_GET_INFO):
	case _IOC_NR(XENSHM_IOC_STATS):
		if (copy_to_user(uarg, &u, ksize))
			return -EFAULT;
		break;
	}
	return 0;
}

static const struct file_operations xenshm_fops = {
	.owner = THIS_MODULE,
	.open = xenshm_open,
	.release = xenshm_release,
	.read_iter = xenshm_read_iter,
	.write_iter = xenshm_write_iter,
	.poll = xenshm_poll,
	.mmap = xenshm_mmap,
	.unlocked_ioctl = xenshm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	/* No .llseek: lseek() gets -ESPIPE (what no_llseek, gone in 6.12, did). */
};

/* ---- sysfs: /sys/class/misc/xenshm!<name>/ ---- */

static struct xenshm_channel *dev_channel(struct device *dev)
{
	struct miscdevice *misc = dev_get_drvdata(dev);

	return container_of(misc, struct xenshm_chardev, misc)->ch;
}

static const char *const state_names[] = {
	[XENSHM_CHAN_STATE_IDLE] = "idle",
	[XENSHM_CHAN_STATE_CONNECTING] = "connecting",
	[XENSHM_CHAN_STATE_CONNECTED] = "connected",
	[XENSHM_CHAN_STATE_PEER_GONE] = "peer_gone",
	[XENSHM_CHAN_STATE_BROKEN] = "broken",
};

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	u32 state = xenshm_channel_state(dev_channel(dev));

	if (state >= ARRAY_SIZE(state_names) || !state_names[state])
		return sysfs_emit(buf, "%u\n", state);
	return sysfs_emit(buf, "%s\n", state_names[state]);
}
static DEVICE_ATTR_RO(state);

static ssize_t show_domid(char *buf, u32 domid)
{
	if (domid == XENSHM_DOMID_NONE)
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "%u\n", domid);
}

static ssize_t peer_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct xenshm_info info = {};

	xenshm_channel_info(dev_channel(dev), &info);
	return show_domid(buf, info.peer_domid);
}
static DEVICE_ATTR_RO(peer);

static ssize_t local_domid_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct xenshm_info info = {};

	xenshm_channel_info(dev_channel(dev), &info);
	return show_domid(buf, info.local_domid);
}
static DEVICE_ATTR_RO(local_domid);

static ssize_t ports_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct xenshm_info info = {};

	xenshm_channel_info(dev_channel(dev), &info);
	return sysfs_emit(buf, "%u %u\n", info.local_port, info.remote_port);
}
static DEVICE_ATTR_RO(ports);

static ssize_t slot_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct xenshm_info info = {};

	xenshm_channel_info(dev_channel(dev), &info);
	return sysfs_emit(buf, "%u\n", info.slot);
}
static DEVICE_ATTR_RO(slot);

static ssize_t role_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	static const char *const names[] = { "auto", "receiver", "sender" };
	struct xenshm_info info = {};

	xenshm_channel_info(dev_channel(dev), &info);
	if (info.role >= ARRAY_SIZE(names))
		return sysfs_emit(buf, "%u\n", info.role);
	return sysfs_emit(buf, "%s\n", names[info.role]);
}
static DEVICE_ATTR_RO(role);

static ssize_t mode_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct xenshm_info info = {};

	xenshm_channel_info(dev_channel(dev), &info);
	return sysfs_emit(buf, "%s\n", info.mode == XENSHM_MODE_MESSAGE ?
			  "message" : "stream");
}
static DEVICE_ATTR_RO(mode);

static ssize_t transport_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	struct xenshm_channel *ch = dev_channel(dev);

	return sysfs_emit(buf, "%s\n",
			  ch->ops->transport == XENSHM_TRANSPORT_XEN ?
			  "xen" : "loopback");
}
static DEVICE_ATTR_RO(transport);

static ssize_t region_size_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%zu\n", dev_channel(dev)->region->size);
}
static DEVICE_ATTR_RO(region_size);

static ssize_t last_error_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(dev_channel(dev)->error));
}
static DEVICE_ATTR_RO(last_error);

static struct attribute *xenshm_dev_attrs[] = {
	&dev_attr_state.attr,
	&dev_attr_peer.attr,
	&dev_attr_local_domid.attr,
	&dev_attr_ports.attr,
	&dev_attr_slot.attr,
	&dev_attr_role.attr,
	&dev_attr_mode.attr,
	&dev_attr_transport.attr,
	&dev_attr_region_size.attr,
	&dev_attr_last_error.attr,
	NULL,
};

static const struct attribute_group xenshm_dev_group = {
	.attrs = xenshm_dev_attrs,
};

/* stats/<counter>: one show() for all, each attribute knows its counter. */
struct xenshm_stat_attr {
	struct device_attribute attr;
	size_t off;		/* in struct xenshm_counters */
};

static ssize_t stat_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	size_t off = container_of(attr, struct xenshm_stat_attr, attr)->off;
	atomic64_t *counter = (void *)&dev_channel(dev)->stats + off;

	return sysfs_emit(buf, "%lld\n", (long long)atomic64_read(counter));
}

static struct xenshm_stat_attr xenshm_stat_attrs[] = {
	{ __ATTR(tx_bytes, 0444, stat_show, NULL),
	  offsetof(struct xenshm_counters, tx_bytes) },
	{ __ATTR(rx_bytes, 0444, stat_show, NULL),
	  offsetof(struct xenshm_counters, rx_bytes) },
	{ __ATTR(tx_msgs, 0444, stat_show, NULL),
	  offsetof(struct xenshm_counters, tx_msgs) },
	{ __ATTR(rx_msgs, 0444, stat_show, NULL),
	  offsetof(struct xenshm_counters, rx_msgs) },
	{ __ATTR(notify_sent, 0444, stat_show, NULL),
	  offsetof(struct xenshm_counters, notify_sent) },
	{ __ATTR(notify_recv, 0444, stat_show, NULL),
	  offsetof(struct xenshm_counters, notify_recv) },
	{ __ATTR(notify_suppressed, 0444, stat_show, NULL),
	  offsetof(struct xenshm_counters, notify_suppressed) },
	{ __ATTR(errors, 0444, stat_show, NULL),
	  offsetof(struct xenshm_counters, errors) },
};

static struct attribute *xenshm_stats_attrs[] = {
	&xenshm_stat_attrs[0].attr.attr,
	&xenshm_stat_attrs[1].attr.attr,
	&xenshm_stat_attrs[2].attr.attr,
	&xenshm_stat_attrs[3].attr.attr,
	&xenshm_stat_attrs[4].attr.attr,
	&xenshm_stat_attrs[5].attr.attr,
	&xenshm_stat_attrs[6].attr.attr,
	&xenshm_stat_attrs[7].attr.attr,
	NULL,
};

/* Every counter has its file, and every file is listed. */
static_assert(ARRAY_SIZE(xenshm_stat_attrs) ==
	      sizeof(struct xenshm_counters) / sizeof(atomic64_t));
static_assert(ARRAY_SIZE(xenshm_stats_attrs) == ARRAY_SIZE(xenshm_stat_attrs) + 1);

static const struct attribute_group xenshm_stats_group = {
	.name = "stats",
	.attrs = xenshm_stats_attrs,
};

static const struct attribute_group *xenshm_dev_groups[] = {
	&xenshm_dev_group,
	&xenshm_stats_group,
	NULL,
};

/* ---- registration ---- */

struct xenshm_chardev *xenshm_chardev_add(struct xenshm_channel *ch)
{
	struct xenshm_chardev *dev;
	int ret;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev->ch = ch;
	snprintf(dev->name, sizeof(dev->name), "xenshm/%s", ch->name);
	dev->misc.minor = MISC_DYNAMIC_MINOR;
	dev->misc.name = dev->name;
	dev->misc.fops = &xenshm_fops;
	dev->misc.groups = xenshm_dev_groups;
	dev->misc.mode = 0600;
	ret = misc_register(&dev->misc);
	if (ret) {
		pr_err("%s: misc_register failed: %d\n", dev->name, ret);
		kfree(dev);
		return ERR_PTR(ret);
	}
	return dev;
}

void xenshm_chardev_remove(struct xenshm_chardev *dev)
{
	if (!dev)
		return;
	misc_deregister(&dev->misc);
	kfree(dev);
}
