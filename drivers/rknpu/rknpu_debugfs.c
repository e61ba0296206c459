// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The vendor's debugfs files as show/store functions, OS-neutral: a host
 * exports them however it can (debugfs, plain files, a socket). Texts and
 * write rules are the vendor's, byte for byte; parsers in the field
 * (rknputop, nvtop, exporters) read them. Also the DRM fdinfo text.
 */
#include "rknpu_internal.h"

/* Writes longer than these are refused (they include the newline). */
#define RKNPU_DEBUGFS_POWER_MAX 7
#define RKNPU_DEBUGFS_RESET_MAX 7
#define RKNPU_DEBUGFS_NUMBER_MAX 15

void rknpu_text_printf(struct rknpu_text *t, const char *fmt, ...)
{
	size_t room = t->pos < t->len ? t->len - t->pos : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = rnpu_osal_vsnprintf(room ? t->buf + t->pos : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->pos += (size_t)n;
}

int rknpu_text_len(const struct rknpu_text *t)
{
	if (t->len && t->pos >= t->len)
		return (int)(t->len - 1);
	return (int)t->pos;
}

static bool rknpu_str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

const char *const rknpu_debugfs_names[] = {
	"version", "load", "power", "freq", "volt", "delayms", "reset", "mm",
};
const unsigned int rknpu_debugfs_count =
	sizeof(rknpu_debugfs_names) / sizeof(rknpu_debugfs_names[0]);

static void rknpu_show_load(struct rknpu_device *rdev, struct rknpu_text *t)
{
	unsigned int i;

	rknpu_text_printf(t, "NPU load: ");
	for (i = 0; i < rdev->num_cores; i++) {
		/* "%2d", not "%2.d": the kernel prints 0 as " 0", C libraries
		 * as two spaces. */
		if (rdev->num_cores > 1)
			rknpu_text_printf(t, " Core%u: %2u%%,", i, rknpu_load_percent(rdev, i));
		else
			rknpu_text_printf(t, "%2u%%", rknpu_load_percent(rdev, i));
	}
	rknpu_text_printf(t, "\n");
}

static void rknpu_show_freq(struct rknpu_device *rdev, struct rknpu_text *t)
{
	uint64_t rate;

	/* The vendor powers up around the clock read and drops the power at
	 * once (no delayed put). */
	if (rknpu_power_get(rdev) == 0) {
		rate = rnpu_osal_clk_get_rate(rdev->plat.dev, 0);
		rknpu_power_put(rdev);
	} else {
		rate = rnpu_osal_clk_get_rate(rdev->plat.dev, 0);
	}
	rknpu_text_printf(t, "%llu\n", (unsigned long long)rate);
}

/* "mm" lists the SRAM bitmap (rknpu_debug_mm.c); without an SRAM manager
 * the vendor prints nothing. */
static void rknpu_show_mm(struct rknpu_device *rdev, struct rknpu_text *t)
{
	size_t room = t->len > t->pos ? t->len - t->pos : 0;

	t->pos += rknpu_debug_mm_show(rdev, room ? t->buf + t->pos : NULL, room);
}

int rknpu_debugfs_show(struct rknpu_device *rdev, const char *name, char *buf, size_t len)
{
	struct rknpu_text t = { buf, len, 0 };
	int volt;

	if (buf && len)
		buf[0] = '\0';
	if (rknpu_str_eq(name, "version")) {
		rknpu_text_printf(&t, "%s: v%d.%d.%d\n", RKNPU_DRIVER_DESC, RKNPU_DRIVER_MAJOR,
				  RKNPU_DRIVER_MINOR, RKNPU_DRIVER_PATCHLEVEL);
	} else if (rknpu_str_eq(name, "load")) {
		rknpu_show_load(rdev, &t);
	} else if (rknpu_str_eq(name, "power")) {
		rknpu_text_printf(&t, "%s\n", rknpu_power_is_on(rdev) ? "on" : "off");
	} else if (rknpu_str_eq(name, "freq")) {
		rknpu_show_freq(rdev, &t);
	} else if (rknpu_str_eq(name, "volt")) {
		/* Unsigned, as the vendor prints it; no supply (an errno) reads
		 * 0, as GET_VOLT answers for the same state. */
		volt = rnpu_osal_regulator_get_voltage(rdev->plat.dev);
		rknpu_text_printf(&t, "%d\n", volt > 0 ? volt : 0);
	} else if (rknpu_str_eq(name, "delayms")) {
		rknpu_text_printf(&t, "%u\n", __atomic_load_n(&rdev->power_put_delay_ms,
							      __ATOMIC_RELAXED));
	} else if (rknpu_str_eq(name, "reset")) {
		rknpu_text_printf(&t, "%s\n",
				  rknpu_atomic_read_bool(&rdev->bypass_soft_reset) ? "off" : "on");
	} else if (rknpu_str_eq(name, "mm")) {
		rknpu_show_mm(rdev, &t);
	} else {
		return -ENOENT;
	}
	return rknpu_text_len(&t);
}

/* kstrtoul's rules: decimal digits, an optional leading '+', at most one
 * trailing newline; no sign, no overflow. */
static int rknpu_parse_ulong(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (s[i] == '+')
		i++;
	if (s[i] < '0' || s[i] > '9')
		return -EINVAL;
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (~0ull - (uint64_t)(s[i] - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (s[i] == '\n')
		i++;
	if (s[i])
		return -EINVAL;
	*out = v;
	return 0;
}

bool rknpu_debugfs_writable(const char *name)
{
	return rknpu_str_eq(name, "power") || rknpu_str_eq(name, "freq") ||
	       rknpu_str_eq(name, "delayms") || rknpu_str_eq(name, "reset");
}

long rknpu_debugfs_store(struct rknpu_device *rdev, const char *name, const char *ubuf,
			 size_t len)
{
	char buf[RKNPU_DEBUGFS_NUMBER_MAX + 1];
	uint64_t value;
	size_t max;

	if (rknpu_str_eq(name, "power"))
		max = RKNPU_DEBUGFS_POWER_MAX;
	else if (rknpu_str_eq(name, "reset"))
		max = RKNPU_DEBUGFS_RESET_MAX;
	else if (rknpu_str_eq(name, "delayms") || rknpu_str_eq(name, "freq"))
		max = RKNPU_DEBUGFS_NUMBER_MAX;
	else if (rknpu_str_eq(name, "version") || rknpu_str_eq(name, "load") ||
		 rknpu_str_eq(name, "volt") || rknpu_str_eq(name, "mm"))
		return (long)len; /* no write handler: accepted, ignored */
	else
		return -ENOENT;

	if (len > max) {
		rknpu_err(rdev, "%s: write of %zu bytes, at most %zu", name, len, max);
		return -EINVAL;
	}
	/* The vendor replaces the last byte (the newline of `echo`) by NUL. */
	if (len)
		rnpu_memcpy(buf, ubuf, len - 1);
	buf[len ? len - 1 : 0] = '\0';

	if (rknpu_str_eq(name, "power")) {
		if (rknpu_str_eq(buf, "on"))
			rknpu_power_cmdline(rdev, true);
		else if (rknpu_str_eq(buf, "off"))
			rknpu_power_cmdline(rdev, false);
		else
			rknpu_err(rdev, "rknpu power node params is invalid!");
		return (long)len;
	}
	if (rknpu_str_eq(name, "reset")) {
		if (rknpu_str_eq(buf, "1")) {
			/* Only a powered NPU is reset; hold it for the reset. */
			if (rknpu_power_is_on(rdev) && rknpu_power_get(rdev) == 0) {
				rknpu_soft_reset(rdev);
				rknpu_power_put(rdev);
			}
		} else if (rknpu_str_eq(buf, "on")) {
			rknpu_atomic_set_bool(&rdev->bypass_soft_reset, false);
		} else if (rknpu_str_eq(buf, "off")) {
			rknpu_atomic_set_bool(&rdev->bypass_soft_reset, true);
		}
		return (long)len;
	}
	if (rknpu_str_eq(name, "delayms")) {
		if (rknpu_parse_ulong(buf, &value) || value > 0xffffffffull) {
			rknpu_err(rdev, "failed to parse power put delay string: %s", buf);
			return -EFAULT;
		}
		__atomic_store_n(&rdev->power_put_delay_ms, (uint32_t)value, __ATOMIC_RELAXED);
		rknpu_info(rdev, "set rknpu power put delay time %llums",
			   (unsigned long long)value);
		return (long)len;
	}
	/* freq */
	if (!rdev->devfreq.present) {
		rknpu_err(rdev, "freq: no devfreq on %s", rdev->soc->name);
		return -EFAULT;
	}
	if (rknpu_parse_ulong(buf, &value)) {
		rknpu_err(rdev, "failed to parse freq string: %s", buf);
		return -EFAULT;
	}
	if (rknpu_power_get(rdev) == 0) {
		if (value != rnpu_osal_clk_get_rate(rdev->plat.dev, 0))
			rknpu_devfreq_request(rdev, value);
		rknpu_power_put(rdev);
	}
	return (long)len;
}

/* DRM's unit rule for memory keys: scale while the value is a whole
 * number of KiB, up to MiB. */
static void rknpu_fdinfo_size(struct rknpu_text *t, const char *key, uint64_t bytes)
{
	static const char *const units[] = { "", " KiB", " MiB" };
	unsigned int u;

	for (u = 0; u < 2; u++) {
		if (bytes == 0 || (bytes & 1023))
			break;
		bytes >>= 10;
	}
	rknpu_text_printf(t, "%s:\t%llu%s\n", key, (unsigned long long)bytes, units[u]);
}

int rknpu_show_fdinfo(struct rknpu_file *file, char *buf, size_t len)
{
	struct rknpu_device *rdev = file->rdev;
	struct rknpu_text t = { buf, len, 0 };
	uint64_t engine[RKNPU_MAX_CORES], now, bytes, validated, reused;
	unsigned long flags;
	unsigned int i;

	if (buf && len)
		buf[0] = '\0';
	/* Finished time plus the share of a job running now, so the counter
	 * moves while a long job runs. */
	rnpu_osal_spin_lock_irqsave(rdev->irq_lock, &flags);
	now = rnpu_osal_time_ns();
	for (i = 0; i < rdev->num_cores; i++) {
		struct rknpu_job *job = rdev->cores[i].job;

		engine[i] = file->engine_ns[i];
		if (job && job->file == file && job->run_count == 0)
			engine[i] += now - job->core[i].start_time;
	}
	rnpu_osal_spin_unlock_irqrestore(rdev->irq_lock, flags);
	rnpu_osal_mutex_lock(file->lock);
	bytes = file->mem_bytes;
	validated = file->regcmd_validated;
	reused = file->regcmd_reused;
	rnpu_osal_mutex_unlock(file->lock);

	rknpu_text_printf(&t, "drm-driver:\t%s\n", RKNPU_DRIVER_NAME);
	rknpu_text_printf(&t, "drm-client-id:\t%u\n", file->id);
	for (i = 0; i < rdev->num_cores; i++)
		rknpu_text_printf(&t, "drm-engine-npu%u:\t%llu ns\n", i,
				  (unsigned long long)engine[i]);
	/* Every buffer object is resident: there is no swap. */
	rknpu_fdinfo_size(&t, "drm-total-memory", bytes);
	rknpu_fdinfo_size(&t, "drm-resident-memory", bytes);
	/* Driver keys (DRM's rule: the driver's name as prefix): tasks the
	 * contiguous mode's validator checked word by word, and those it
	 * took as byte-identical to one it had accepted. */
	if (!rdev->plat.iommu) {
		rknpu_text_printf(&t, "%s-regcmd-validated:\t%llu\n", RKNPU_DRIVER_NAME,
				  (unsigned long long)validated);
		rknpu_text_printf(&t, "%s-regcmd-reused:\t%llu\n", RKNPU_DRIVER_NAME,
				  (unsigned long long)reused);
	}
	return rknpu_text_len(&t);
}

void rknpu_fdinfo_foreach(struct rknpu_device *rdev,
			  void (*fn)(void *ctx, unsigned int client_id, const char *text),
			  void *ctx)
{
	struct rknpu_list_node *pos;
	char text[512];

	rnpu_osal_mutex_lock(rdev->files_lock);
	for (pos = rdev->files.next; pos != &rdev->files; pos = pos->next) {
		struct rknpu_file *file = rknpu_container_of(pos, struct rknpu_file, node);

		rknpu_show_fdinfo(file, text, sizeof(text));
		fn(ctx, file->id, text);
	}
	rnpu_osal_mutex_unlock(rdev->files_lock);
}
