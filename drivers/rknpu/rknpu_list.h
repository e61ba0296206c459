/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/* A minimal intrusive doubly-linked list (the core has no libc). */
#ifndef RKNPU_LIST_H
#define RKNPU_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct rknpu_list_node {
	struct rknpu_list_node *prev, *next;
};

static inline void rknpu_list_init(struct rknpu_list_node *head)
{
	head->prev = head;
	head->next = head;
}

static inline bool rknpu_list_empty(const struct rknpu_list_node *head)
{
	return head->next == head;
}

static inline void rknpu_list_add_tail(struct rknpu_list_node *node, struct rknpu_list_node *head)
{
	node->prev = head->prev;
	node->next = head;
	head->prev->next = node;
	head->prev = node;
}

static inline void rknpu_list_add_after(struct rknpu_list_node *node, struct rknpu_list_node *pos)
{
	node->prev = pos;
	node->next = pos->next;
	pos->next->prev = node;
	pos->next = node;
}

static inline void rknpu_list_del(struct rknpu_list_node *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	node->prev = node;
	node->next = node;
}

/* Moves every node of @from to the empty list @to; @from ends empty. */
static inline void rknpu_list_splice_init(struct rknpu_list_node *from, struct rknpu_list_node *to)
{
	if (rknpu_list_empty(from))
		return;
	to->next = from->next;
	to->prev = from->prev;
	to->next->prev = to;
	to->prev->next = to;
	rknpu_list_init(from);
}

#define rknpu_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#endif
