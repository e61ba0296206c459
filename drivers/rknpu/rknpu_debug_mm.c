// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The vendor's debugfs "mm" file (SRAM bitmap) as text. The host exports
 * it wherever its debugfs lives; this file only produces the bytes:
 *
 *   SRAM bitmap: "*" - used, "." - free (1bit = 4KB)
 *   [000] [**..............................]     32 chunks a row
 *   SRAM total size: 196608, used: 8192, free: 188416
 *
 * Empty when the device has no SRAM manager, as the vendor's.
 */
#include "rknpu_internal.h"

/* Appends to @buf (at *pos, capacity @len) and advances *pos by the
 * length the text would have, like snprintf. */
static void rknpu_mm_put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	RNPU_PRINTF(4, 5);

static void rknpu_mm_put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = rnpu_osal_vsnprintf(*pos < len ? buf + *pos : NULL, *pos < len ? len - *pos : 0, fmt,
				ap);
	va_end(ap);
	if (n > 0)
		*pos += (size_t)n;
}

size_t rknpu_debug_mm_show(struct rknpu_device *rdev, char *buf, size_t len)
{
	struct rknpu_sram *s = rdev->sram;
	char row[33];
	size_t pos = 0;
	uint32_t i, in_row = 0, row_id = 0, free_bytes, total;

	if (len)
		buf[0] = '\0';
	if (!s)
		return 0; /* no SRAM manager: the file is empty */
	rnpu_osal_mutex_lock(s->lock);
	rknpu_mm_put(buf, len, &pos, "SRAM bitmap: \"*\" - used, \".\" - free (1bit = %uKB)\n",
		     s->chunk_size / 1024u);
	/* One character per chunk, 32 to a row. */
	for (i = 0; i < s->total_chunks; i++) {
		row[in_row++] = rknpu_sram_chunk_used(s, i) ? '*' : '.';
		if (in_row == 32u || i + 1 == s->total_chunks) {
			row[in_row] = '\0';
			rknpu_mm_put(buf, len, &pos, "[%03u] [%s]\n", row_id++, row);
			in_row = 0;
		}
	}
	total = s->total_chunks * s->chunk_size;
	free_bytes = s->free_chunks * s->chunk_size;
	rnpu_osal_mutex_unlock(s->lock);
	rknpu_mm_put(buf, len, &pos, "SRAM total size: %u, used: %u, free: %u\n", total,
		     total - free_bytes, free_bytes);
	return pos;
}
