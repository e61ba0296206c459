/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/* What the example port shows its tests (not part of the port interface). */
#ifndef RNPU_RTOS_PORT_EXAMPLE_H
#define RNPU_RTOS_PORT_EXAMPLE_H

#include <stddef.h>
#include <stdint.h>

size_t rtos_port_example_heap_used(void);      /* payload bytes in use */
unsigned int rtos_port_example_sem_count(void); /* semaphores alive */
void rtos_port_example_advance_ms(unsigned int ms);
int rtos_port_example_irq_depth(void);          /* nesting of irq_save */
const char *rtos_port_example_last_log(unsigned int *count);
uint32_t rtos_port_example_irq_enabled(void);   /* bit per line */
uint32_t rtos_port_example_resets(void);        /* bit per asserted line */

#endif
