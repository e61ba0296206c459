// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The NPU on the kernel's devfreq framework. The kernel runs the loop
 * (its governors, sysfs under /sys/class/devfreq/, the OPP table from the
 * device tree); the core feeds it and carries out its choice:
 *  - load: get_dev_status reports the core's last 1 s load window (the
 *    busiest core), which is what simple_ondemand, the default governor,
 *    decides on;
 *  - debugfs "freq": the rate a write pins (rknpu_devfreq_pinned_hz(),
 *    rounded to the nearest OPP) becomes a PM QoS minimum and maximum of
 *    the device, so devfreq composes it with every other limit (sysfs
 *    min_freq/max_freq, cooling devices) by its own rules;
 *  - policy: rknpu_devfreq_policy() applies the core's thermal cap;
 *  - actuator: rknpu_devfreq_set() moves rail and clock in the core's
 *    order, so the debugfs freq and volt files read what devfreq set.
 * The vendor's own governor ("rknpu_ondemand") cannot be registered from
 * an out-of-tree module (struct devfreq_governor lives in the kernel's
 * private drivers/devfreq/governor.h); its one behaviour, the rate a
 * debugfs "freq" write asks for, is kept by the PM QoS pin. docs/kmod.md.
 */
#include <linux/devfreq.h>
#include <linux/devfreq_cooling.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/pm_opp.h>
#include <linux/pm_qos.h>
#include <linux/thermal.h>
#include <linux/time64.h>
#include <linux/units.h>

#include "rnpu_kmod.h"

/* devfreq polls once per load window of the core (1 s): a shorter period
 * would only see the same window again. */
#define RNPU_KMOD_DEVFREQ_POLL_MS 1000

/* The operating point of the kernel's table for @hz by rule @pick; the
 * table's edge when nothing lies on the asked side. */
static struct dev_pm_opp *rnpu_kmod_opp_find(struct device *dev, unsigned long hz,
					     enum rknpu_opp_pick pick)
{
	unsigned long up = hz, down = hz;
	struct dev_pm_opp *ceil, *floor;

	ceil = dev_pm_opp_find_freq_ceil(dev, &up);
	floor = dev_pm_opp_find_freq_floor(dev, &down);
	if (IS_ERR(ceil))
		return floor;
	if (IS_ERR(floor))
		return ceil;
	if (pick == RKNPU_OPP_AT_MOST || (pick == RKNPU_OPP_NEAREST && hz - down < up - hz)) {
		dev_pm_opp_put(ceil);
		return floor;
	}
	dev_pm_opp_put(floor);
	return ceil;
}

static int rnpu_kmod_devfreq_target(struct device *dev, unsigned long *freq, u32 flags)
{
	struct rnpu_kmod *k = dev_get_drvdata(dev);
	enum rknpu_opp_pick pick = (flags & DEVFREQ_FLAG_LEAST_UPPER_BOUND) ? RKNPU_OPP_AT_MOST :
									       RKNPU_OPP_AT_LEAST;
	uint64_t want = rknpu_devfreq_policy(k->rdev, *freq, &pick);
	struct dev_pm_opp *opp;
	unsigned long hz;
	int uv, ret;

	opp = rnpu_kmod_opp_find(dev, (unsigned long)min_t(uint64_t, want, ULONG_MAX), pick);
	if (IS_ERR(opp))
		return PTR_ERR(opp);
	hz = dev_pm_opp_get_freq(opp);
	uv = (int)min_t(unsigned long, dev_pm_opp_get_voltage(opp), INT_MAX);
	dev_pm_opp_put(opp);
	ret = rknpu_devfreq_set(k->rdev, hz, uv);
	if (ret)
		return ret;
	*freq = hz;
	return 0;
}

static int rnpu_kmod_devfreq_status(struct device *dev, struct devfreq_dev_status *stat)
{
	struct rnpu_kmod *k = dev_get_drvdata(dev);
	uint64_t busy, window, hz;
	int ret = rknpu_devfreq_status(k->rdev, &busy, &window, &hz);

	if (ret)
		return ret;
	/* Microseconds: a 1 s window fits an unsigned long on 32-bit CPUs. */
	stat->busy_time = (unsigned long)(busy / NSEC_PER_USEC);
	stat->total_time = (unsigned long)(window / NSEC_PER_USEC);
	stat->current_frequency = (unsigned long)hz;
	return 0;
}

static int rnpu_kmod_devfreq_cur(struct device *dev, unsigned long *freq)
{
	struct rnpu_kmod *k = dev_get_drvdata(dev);
	uint64_t busy, window, hz;
	int ret = rknpu_devfreq_status(k->rdev, &busy, &window, &hz);

	if (ret)
		return ret;
	*freq = (unsigned long)hz;
	return 0;
}

static void rnpu_kmod_opp_remove_dynamic(void *data)
{
	dev_pm_opp_remove_all_dynamic(data);
}

