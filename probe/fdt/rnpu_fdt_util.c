// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Reading a flattened device tree the way the kernel's OF layer does:
 * reg entries in the parent's cell sizes translated through the buses'
 * ranges, interrupts in the interrupt parent's cells, phandle lists with
 * the providers' argument counts. libfdt does the parsing; everything here
 * checks lengths before it reads.
 */
#include <errno.h>
#include <inttypes.h>
#include <libfdt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rnpu_fdt_internal.h"

#define RNPU_FDT_MAX_DEPTH 32

void rnpu_fdt_path(const void *fdt, int node, char *buf, size_t len)
{
	if (fdt_get_path(fdt, node, buf, (int)len) != 0)
		snprintf(buf, len, "?");
}

int rnpu_fdt_fail(const void *fdt, int node, struct rnpu_fdt_err *e, int ret,
		  const char *fmt, ...)
{
	char path[128];
	char msg[192];
	va_list ap;

	if (!e->buf || !e->len)
		return ret;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (node >= 0) {
		rnpu_fdt_path(fdt, node, path, sizeof(path));
		snprintf(e->buf, e->len, "%s: %s", path, msg);
	} else {
		snprintf(e->buf, e->len, "%s", msg);
	}
	return ret;
}

/* Walks the structure block's tags once: 0 when it ends in FDT_END with
 * every tag after the one before, a libfdt error otherwise. */
static int struct_moves_forward(const void *fdt)
{
	uint32_t max_tags = fdt_size_dt_struct(fdt) / FDT_TAGSIZE + 1;
	int offset = 0, next = 0;

	for (uint32_t i = 0; i < max_tags; i++) {
		uint32_t tag = fdt_next_tag(fdt, offset, &next);

		if (next < 0)
			return next;
		if (tag == FDT_END)
			return 0;
		if (next <= offset)
			return -FDT_ERR_BADSTRUCTURE;
		offset = next;
	}
	return -FDT_ERR_BADSTRUCTURE;
}

int rnpu_fdt_check_blob(const void *fdt, size_t size, struct rnpu_fdt_err *e)
{
	int ret;

	if (!fdt || size < sizeof(struct fdt_header))
		return rnpu_fdt_fail(fdt, -1, e, -EINVAL,
				     "device tree blob truncated: %zu bytes, the header alone is %zu",
				     size, sizeof(struct fdt_header));
	ret = fdt_check_header(fdt);
	if (ret)
		return rnpu_fdt_fail(fdt, -1, e, -EINVAL, "not a device tree blob: %s",
				     fdt_strerror(ret));
	/* Version 17 is what dtc and boot loaders write; older layouts take
	 * paths of libfdt 1.6's fdt_check_full that read out of bounds on
	 * malformed blobs (found by fuzz-fdt), so they are refused. */
	if (fdt_version(fdt) < 17)
		return rnpu_fdt_fail(fdt, -1, e, -EINVAL,
				     "device tree blob version %u: only version 17 is read",
				     fdt_version(fdt));
	if (fdt_totalsize(fdt) > size)
		return rnpu_fdt_fail(fdt, -1, e, -EINVAL,
				     "device tree blob truncated: header says %u bytes, have %zu",
				     fdt_totalsize(fdt), size);
	/* libfdt 1.6's tag walk (fdt_check_full included) never ends on a
	 * property whose length takes the next tag back to itself or before
	 * (found by fuzz-fdt): every tag must move forward, within a bounded
	 * number of steps, before libfdt walks the blob. */
	ret = struct_moves_forward(fdt);
	if (!ret)
		ret = fdt_check_full(fdt, size);
	if (ret)
		return rnpu_fdt_fail(fdt, -1, e, -EINVAL, "device tree blob damaged: %s",
				     fdt_strerror(ret));
	return 0;
}

bool rnpu_fdt_node_enabled(const void *fdt, int node)
{
	int len;
	const char *status = fdt_getprop(fdt, node, "status", &len);

	if (!status || len <= 0)
		return true;
	return strcmp(status, "okay") == 0 || strcmp(status, "ok") == 0;
}

