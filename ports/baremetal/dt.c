// SPDX-License-Identifier: BSD-2-Clause
/* Copyright (c) 2026 The xenguest authors */
#include "dt.h"

/* Read @cells big-endian 32-bit cells (1 or 2) as one number. */
static uint64_t read_cells(const fdt32_t *p, int cells)
{
	uint64_t v = 0;

	for (int i = 0; i < cells; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

int dt_reg(const void *fdt, int node, int index, uint64_t *base, uint64_t *size)
{
	int parent = fdt_parent_offset(fdt, node);
	int ac = fdt_address_cells(fdt, parent);
	int sc = fdt_size_cells(fdt, parent);
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

	if (!reg || ac < 1 || ac > 2 || sc < 0 || sc > 2)
		return -ENOENT;
	if ((size_t)len < (size_t)(index + 1) * (size_t)(ac + sc) * 4)
		return -ENOENT;
	reg += index * (ac + sc);
	*base = read_cells(reg, ac);
	*size = read_cells(reg + ac, sc);
	return 0;
}

int dt_find_compatible(const void *fdt, const char *compat)
{
	return fdt_node_offset_by_compatible(fdt, -1, compat);
}

int dt_irq(const void *fdt, int node, int index, uint32_t *intid, uint32_t *flags)
{
	int len;
	const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
	uint32_t type, number;

	if (!irq || len < (index + 1) * 12)
		return -ENOENT;
	irq += index * 3;
	type = fdt32_to_cpu(irq[0]);
	number = fdt32_to_cpu(irq[1]);
	if (type > 1 || number >= (type == 1 ? 16u : 988u))
		return -ENOENT;
	*intid = number + (type == 1 ? 16 : 32); /* 1 = PPI, 0 = SPI */
	if (flags)
		*flags = fdt32_to_cpu(irq[2]);
	return 0;
}

const char *dt_bootargs(const void *fdt)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	int len;
	const char *args = chosen < 0 ? NULL : fdt_getprop(fdt, chosen, "bootargs", &len);

	/* A property is only a C string when its last byte is NUL. */
	if (!args || len < 1 || args[len - 1] != '\0')
		return "";
	return args;
}

unsigned long dt_bootarg_ulong(const void *fdt, const char *key, unsigned long fallback)
{
	const char *args = dt_bootargs(fdt);
	size_t klen = strlen(key);

	for (const char *p = args; (p = strstr(p, key)) != NULL; p += klen) {
		char *end;
		unsigned long v;

		/* whole words only: "x=1" must not match "max=1" */
		if ((p != args && p[-1] != ' ') || p[klen] != '=')
			continue;
		v = strtoul(p + klen + 1, &end, 0);
		if (end != p + klen + 1 && (*end == ' ' || *end == '\0'))
			return v;
	}
	return fallback;
}
