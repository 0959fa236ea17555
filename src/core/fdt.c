/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Finding Xen in a flattened device tree (arm). The blob comes from the
 * boot loader or Xen itself, but it is still parsed defensively: every
 * length is checked before a cell is read.
 */
#include <xenguest/core.h>
#include <xenguest/error.h>

#include <libfdt.h>

#include "../xg_internal.h"

#define XG_GIC_SPI 0
#define XG_GIC_PPI 1

static uint64_t xg_fdt_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = (v << 32) | fdt32_to_cpu(*p++);
	return v;
}

/* Parse "xen,xen-X.Y" into the version, if that string is present. */
static void xg_fdt_version(const void *fdt, int node, struct xg_fdt_info *info)
{
	static const char prefix[] = "xen,xen-";
	int len, i;
	const char *s = fdt_getprop(fdt, node, "compatible", &len);
	const char *end = s ? s + len : NULL;

	for (; s != NULL && s < end; s += xg_strnlen(s, (size_t)(end - s)) + 1) {
		uint32_t major = 0, minor = 0;
		const char *p = s;

		for (i = 0; prefix[i] != '\0' && p < end && *p == prefix[i]; i++)
			p++;
		if (prefix[i] != '\0')
			continue;
		for (; p < end && *p >= '0' && *p <= '9'; p++)
			major = major * 10 + (uint32_t)(*p - '0');
		if (p >= end || *p++ != '.')
			continue;
		for (; p < end && *p >= '0' && *p <= '9'; p++)
			minor = minor * 10 + (uint32_t)(*p - '0');
		info->version_major = major;
		info->version_minor = minor;
		return;
	}
}

/* The node's reg ranges: the first is the grant-table region, the rest
 * extended regions. Cell sizes come from the parent. */
static int xg_fdt_regs(const void *fdt, int node, struct xg_fdt_info *info)
{
	int parent = fdt_parent_offset(fdt, node);
	int ac, sc, len, stride, n, i;
	const fdt32_t *reg;

	if (parent < 0)
		return XG_EINVAL;
	ac = fdt_address_cells(fdt, parent);
	sc = fdt_size_cells(fdt, parent);
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return XG_EINVAL;
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (reg == NULL)
		return len == -FDT_ERR_NOTFOUND ? 0 : XG_EINVAL;
	stride = (ac + sc) * (int)sizeof(fdt32_t);
	if (len <= 0 || len % stride != 0)
		return XG_EINVAL;
	n = len / stride;
	for (i = 0; i < n; i++, reg += ac + sc) {
		struct xg_range r = { xg_fdt_cells(reg, ac),
				      xg_fdt_cells(reg + ac, sc) };

		if (i == 0)
			info->grant_region = r;
		else if (info->ext_count < XG_FDT_MAX_EXT_REGIONS)
			info->ext_regions[info->ext_count++] = r;
		else
			info->ext_dropped++;
	}
	return 0;
}

/* The event-channel interrupt: a GIC specifier <type number flags>. */
static int xg_fdt_irq(const void *fdt, int node, struct xg_fdt_info *info)
{
	int len;
	const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
	uint32_t type, num;

	if (irq == NULL)
		return len == -FDT_ERR_NOTFOUND ? 0 : XG_EINVAL;
	if (len != 3 * (int)sizeof(fdt32_t))
		return XG_EINVAL;
	type = fdt32_to_cpu(irq[0]);
	num = fdt32_to_cpu(irq[1]);
	if (type == XG_GIC_PPI && num < 16)
		info->evtchn_intid = 16 + num;
	else if (type == XG_GIC_SPI && num < 988)
		info->evtchn_intid = 32 + num;
	else
		return XG_EINVAL;
	info->evtchn_irq_flags = fdt32_to_cpu(irq[2]);
	info->have_irq = true;
	return 0;
}

int xg_fdt_probe(const void *fdt, struct xg_fdt_info *info)
{
	int node, rc;

	if (fdt == NULL || info == NULL)
		return XG_EINVAL;
	xg_memset(info, 0, sizeof(*info));
	if (fdt_check_header(fdt) != 0)
		return XG_EINVAL;
	node = fdt_node_offset_by_compatible(fdt, -1, "xen,xen");
	if (node == -FDT_ERR_NOTFOUND)
		return XG_ENODEV;
	if (node < 0)
		return XG_EINVAL;
	info->node = node;
	xg_fdt_version(fdt, node, info);
	rc = xg_fdt_regs(fdt, node, info);
	if (rc == 0)
		rc = xg_fdt_irq(fdt, node, info);
	return rc;
}

static void xg_fdt_copy_id(const void *fdt, int node, struct xg_shmem *s)
{
	int len;
	const char *id = fdt_getprop(fdt, node, "xen,id", &len);
	size_t n = 0;

	if (id != NULL && len > 0)
		n = xg_strnlen(id, (size_t)len);
	if (n >= sizeof(s->id))
		n = sizeof(s->id) - 1;
	if (n > 0)
		xg_memcpy(s->id, id, n);
	s->id[n] = '\0';
}

int xg_fdt_shared_mem(const void *fdt, struct xg_shmem *out, unsigned max)
{
	int node, count = 0;

	if (fdt == NULL || (out == NULL && max > 0) || fdt_check_header(fdt))
		return XG_EINVAL;
	for (node = fdt_node_offset_by_compatible(fdt, -1,
						  "xen,shared-memory-v1");
	     node >= 0;
	     node = fdt_node_offset_by_compatible(fdt, node,
						  "xen,shared-memory-v1")) {
		struct xg_fdt_info tmp;

		xg_memset(&tmp, 0, sizeof(tmp));
		/* Reuse the reg parser: a region node has exactly one range. */
		if (xg_fdt_regs(fdt, node, &tmp) != 0 || tmp.ext_count != 0 ||
		    tmp.grant_region.size == 0)
			return XG_EINVAL;
		if ((unsigned)count < max) {
			out[count].range = tmp.grant_region;
			xg_fdt_copy_id(fdt, node, &out[count]);
		}
		count++;
	}
	if (node != -FDT_ERR_NOTFOUND)
		return XG_EINVAL;
	return count;
}
