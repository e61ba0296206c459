// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* Human-readable log of what the model decodes, on stderr. */
#include <stdio.h>

#include "sim_internal.h"

void sim_trace(const struct sim_core *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->sim->trace)
		return;
	/* One locked stream write per line keeps cores from interleaving. */
	flockfile(stderr);
	fprintf(stderr, "sim core%u: ", c->index);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

void sim_trace_reg(const struct sim_core *c, uint32_t offset, uint32_t value)
{
	const char *name;

	if (!c->sim->trace)
		return;
	name = rk3588_reg_name(offset);
	if (name)
		sim_trace(c, "%s <- 0x%08x", name, value);
	else
		sim_trace(c, "[0x%04x] <- 0x%08x", offset, value);
}