/* The device tree's operating-points-v2 table, else the core's table for
 * the SoC (the fact sheet's RK3588 rows, at the platform's voltage bin). */
static int rnpu_kmod_opp_table(struct device *dev, struct rnpu_kmod *k)
{
	unsigned int i;
	uint64_t hz;
	int uv, ret;

	ret = devm_pm_opp_of_add_table(dev);
	if (!ret) {
		dev_info(dev, "devfreq: %d OPPs from the device tree\n",
			 dev_pm_opp_get_opp_count(dev));
		return 0;
	}
	if (ret != -ENODEV)
		return dev_err_probe(dev, ret, "operating-points-v2\n");
	ret = devm_add_action(dev, rnpu_kmod_opp_remove_dynamic, dev);
	if (ret)
		return ret;
	for (i = 0; !rknpu_devfreq_opp(k->rdev, i, &hz, &uv); i++) {
		ret = dev_pm_opp_add(dev, (unsigned long)hz, (unsigned long)uv);
		if (ret)
			return dev_err_probe(dev, ret, "OPP %llu Hz\n", (unsigned long long)hz);
	}
	dev_info(dev, "devfreq: no OPP table in the device tree, %u OPPs of the driver\n", i);
	return 0;
}

/*
 * The NPU's devfreq as a thermal cooling device, as the vendor registers
 * it: a thermal zone whose cooling-maps name the NPU's node (it then needs
 * #cooling-cells) caps the rate through devfreq's PM QoS maximum, composed
 * with every other limit. On the vendor node, which is devfreq's own
 * device, with the energy model of the OPP table when the node has a
 * dynamic-power-coefficient (the power allocator governor can then budget
 * the NPU); on mainline's core 0 node, whose device is not devfreq's, as a
 * plain state-per-OPP cooling device. A failure leaves the NPU without
 * cooling, not without devfreq.
 */
static void rnpu_kmod_cooling_init(struct rnpu_kmod *k)
{
	struct device *dev = k->drm.dev;
	struct thermal_cooling_device *cdev;

	if (!IS_ENABLED(CONFIG_DEVFREQ_THERMAL) || !k->np)
		return;
	if (dev->of_node == k->np)
		cdev = devfreq_cooling_em_register(k->devfreq, NULL);
	else
		cdev = of_devfreq_cooling_register(k->np, k->devfreq);
	if (IS_ERR_OR_NULL(cdev)) {
		dev_warn(dev, "devfreq: no cooling device (%pe)\n", cdev);
		return;
	}
	k->cooling = cdev;
}

int rnpu_kmod_devfreq_init(struct rnpu_kmod *k)
{
	struct device *dev = k->drm.dev;
	struct devfreq_dev_profile *profile = &k->devfreq_profile;
	uint64_t busy, window, hz;
	struct devfreq *df;
	int ret;

	/* The core has no OPP table for this SoC, or could not set its
	 * initial rate: nothing to scale. */
	if (rknpu_devfreq_status(k->rdev, &busy, &window, &hz))
		return 0;
	ret = rnpu_kmod_opp_table(dev, k);
	if (ret)
		return ret;
	profile->initial_freq = (unsigned long)hz;
	profile->polling_ms = RNPU_KMOD_DEVFREQ_POLL_MS;
	profile->timer = DEVFREQ_TIMER_DEFERRABLE;
	profile->target = rnpu_kmod_devfreq_target;
	profile->get_dev_status = rnpu_kmod_devfreq_status;
	profile->get_cur_freq = rnpu_kmod_devfreq_cur;
	df = devm_devfreq_add_device(dev, profile, DEVFREQ_GOV_SIMPLE_ONDEMAND, NULL);
	if (IS_ERR(df)) {
		/* No simple_ondemand in this kernel: the NPU keeps its initial
		 * rate and debugfs "freq" writes are applied directly. */
		dev_warn(dev, "devfreq: not registered (%pe); debugfs freq still sets the rate\n",
			 df);
		return 0;
	}
	k->devfreq = df;
	ret = dev_pm_qos_add_request(dev, &k->pin_min, DEV_PM_QOS_MIN_FREQUENCY,
				     PM_QOS_MIN_FREQUENCY_DEFAULT_VALUE);
	if (ret >= 0)
		ret = dev_pm_qos_add_request(dev, &k->pin_max, DEV_PM_QOS_MAX_FREQUENCY,
					     PM_QOS_MAX_FREQUENCY_DEFAULT_VALUE);
	if (ret < 0) {
		rnpu_kmod_devfreq_fini(k);
		return dev_err_probe(dev, ret, "devfreq: PM QoS requests\n");
	}
	rnpu_kmod_cooling_init(k);
	return 0;
}

/* Before the core goes: devres would stop devfreq only after remove, and
 * its polling calls into the core. */