/* #address-cells / #size-cells that @parent gives its children, with the
 * specification's defaults (2 and 1) when absent. */
static int cells_of(const void *fdt, int parent, const char *name, int dflt)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, parent, name, &len);

	if (!p)
		return dflt;
	if (len != 4)
		return -1;
	return (int)fdt32_to_cpu(*p);
}

static uint64_t read_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

static int reg_layout(const void *fdt, int node, int *ac, int *sc, struct rnpu_fdt_err *e)
{
	int parent = fdt_parent_offset(fdt, node);

	if (parent < 0)
		return rnpu_fdt_fail(fdt, node, e, -ENXIO, "reg: node has no parent bus");
	*ac = cells_of(fdt, parent, "#address-cells", 2);
	*sc = cells_of(fdt, parent, "#size-cells", 1);
	if (*ac < 1 || *ac > 2 || *sc < 0 || *sc > 2)
		return rnpu_fdt_fail(fdt, parent, e, -ENXIO,
				     "#address-cells/#size-cells: %d/%d not supported (1..2/0..2)",
				     *ac, *sc);
	return 0;
}

int rnpu_fdt_reg_count(const void *fdt, int node, struct rnpu_fdt_err *e)
{
	int ac = 0, sc = 0, len, ret;
	const fdt32_t *reg;

	ret = reg_layout(fdt, node, &ac, &sc, e);
	if (ret)
		return ret;
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg)
		return rnpu_fdt_fail(fdt, node, e, -ENXIO, "reg: missing");
	if (len <= 0 || len % (4 * (ac + sc)))
		return rnpu_fdt_fail(fdt, node, e, -ENXIO,
				     "reg: %d bytes is not a whole number of %d-cell entries", len,
				     ac + sc);
	return len / (4 * (ac + sc));
}

/* Maps @addr from @node's bus to its parent bus through the parent's
 * ranges, up to the root. */
static int translate(const void *fdt, int node, uint64_t *addr, struct rnpu_fdt_err *e)
{
	int bus = fdt_parent_offset(fdt, node);

	for (int depth = 0; bus > 0 && depth < RNPU_FDT_MAX_DEPTH; depth++) {
		int up = fdt_parent_offset(fdt, bus);
		int cac = cells_of(fdt, bus, "#address-cells", 2);
		int csc = cells_of(fdt, bus, "#size-cells", 1);
		int pac = cells_of(fdt, up < 0 ? 0 : up, "#address-cells", 2);
		int len, entry, i;
		const fdt32_t *r = fdt_getprop(fdt, bus, "ranges", &len);
		bool found = false;

		if (!r)
			return rnpu_fdt_fail(fdt, bus, e, -ENXIO,
					     "ranges: missing, child addresses cannot be translated");
		if (len == 0) {
			bus = up;
			continue;
		}
		if (cac < 1 || cac > 2 || pac < 1 || pac > 2 || csc < 1 || csc > 2)
			return rnpu_fdt_fail(fdt, bus, e, -ENXIO, "ranges: cell sizes %d/%d/%d not supported",
					     cac, pac, csc);
		entry = 4 * (cac + pac + csc);
		if (len % entry)
			return rnpu_fdt_fail(fdt, bus, e, -ENXIO,
					     "ranges: %d bytes is not a whole number of entries", len);
		for (i = 0; i < len / entry && !found; i++) {
			const fdt32_t *p = r + i * (cac + pac + csc);
			uint64_t child = read_cells(p, cac);
			uint64_t parent = read_cells(p + cac, pac);
			uint64_t size = read_cells(p + cac + pac, csc);

			if (*addr >= child && *addr - child < size) {
				*addr = *addr - child + parent;
				found = true;
			}
		}
		if (!found)
			return rnpu_fdt_fail(fdt, bus, e, -ENXIO,
					     "ranges: no entry covers address 0x%" PRIx64, *addr);
		bus = up;
	}
	return 0;
}

int rnpu_fdt_reg(const void *fdt, int node, int idx, struct rnpu_fdt_window *w,
		 struct rnpu_fdt_err *e)
{
	int ac = 0, sc = 0, len, ret;
	const fdt32_t *reg;

