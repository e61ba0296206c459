// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Prints the register program of an int8 matmul for buffers at given
 * device addresses, for test scripts that drive the device themselves
 * (tests/dropin/matmul_int8.py): a line "task WORD_OFFSET BODY_WORDS
 * ENABLE_MASK INT_MASK" per task, then "words" and every 64-bit word in hex.
 *   mm_regcmd M K N A_DMA B_DMA C_DMA REGCMD_DMA
 *   mm_regcmd --size M K N     (bytes of the program, to allocate it)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnpu/matmul_task.h"

int main(int argc, char **argv)
{
	struct rnpu_matmul_desc d = { .type = RNPU_MM_INT8_INT32 };
	struct rnpu_regcmd_prog prog;
	char err[RNPU_REGCMD_MSG_LEN] = "";
	bool size_only = argc == 5 && !strcmp(argv[1], "--size");
	int base = size_only ? 2 : 1;
	uint64_t regcmd_dma = 0;
	size_t i;

	if (!size_only && argc != 8) {
		fprintf(stderr, "usage: mm_regcmd M K N A_DMA B_DMA C_DMA REGCMD_DMA\n"
				"       mm_regcmd --size M K N\n");
		return 2;
	}
	d.m = (uint32_t)strtoul(argv[base], NULL, 0);
	d.k = (uint32_t)strtoul(argv[base + 1], NULL, 0);
	d.n = (uint32_t)strtoul(argv[base + 2], NULL, 0);
	if (!size_only) {
		d.a_dma = strtoull(argv[4], NULL, 0);
		d.b_dma = strtoull(argv[5], NULL, 0);
		d.c_dma = strtoull(argv[6], NULL, 0);
		regcmd_dma = strtoull(argv[7], NULL, 0);
	}
	rnpu_regcmd_init(&prog);
	if (rnpu_matmul_build(&d, regcmd_dma, &prog, err, sizeof(err))) {
		fprintf(stderr, "mm_regcmd: %s\n", err);
		return 1;
	}
	if (size_only) {
		printf("%zu\n", prog.nwords * sizeof(uint64_t));
	} else {
		for (i = 0; i < prog.ntasks; i++)
			printf("task %u %u %u %u\n", prog.tasks[i].word_offset,
			       prog.tasks[i].body_words, prog.tasks[i].enable_mask,
			       prog.tasks[i].int_mask);
		printf("words");
		for (i = 0; i < prog.nwords; i++)
			printf(" %" PRIx64, prog.words[i]);
		printf("\n");
	}
	rnpu_regcmd_fini(&prog);
	return 0;
}
