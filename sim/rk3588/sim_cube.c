// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Dense cubes handed between blocks, and the NC1HWC2 reader the DPU_RDMA
 * and PPU_RDMA engines share: one DMA per line of atoms, decoded into
 * [h][w][c] order.
 */
#include <string.h>

#include "sim_fp16.h"
#include "sim_internal.h"

unsigned int sim_prec_bytes(unsigned int dpu_prec)
{
	switch (dpu_prec) {
	case SIM_DPU_PREC_INT8:
		return 1;
	case SIM_DPU_PREC_INT16:
	case SIM_DPU_PREC_FP16:
		return 2;
	case SIM_DPU_PREC_INT32:
	case SIM_DPU_PREC_FP32:
		return 4;
	default:
		return 0;
	}
}

bool sim_prec_is_float(unsigned int dpu_prec)
{
	return dpu_prec == SIM_DPU_PREC_FP16 || dpu_prec == SIM_DPU_PREC_FP32;
}

int sim_cube_alloc(struct sim_task *t, struct sim_cube *cb, unsigned int w, unsigned int h,
		   unsigned int c, bool is_float, const char *what)
{
	size_t n = (size_t)w * h * c;

	memset(cb, 0, sizeof(*cb));
	if (is_float)
		cb->f = sim_task_alloc(t, n, sizeof(float), what);
	else
		cb->i = sim_task_alloc(t, n, sizeof(int32_t), what);
	if (!cb->f && !cb->i)
		return -1;
	cb->w = w;
	cb->h = h;
	cb->c = c;
	return 0;
}

void sim_cube_free(struct sim_task *t, struct sim_cube *cb)
{
	size_t n = (size_t)cb->w * cb->h * cb->c;

	sim_task_free(t, cb->i, n, sizeof(int32_t));
	sim_task_free(t, cb->f, n, sizeof(float));
	memset(cb, 0, sizeof(*cb));
}

static uint32_t le(const uint8_t *p, unsigned int bytes)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < bytes; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static void decode(const struct sim_cube_src *src, const uint8_t *p, struct sim_cube *dst,
		   size_t idx)
{
	uint32_t v = le(p, src->eb);

	if (src->is_float) {
		float f;

		if (src->eb == 2) {
			f = sim_half_to_float((uint16_t)v);
		} else {
			memcpy(&f, &v, sizeof(f));
		}
		dst->f[idx] = f;
		return;
	}
	if (src->eb == 1)
		dst->i[idx] = (int8_t)v;
	else if (src->eb == 2)
		dst->i[idx] = (int16_t)v;
	else
		dst->i[idx] = (int32_t)v;
}

int sim_cube_read(struct sim_task *t, const struct sim_cube_src *src, struct sim_cube *dst,
		  const char *what)
{
	unsigned int c2 = SIM_ATOM_BYTES / src->eb;
	unsigned int c1n = (src->c + c2 - 1) / c2;
	size_t line_bytes = (size_t)src->w * SIM_ATOM_BYTES;
	uint8_t *line;
	int rc = 0;

	if (sim_cube_alloc(t, dst, src->w, src->h, src->c, src->is_float, what))
		return -1;
	line = sim_task_alloc(t, line_bytes, 1, "line buffer");
	if (!line)
		return -1;
	for (unsigned int c1 = 0; c1 < c1n && !rc; c1++) {
		if (sim_task_aborted(t))
			break;
		for (unsigned int y = 0; y < src->h && !rc; y++) {
			uint64_t atom = (uint64_t)c1 * src->surf + (uint64_t)y * src->line;

			rc = sim_dma_read(t, src->base + atom * SIM_ATOM_BYTES, line, line_bytes,
					  what);
			for (unsigned int x = 0; x < src->w && !rc; x++)
				for (unsigned int k = 0; k < c2; k++) {
					unsigned int c = c1 * c2 + k;

					if (c >= src->c)
						break;
					decode(src, line + (size_t)x * SIM_ATOM_BYTES + k * src->eb,
					       dst, ((size_t)y * src->w + x) * src->c + c);
				}
		}
	}
	sim_task_free(t, line, line_bytes, 1);
	return rc;
}