	ret = rnpu_fdt_reg_count(fdt, node, e);
	if (ret < 0)
		return ret;
	if (idx >= ret)
		return rnpu_fdt_fail(fdt, node, e, -ENXIO, "reg: entry %d missing (has %d)", idx, ret);
	ret = reg_layout(fdt, node, &ac, &sc, e);
	if (ret)
		return ret;
	reg = fdt_getprop(fdt, node, "reg", &len);
	w->base = read_cells(reg + idx * (ac + sc), ac);
	w->size = read_cells(reg + idx * (ac + sc) + ac, sc);
	if (w->size == 0)
		return rnpu_fdt_fail(fdt, node, e, -ENXIO, "reg: entry %d has size 0", idx);
	return translate(fdt, node, &w->base, e);
}

/* The interrupt parent: the nearest interrupt-parent property up the tree. */
static int irq_parent(const void *fdt, int node, uint32_t *phandle, struct rnpu_fdt_err *e)
{
	int at = node;

	for (int depth = 0; at >= 0 && depth < RNPU_FDT_MAX_DEPTH; depth++) {
		int len;
		const fdt32_t *p = fdt_getprop(fdt, at, "interrupt-parent", &len);

		if (p) {
			int ctrl;

			if (len != 4)
				return rnpu_fdt_fail(fdt, at, e, -ENXIO,
						     "interrupt-parent: %d bytes, expected one phandle",
						     len);
			*phandle = fdt32_to_cpu(*p);
			ctrl = fdt_node_offset_by_phandle(fdt, *phandle);
			if (ctrl < 0)
				return rnpu_fdt_fail(fdt, at, e, -ENXIO,
						     "interrupt-parent: phandle 0x%x has no node",
						     *phandle);
			return ctrl;
		}
		at = fdt_parent_offset(fdt, at);
	}
	return rnpu_fdt_fail(fdt, node, e, -ENXIO, "interrupts: no interrupt-parent in the tree");
}

int rnpu_fdt_irqs(const void *fdt, int node, struct rnpu_fdt_irq *out, unsigned int max,
		  unsigned int *count, struct rnpu_fdt_err *e)
{
	uint32_t phandle = 0;
	int len, ctrl, ncells;
	const fdt32_t *p = fdt_getprop(fdt, node, "interrupts", &len);

	if (!p)
		return rnpu_fdt_fail(fdt, node, e, -ENXIO, "interrupts: missing");
	ctrl = irq_parent(fdt, node, &phandle, e);
	if (ctrl < 0)
		return ctrl;
	ncells = cells_of(fdt, ctrl, "#interrupt-cells", -1);
	if (ncells < 1 || ncells > RNPU_FDT_MAX_IRQ_CELLS)
		return rnpu_fdt_fail(fdt, ctrl, e, -ENXIO, "#interrupt-cells: %d not supported (1..%d)",
				     ncells, RNPU_FDT_MAX_IRQ_CELLS);
	if (len <= 0 || len % (4 * ncells))
		return rnpu_fdt_fail(fdt, node, e, -ENXIO,
				     "interrupts: %d bytes is not a whole number of %d-cell specifiers",
				     len, ncells);
	*count = (unsigned int)(len / (4 * ncells));
	for (unsigned int i = 0; i < *count && i < max; i++) {
		out[i].controller = phandle;
		out[i].num_cells = (unsigned int)ncells;
		for (int c = 0; c < ncells; c++)
			out[i].cells[c] = fdt32_to_cpu(p[i * (unsigned int)ncells + (unsigned int)c]);
	}
	return 0;
}

