/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/* Device-tree reading shared by the RK3588 and K230 probes. */
#ifndef RNPU_FDT_INTERNAL_H
#define RNPU_FDT_INTERNAL_H

#include "rnpu_fdt.h"

/* Where a probe writes its error message. */
struct rnpu_fdt_err {
	char *buf;
	size_t len;
};

/* Formats "<path of @node>: <message>" into @e; returns @ret. */
int rnpu_fdt_fail(const void *fdt, int node, struct rnpu_fdt_err *e, int ret,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Validates header and structure of the blob against @size. */
int rnpu_fdt_check_blob(const void *fdt, size_t size, struct rnpu_fdt_err *e);

/* true unless the node's status says it is disabled. */
bool rnpu_fdt_node_enabled(const void *fdt, int node);

/* Number of (address, size) entries of @node's reg; negative on error. */
int rnpu_fdt_reg_count(const void *fdt, int node, struct rnpu_fdt_err *e);
/* Entry @idx of reg, translated to a CPU physical address. */
int rnpu_fdt_reg(const void *fdt, int node, int idx, struct rnpu_fdt_window *w,
		 struct rnpu_fdt_err *e);

/* Every interrupt of @node, up to @max; *count receives the number the
 * node has (may exceed @max). */
int rnpu_fdt_irqs(const void *fdt, int node, struct rnpu_fdt_irq *out, unsigned int max,
		  unsigned int *count, struct rnpu_fdt_err *e);

/* Phandle list @prop (cell counts from the providers' @cells_name, e.g.
 * "#clock-cells"), names from "<@names_prop>" when present. Missing
 * property: *count = 0. */
int rnpu_fdt_refs(const void *fdt, int node, const char *prop, const char *cells_name,
		  const char *names_prop, struct rnpu_fdt_ref *out, unsigned int max,
		  unsigned int *count, struct rnpu_fdt_err *e);

/* "<unit address>.<node name>", as Linux names platform devices. */
void rnpu_fdt_dev_name(const void *fdt, int node, uint64_t base, char *buf, size_t len);

/* N of the first property "<@stem><N>" of /aliases whose path leads to
 * @node, read as Linux's of_alias_get_id() does; -1 when none does. */
int rnpu_fdt_alias_id(const void *fdt, int node, const char *stem);

/* Path of @node into @buf (or "?" when it cannot be formed). */
void rnpu_fdt_path(const void *fdt, int node, char *buf, size_t len);

#endif