void rnpu_kmod_devfreq_fini(struct rnpu_kmod *k)
{
	if (k->cooling)
		devfreq_cooling_unregister(k->cooling);
	k->cooling = NULL;
	if (dev_pm_qos_request_active(&k->pin_max))
		dev_pm_qos_remove_request(&k->pin_max);
	if (dev_pm_qos_request_active(&k->pin_min))
		dev_pm_qos_remove_request(&k->pin_min);
	if (k->devfreq)
		devm_devfreq_remove_device(k->drm.dev, k->devfreq);
	k->devfreq = NULL;
}

void rnpu_kmod_devfreq_update(struct rnpu_kmod *k)
{
	struct device *dev = k->drm.dev;
	uint64_t pin = rknpu_devfreq_pinned_hz(k->rdev);
	s32 lo = PM_QOS_MIN_FREQUENCY_DEFAULT_VALUE, hi = PM_QOS_MAX_FREQUENCY_DEFAULT_VALUE;
	struct dev_pm_opp *opp;
	unsigned long hz = 0;

	if (pin) {
		/* The nearest OPP, as the fact sheet's OPP layer rounds a
		 * write; OPP rates are whole kHz, PM QoS's unit. */
		opp = rnpu_kmod_opp_find(dev, (unsigned long)min_t(uint64_t, pin, ULONG_MAX),
					 RKNPU_OPP_NEAREST);
		if (IS_ERR(opp))
			return;
		hz = dev_pm_opp_get_freq(opp);
		dev_pm_opp_put(opp);
		lo = hi = (s32)min_t(unsigned long, hz / HZ_PER_KHZ, S32_MAX);
	}
	if (!k->devfreq) {
		/* No devfreq: the pinned OPP is set at once (capped). */
		if (hz)
			rnpu_kmod_devfreq_target(dev, &hz, 0);
		return;
	}
	/* Each change makes devfreq re-evaluate (its QoS notifiers take the
	 * devfreq lock themselves). */
	dev_pm_qos_update_request(&k->pin_max, hi);
	dev_pm_qos_update_request(&k->pin_min, lo);
}

/* A zone of /thermal-zones one of whose cooling-maps names @npu as a
 * cooling device: its node's name into @buf (the kernel registers
 * device-tree zones under their node name). NULL if none does. */
static const char *rnpu_kmod_thermal_zone_of(struct device_node *npu, char *buf, size_t len)
{
	struct device_node *zones, *zone, *maps, *map;
	const char *name = NULL;

	zones = of_find_node_by_path("/thermal-zones");
	if (!zones)
		return NULL;
	for_each_available_child_of_node(zones, zone) {
		maps = of_get_child_by_name(zone, "cooling-maps");
		if (!maps)
			continue;
		for_each_child_of_node(maps, map) {
			struct of_phandle_args dev;
			int i;

			for (i = 0; !name && !of_parse_phandle_with_args(map, "cooling-device",
									 "#cooling-cells", i, &dev); i++) {
				if (dev.np == npu) {
					strscpy(buf, zone->name, len);
					name = buf;
				}
				of_node_put(dev.np);
			}
			if (name) {
				of_node_put(map);
				break;
			}
		}
		of_node_put(maps);
		if (name) {
			of_node_put(zone);
			break;
		}
	}
	of_node_put(zones);
	return name;
}

/*
 * The NPU's thermal zone, found through the device tree: the zone the node
 * names in "rockchip,thermal-zone" (the vendor's property, which its
 * system monitor reads), else the zone whose cooling-maps name the node,
 * else the zone "npu-thermal" (the name of the NPU's sensor zone in
 * Rockchip's and mainline's RK3588 device trees). Without one the core's
 * temperature service answers -ENODEV and no thermal cap applies.
 */
void rnpu_kmod_thermal_init(struct rnpu_kmod *k)
{
	static const char *const how[] = { "rockchip,thermal-zone", "cooling-maps", "by name" };
	const char *names[3] = { NULL, NULL, "npu-thermal" };
	char mapped[THERMAL_NAME_LENGTH];
	struct thermal_zone_device *tz;
	const char *named;
	unsigned int i;

	if (k->np) {
		if (!of_property_read_string(k->np, "rockchip,thermal-zone", &named)) {
			tz = thermal_zone_get_zone_by_name(named);
			if (IS_ERR(tz))
				dev_warn(k->drm.dev, "rockchip,thermal-zone: no zone \"%s\"\n", named);
			else
				names[0] = named;
		}
		names[1] = rnpu_kmod_thermal_zone_of(k->np, mapped, sizeof(mapped));
	}
	k->osdev.thermal = NULL;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!names[i])
			continue;
		tz = thermal_zone_get_zone_by_name(names[i]);
		if (!IS_ERR(tz)) {
			k->osdev.thermal = tz;
			dev_info(k->drm.dev, "thermal zone %s (%s)\n", names[i], how[i]);
			return;
		}
	}
	dev_info(k->drm.dev, "no thermal zone for the NPU: no thermal cap\n");
}