int rnpu_fdt_refs(const void *fdt, int node, const char *prop, const char *cells_name,
		  const char *names_prop, struct rnpu_fdt_ref *out, unsigned int max,
		  unsigned int *count, struct rnpu_fdt_err *e)
{
	int len, pos = 0;
	const fdt32_t *p = fdt_getprop(fdt, node, prop, &len);

	*count = 0;
	if (!p)
		return 0;
	if (len % 4)
		return rnpu_fdt_fail(fdt, node, e, -ENXIO, "%s: %d bytes is not whole cells", prop, len);
	while (pos < len / 4) {
		uint32_t phandle = fdt32_to_cpu(p[pos]);
		int provider = fdt_node_offset_by_phandle(fdt, phandle);
		int nargs;

		if (provider < 0)
			return rnpu_fdt_fail(fdt, node, e, -ENXIO, "%s: entry %u: phandle 0x%x has no node",
					     prop, *count, phandle);
		nargs = cells_of(fdt, provider, cells_name, 0);
		if (nargs < 0 || pos + 1 + nargs > len / 4)
			return rnpu_fdt_fail(fdt, node, e, -ENXIO,
					     "%s: entry %u is cut short (%s of its provider is %d)", prop,
					     *count, cells_name, nargs);
		if (*count < max) {
			struct rnpu_fdt_ref *r = &out[*count];
			const char *name = names_prop ?
				fdt_stringlist_get(fdt, node, names_prop, (int)*count, NULL) : NULL;

			r->phandle = phandle;
			r->arg = nargs ? fdt32_to_cpu(p[pos + 1]) : 0;
			snprintf(r->name, sizeof(r->name), "%s", name ? name : "");
		}
		(*count)++;
		pos += 1 + nargs;
	}
	return 0;
}

void rnpu_fdt_dev_name(const void *fdt, int node, uint64_t base, char *buf, size_t len)
{
	int name_len;
	const char *name = fdt_get_name(fdt, node, &name_len);
	const char *at = name ? memchr(name, '@', (size_t)name_len) : NULL;
	int base_len = at ? (int)(at - name) : name_len;

	snprintf(buf, len, "%" PRIx64 ".%.*s", base, name ? base_len : 1, name ? name : "?");
}

/* Linux's reading of an alias name: the trailing decimal digits are the
 * id, the rest the stem; no digits, or an id beyond an int, is no alias. */
static int alias_name_id(const char *name, const char *stem)
{
	size_t len = strlen(name), stem_len = strlen(stem);
	const char *digits = name + len;
	long long id = 0; /* wider than an int on every target */

	while (digits > name && digits[-1] >= '0' && digits[-1] <= '9')
		digits--;
	if ((size_t)(digits - name) != stem_len || memcmp(name, stem, stem_len) != 0 ||
	    *digits == '\0')
		return -1;
	for (; *digits; digits++) {
		id = id * 10 + (*digits - '0');
		if (id > INT_MAX)
			return -1;
	}
	return (int)id;
}

/* The alias a relative @path starts with leads to an absolute path: libfdt
 * then resolves @path in one step, where an alias naming an alias would
 * recurse without bound. */
static bool alias_is_absolute(const void *fdt, int aliases, const char *path, size_t len)
{
	const char *slash = memchr(path, '/', len);
	int target_len;
	const char *target = fdt_getprop_namelen(fdt, aliases, path,
						 (int)(slash ? (size_t)(slash - path) : len),
						 &target_len);

	return target && target_len > 0 && target[0] == '/';
}

int rnpu_fdt_alias_id(const void *fdt, int node, const char *stem)
{
	int aliases = fdt_path_offset(fdt, "/aliases");
	int prop;

	if (aliases < 0)
		return -1;
	fdt_for_each_property_offset(prop, fdt, aliases) {
		const char *name = NULL;
		int len, id;
		const char *path = fdt_getprop_by_offset(fdt, prop, &name, &len);
		const char *colon;
		size_t path_len;

		if (!path || !name || len <= 0)
			continue;
		id = alias_name_id(name, stem);
		if (id < 0)
			continue;
		/* A path, possibly starting with another alias; what follows a
		 * ':' is an option string, not part of the path (as Linux reads
		 * stdout-path and aliases alike). Unterminated: no path. */
		path_len = strnlen(path, (size_t)len);
		if (path_len == (size_t)len)
			continue;
		colon = memchr(path, ':', path_len);
		if (colon)
			path_len = (size_t)(colon - path);
		if (path_len == 0 ||
		    (path[0] != '/' && !alias_is_absolute(fdt, aliases, path, path_len)))
			continue;
		if (fdt_path_offset_namelen(fdt, path, (int)path_len) == node)
			return id;
	}
	return -1;
}
