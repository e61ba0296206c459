// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Order of jobs on the cores: start-time fair queueing between sessions.
 *
 * Each job gets a tag, tag = max(V, session's last tag) + cost / weight,
 * where V is the tag of the job that started last, cost the job's task
 * count and weight 2 for priority >= 1 (else 1). Every core serves its
 * queue in (tag, submission order). Consequences:
 *  - a session that floods a core cannot push a newcomer back further than
 *    one queued job per other active session (plus the running one): the
 *    newcomer's tag is V + its cost, below the flood's later tags;
 *  - a session with priority >= 1 gets twice the share of a normal one, and
 *    never starves it (weighted, not strict, priority);
 *  - the order is global, the same on every core, so a job spanning
 *    several cores (started only once every one of them took it) cannot
 *    deadlock against another such job, as per-core round-robin could.
 * The vendor serves one FIFO per core and ignores priority.
 */
#include "rknpu_internal.h"

/* Tags count half-tasks so that weight 2 stays an integer. */
#define RKNPU_SCHED_SCALE 2u

static bool rknpu_sched_before(const struct rknpu_job *a, const struct rknpu_job *b)
{
	return a->tag < b->tag || (a->tag == b->tag && a->seq < b->seq);
}

void rknpu_sched_enqueue_locked(struct rknpu_device *rdev, struct rknpu_job *job)
{
	struct rknpu_file *file = job->file;
	uint64_t cost = 0, start;
	unsigned int i;

	for (i = 0; i < rdev->num_cores; i++)
		if (job->core_mask & (1u << i))
			cost += job->core[i].task_number;
	start = rdev->sched_vtime > file->sched_last_tag ? rdev->sched_vtime : file->sched_last_tag;
	job->tag = start + cost * RKNPU_SCHED_SCALE / (job->args.priority >= 1 ? 2 : 1);
	job->seq = ++rdev->sched_seq;
	file->sched_last_tag = job->tag;

	for (i = 0; i < rdev->num_cores; i++) {
		struct rknpu_list_node *head = &rdev->cores[i].todo_list, *pos;

		if (!(job->core_mask & (1u << i)))
			continue;
		/* Most jobs go last: search from the tail. */
		for (pos = head->prev; pos != head; pos = pos->prev) {
			struct rknpu_job_core *jc = rknpu_container_of(pos, struct rknpu_job_core, todo);

			if (!rknpu_sched_before(job, jc->job))
				break;
		}
		rknpu_list_add_after(&job->core[i].todo, pos);
		job->core[i].queued = true;
		rdev->cores[i].task_num += job->core[i].task_number;
	}
}

void rknpu_sched_started_locked(struct rknpu_device *rdev, const struct rknpu_job *job)
{
	if (job->tag > rdev->sched_vtime)
		rdev->sched_vtime = job->tag;
}
