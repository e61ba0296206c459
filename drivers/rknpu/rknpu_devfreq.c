// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * devfreq: the SoC's OPP table, the OPP layer's choice of a supported
 * point, voltage before frequency when scaling up (after when scaling
 * down), the vendor governor (holds the debugfs freq value), a load-driven
 * governor (Linux simple_ondemand's rule), and the thermal cap.
 */
#include "rknpu_internal.h"

/* simple_ondemand's defaults: above this load go to the top; within the
 * differential below it stay. */
#define RKNPU_GOV_UPTHRESHOLD 90u
#define RKNPU_GOV_DOWNDIFFERENTIAL 5u

static const char *const rknpu_governor_names[RKNPU_GOV_COUNT] = {
	[RKNPU_GOV_VENDOR] = "rknpu_ondemand",
	[RKNPU_GOV_LOAD] = "simple_ondemand",
};

const char *rknpu_governor_name(enum rknpu_governor gov)
{
	return gov < RKNPU_GOV_COUNT ? rknpu_governor_names[gov] : "";
}

const struct rknpu_opp_row *rknpu_opp_recommend(const struct rknpu_soc_data *soc, uint64_t hz,
						enum rknpu_opp_pick pick)
{
	const struct rknpu_opp_row *ceil = NULL, *floor = NULL;
	unsigned int i;

	if (!soc->num_opps)
		return NULL;
	for (i = 0; i < soc->num_opps; i++) {
		if (soc->opps[i].hz >= hz && !ceil)
			ceil = &soc->opps[i];
		if (soc->opps[i].hz <= hz)
			floor = &soc->opps[i];
	}
	if (pick == RKNPU_OPP_AT_MOST)
		return floor ? floor : &soc->opps[0];
	if (pick == RKNPU_OPP_NEAREST && floor && ceil && hz - floor->hz < ceil->hz - hz)
		return floor;
	return ceil ? ceil : &soc->opps[soc->num_opps - 1];
}

uint64_t rknpu_governor_target(enum rknpu_governor gov, uint64_t cur_hz, uint64_t ondemand_hz,
			       uint64_t busy_ns, uint64_t window_ns, uint64_t max_hz)
{
	uint64_t target;

	if (gov == RKNPU_GOV_VENDOR)
		return ondemand_hz ? ondemand_hz : cur_hz;
	if (window_ns == 0)
		return max_hz;
	if (busy_ns > window_ns)
		busy_ns = window_ns;
	if (busy_ns * 100 > window_ns * RKNPU_GOV_UPTHRESHOLD)
		return max_hz;
	if (busy_ns * 100 > window_ns * (RKNPU_GOV_UPTHRESHOLD - RKNPU_GOV_DOWNDIFFERENTIAL))
		return cur_hz;
	/* Scale so the load would sit in the middle of the hysteresis band.
	 * busy_ns <= 1 s and cur_hz <= a few GHz: the product fits 64 bits. */
	target = busy_ns * (cur_hz / 1000) / window_ns * 1000;
	return target * 100 / (RKNPU_GOV_UPTHRESHOLD - RKNPU_GOV_DOWNDIFFERENTIAL / 2);
}

/* Moves to @hz at @uv (0: the rail stays): the rail must carry the higher
 * frequency before it runs, and may drop only after it stopped. Caller
 * holds devfreq.lock. */
static int rknpu_devfreq_set_locked(struct rknpu_device *rdev, uint64_t hz, int uv)
{
	struct rknpu_devfreq *df = &rdev->devfreq;
	bool volt = uv > 0;
	int ret;

	if (hz == df->cur_hz && (!volt || uv == df->cur_uv))
		return 0;
	if (hz > df->cur_hz) {
		ret = volt ? rnpu_osal_regulator_set_voltage(rdev->plat.dev, uv) : 0;
		if (ret)
			goto err_volt;
		ret = rnpu_osal_clk_set_rate(rdev->plat.dev, 0, hz);
		if (ret) {
			if (volt)
				rnpu_osal_regulator_set_voltage(rdev->plat.dev, df->cur_uv);
			goto err_clk;
		}
	} else {
		ret = rnpu_osal_clk_set_rate(rdev->plat.dev, 0, hz);
		if (ret)
			goto err_clk;
		ret = volt ? rnpu_osal_regulator_set_voltage(rdev->plat.dev, uv) : 0;
		if (ret) {
			rnpu_osal_clk_set_rate(rdev->plat.dev, 0, df->cur_hz);
			goto err_volt;
		}
	}
	df->cur_hz = hz;
	if (volt)
		df->cur_uv = uv;
	return 0;

err_volt:
	rknpu_err(rdev, "failed to set volt %d uV for %llu Hz: %d", uv,
		  (unsigned long long)hz, ret);
	return ret;
err_clk:
	rknpu_err(rdev, "failed to set clk to %llu Hz: %d", (unsigned long long)hz, ret);
	return ret;
}

static uint64_t rknpu_devfreq_max_locked(struct rknpu_device *rdev)
{
	const struct rknpu_soc_data *soc = rdev->soc;
	uint64_t top = soc->opps[soc->num_opps - 1].hz;

	if (rdev->devfreq.thermal_capped && soc->thermal_cap_hz < top)
		return soc->thermal_cap_hz;
	return top;
}

/* The thermal rule, with hysteresis. Caller holds devfreq.lock. */
static void rknpu_devfreq_thermal_locked(struct rknpu_device *rdev)
{
	struct rknpu_devfreq *df = &rdev->devfreq;
	const struct rknpu_soc_data *soc = rdev->soc;
	int mc;

	if (!soc->thermal_cap_hz || rnpu_osal_thermal_get_temp(rdev->plat.dev, &mc)) {
		df->temp_valid = false;
		return;
	}
	df->temp_mc = mc;
	df->temp_valid = true;
	if (!df->thermal_capped && mc > soc->thermal_high_mc) {
		df->thermal_capped = true;
		rknpu_warn(rdev, "temperature %d mC above %d mC: frequency capped at %llu Hz", mc,
			   soc->thermal_high_mc, (unsigned long long)soc->thermal_cap_hz);
	} else if (df->thermal_capped && mc < soc->thermal_high_mc - soc->thermal_hyst_mc) {
		df->thermal_capped = false;
		rknpu_info(rdev, "temperature %d mC: frequency cap lifted", mc);
	}
}

/* Caller holds devfreq.lock. */
static int rknpu_devfreq_apply_locked(struct rknpu_device *rdev)
{
	struct rknpu_devfreq *df = &rdev->devfreq;
	uint64_t max_hz = rknpu_devfreq_max_locked(rdev);
	uint64_t target = rknpu_governor_target(df->governor, df->cur_hz, df->ondemand_hz,
						df->window_busy_ns, RKNPU_LOAD_INTERVAL_NS,
						max_hz);
	/* The vendor governor's target is a debugfs "freq" write, which the
	 * fact sheet's OPP layer rounds to the nearest point; the load
	 * governor asks for at least its rate, as devfreq's simple_ondemand. */
	enum rknpu_opp_pick pick = df->governor == RKNPU_GOV_VENDOR ? RKNPU_OPP_NEAREST :
								      RKNPU_OPP_AT_LEAST;
	const struct rknpu_opp_row *opp;

	/* Past the limit the OPP layer looks downwards from it. */
	if (target > max_hz) {
		target = max_hz;
		pick = RKNPU_OPP_AT_MOST;
	}
	opp = rknpu_opp_recommend(rdev->soc, target, pick);

	return rknpu_devfreq_set_locked(rdev, opp->hz, opp->uv[df->bin]);
}

int rknpu_devfreq_update(struct rknpu_device *rdev)
{
	int ret;

	if (!rdev->devfreq.present)
		return -ENODEV;
	rnpu_osal_mutex_lock(rdev->devfreq.lock);
	rknpu_devfreq_thermal_locked(rdev);
	/* With the host's loop the host moves the rate (its next evaluation
	 * sees the new cap through rknpu_devfreq_policy()). */
	ret = rdev->plat.host_devfreq ? 0 : rknpu_devfreq_apply_locked(rdev);
	rnpu_osal_mutex_unlock(rdev->devfreq.lock);
	return ret;
}

int rknpu_devfreq_request(struct rknpu_device *rdev, uint64_t hz)
{
	int ret;

	if (!rdev->devfreq.present)
		return -ENODEV;
	rnpu_osal_mutex_lock(rdev->devfreq.lock);
	rdev->devfreq.ondemand_hz = hz;
	/* With the host's loop the write pins the rate (0 releases it) and
	 * the host honours it (rknpu_devfreq_pinned_hz()). */
	rdev->devfreq.pinned = hz != 0;
	ret = rdev->plat.host_devfreq ? 0 : rknpu_devfreq_apply_locked(rdev);
	rnpu_osal_mutex_unlock(rdev->devfreq.lock);
	return ret;
}

int rknpu_devfreq_init(struct rknpu_device *rdev)
{
	struct rknpu_devfreq *df = &rdev->devfreq;
	const struct rknpu_opp_row *opp;
	int ret;

	if (!rdev->soc->num_opps)
		return 0;
	if (rdev->plat.opp_bin >= RKNPU_OPP_BINS) {
		rknpu_err(rdev, "invalid opp_bin %u (0..%u)", rdev->plat.opp_bin,
			  RKNPU_OPP_BINS - 1);
		return -EINVAL;
	}
	ret = rnpu_osal_mutex_create(&df->lock);
	if (ret)
		return ret;
	df->bin = rdev->plat.opp_bin;
	df->governor = RKNPU_GOV_VENDOR;
	opp = rknpu_opp_recommend(rdev->soc, rdev->soc->init_freq_hz, RKNPU_OPP_AT_LEAST);
	df->ondemand_hz = opp->hz;
	/* Whatever the boot rate, start from the init OPP: voltage first. */
	ret = rnpu_osal_regulator_set_voltage(rdev->plat.dev, opp->uv[df->bin]);
	if (!ret)
		ret = rnpu_osal_clk_set_rate(rdev->plat.dev, 0, opp->hz);
	if (ret) {
		/* A host that cannot scale runs at whatever it runs at. */
		rknpu_warn(rdev, "no devfreq: cannot set the initial OPP %llu Hz: %d",
			   (unsigned long long)opp->hz, ret);
		rnpu_osal_mutex_destroy(df->lock);
		df->lock = NULL;
		return 0;
	}
	df->cur_hz = opp->hz;
	df->cur_uv = opp->uv[df->bin];
	df->present = true;
	return 0;
}

int rknpu_devfreq_opp(struct rknpu_device *rdev, unsigned int idx, uint64_t *hz, int *uv)
{
	if (!rdev->devfreq.present)
		return -ENODEV;
	if (idx >= rdev->soc->num_opps)
		return -ENOENT;
	*hz = rdev->soc->opps[idx].hz;
	*uv = rdev->soc->opps[idx].uv[rdev->devfreq.bin];
	return 0;
}

uint64_t rknpu_devfreq_policy(struct rknpu_device *rdev, uint64_t proposed_hz,
			      enum rknpu_opp_pick *pick)
{
	struct rknpu_devfreq *df = &rdev->devfreq;
	uint64_t hz = proposed_hz, max_hz;

	if (!df->present)
		return proposed_hz;
	rnpu_osal_mutex_lock(df->lock);
	rknpu_devfreq_thermal_locked(rdev);
	max_hz = rknpu_devfreq_max_locked(rdev);
	if (hz > max_hz) {
		hz = max_hz;
		*pick = RKNPU_OPP_AT_MOST;
	}
	rnpu_osal_mutex_unlock(df->lock);
	return hz;
}

uint64_t rknpu_devfreq_pinned_hz(struct rknpu_device *rdev)
{
	uint64_t hz;

	if (!rdev->devfreq.present)
		return 0;
	rnpu_osal_mutex_lock(rdev->devfreq.lock);
	hz = rdev->devfreq.pinned ? rdev->devfreq.ondemand_hz : 0;
	rnpu_osal_mutex_unlock(rdev->devfreq.lock);
	return hz;
}

int rknpu_devfreq_set(struct rknpu_device *rdev, uint64_t hz, int uv)
{
	int ret;

	if (!rdev->devfreq.present)
		return -ENODEV;
	rnpu_osal_mutex_lock(rdev->devfreq.lock);
	ret = rknpu_devfreq_set_locked(rdev, hz, uv);
	rnpu_osal_mutex_unlock(rdev->devfreq.lock);
	return ret;
}

int rknpu_devfreq_status(struct rknpu_device *rdev, uint64_t *busy_ns, uint64_t *window_ns,
			 uint64_t *cur_hz)
{
	struct rknpu_devfreq *df = &rdev->devfreq;

	if (!df->present)
		return -ENODEV;
	rnpu_osal_mutex_lock(df->lock);
	*busy_ns = df->window_busy_ns < RKNPU_LOAD_INTERVAL_NS ? df->window_busy_ns :
								 RKNPU_LOAD_INTERVAL_NS;
	*window_ns = RKNPU_LOAD_INTERVAL_NS;
	*cur_hz = df->cur_hz;
	rnpu_osal_mutex_unlock(df->lock);
	return 0;
}

void rknpu_devfreq_fini(struct rknpu_device *rdev)
{
	if (rdev->devfreq.lock)
		rnpu_osal_mutex_destroy(rdev->devfreq.lock);
	rdev->devfreq.lock = NULL;
	rdev->devfreq.present = false;
}

/* ------------------------------------------------ sysfs-style attributes */

const char *const rknpu_devfreq_attr_names[] = {
	"available_frequencies", "available_governors", "cur_freq", "governor",
	"max_freq", "min_freq",
};
const unsigned int rknpu_devfreq_attr_count =
	sizeof(rknpu_devfreq_attr_names) / sizeof(rknpu_devfreq_attr_names[0]);

static bool rknpu_str_is(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

int rknpu_devfreq_show(struct rknpu_device *rdev, const char *name, char *buf, size_t len)
{
	struct rknpu_devfreq *df = &rdev->devfreq;
	const struct rknpu_soc_data *soc = rdev->soc;
	struct rknpu_text t = { buf, len, 0 };
	unsigned int i;

	if (!df->present)
		return -ENODEV;
	rnpu_osal_mutex_lock(df->lock);
	if (rknpu_str_is(name, "available_frequencies")) {
		/* Space separated, the last space turned into the newline. */
		for (i = 0; i < soc->num_opps; i++)
			rknpu_text_printf(&t, "%llu%s", (unsigned long long)soc->opps[i].hz,
				     i + 1 < soc->num_opps ? " " : "\n");
	} else if (rknpu_str_is(name, "available_governors")) {
		for (i = 0; i < RKNPU_GOV_COUNT; i++)
			rknpu_text_printf(&t, "%s%s", rknpu_governor_names[i],
				     i + 1 < RKNPU_GOV_COUNT ? " " : "\n");
	} else if (rknpu_str_is(name, "cur_freq")) {
		rknpu_text_printf(&t, "%llu\n", (unsigned long long)df->cur_hz);
	} else if (rknpu_str_is(name, "governor")) {
		rknpu_text_printf(&t, "%s\n", rknpu_governor_names[df->governor]);
	} else if (rknpu_str_is(name, "max_freq")) {
		rknpu_text_printf(&t, "%llu\n",
			     (unsigned long long)rknpu_devfreq_max_locked(rdev));
	} else if (rknpu_str_is(name, "min_freq")) {
		rknpu_text_printf(&t, "%llu\n", (unsigned long long)soc->opps[0].hz);
	} else {
		rnpu_osal_mutex_unlock(df->lock);
		return -ENOENT;
	}
	rnpu_osal_mutex_unlock(df->lock);
	return rknpu_text_len(&t);
}

long rknpu_devfreq_store(struct rknpu_device *rdev, const char *name, const char *buf,
			 size_t len)
{
	char word[32];
	size_t n = 0;
	unsigned int i;
	int ret;

	if (!rdev->devfreq.present)
		return -ENODEV;
	if (!rknpu_str_is(name, "governor"))
		return -EACCES; /* the other attributes are read-only here */
	/* sysfs: one word, a trailing newline allowed. */
	while (n < len && n < sizeof(word) - 1 && buf[n] != '\n' && buf[n] != ' ' && buf[n])
		word[n] = buf[n], n++;
	word[n] = '\0';
	for (i = 0; i < RKNPU_GOV_COUNT; i++)
		if (rknpu_str_is(word, rknpu_governor_names[i]))
			break;
	if (i == RKNPU_GOV_COUNT) {
		rknpu_err(rdev, "devfreq governor: unknown governor \"%s\"", word);
		return -EINVAL;
	}
	rnpu_osal_mutex_lock(rdev->devfreq.lock);
	rdev->devfreq.governor = (enum rknpu_governor)i;
	ret = rdev->plat.host_devfreq ? 0 : rknpu_devfreq_apply_locked(rdev);
	rnpu_osal_mutex_unlock(rdev->devfreq.lock);
	return ret ? ret : (long)len;
}
