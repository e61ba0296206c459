// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * rnpu-top: a live view of an RKNPU, from the files the vendor driver
 * exposes on a board (debugfs, devfreq, thermal) or the same files the
 * rnpu userspace host exports for the software NPU, plus per-session DRM
 * fdinfo where it exists. Reads files only: no ioctl, no power change
 * (the devfreq cur_freq is preferred to debugfs freq, whose read powers
 * the NPU up on the vendor driver).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <ncurses.h>
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_CORES 3
#define MAX_CLIENTS 64
#define HISTORY 240

static const char usage_text[] =
	"Usage: rnpu-top [OPTION]...\n"
	"Show the load of each RKNPU core, its history, the clock, voltage, power\n"
	"state and temperature, and the NPU time and memory of each session.\n"
	"\n"
	"Sources (files only; nothing is written, the NPU is never woken):\n"
	"  -r, --root=DIR       an rnpu host's export directory: reads\n"
	"                       DIR/debug/rknpu, DIR/devfreq/fdab0000.npu,\n"
	"                       DIR/thermal/thermal_zone0/temp and\n"
	"                       DIR/debug/rknpu/clients\n"
	"  -d, --debugfs=DIR    the vendor debugfs directory (load, power, freq, volt,\n"
	"                       version); default /sys/kernel/debug/rknpu\n"
	"  -f, --devfreq=DIR    the devfreq directory (cur_freq, governor); default\n"
	"                       /sys/class/devfreq/fdab0000.npu\n"
	"  -t, --thermal=FILE   a temperature in millidegrees C; default the\n"
	"                       thermal zone whose type is npu_thermal\n"
	"  -c, --clients=DIR    directories holding one fdinfo file per session\n"
	"Without -r or -d: the board's /sys/kernel/debug/rknpu if its load file is\n"
	"readable, else the rnpu host's default export directory\n"
	"($RNPU_EXPORT_DIR, else $XDG_RUNTIME_DIR/rnpu, else /tmp/rnpu-UID).\n"
	"\n"
	"Output:\n"
	"  -1, --once           print one text snapshot and exit\n"
	"  -j, --json           print one JSON object and exit\n"
	"  -i, --interval=MS    refresh period of the live view (default 1000)\n"
	"  -h, --help           show this help and exit\n"
	"\n"
	"Keys in the live view: q quits.\n"
	"\n"
	"Load is what the driver's load file reports: each core's busy share of the\n"
	"last complete 1 s window. Session columns show the share of NPU time each\n"
	"session used per core since the previous refresh (from drm-engine-npuN).\n"
	"\n"
	"On a board, debugfs is readable by root only: run as root, or make the\n"
	"files readable. For the software NPU, run the program with RNPU_EXPORT=1\n"
	"(or RNPU_EXPORT_DIR=DIR) so that its host exports the files.\n"
	"\n"
	"Exit status: 0 success, 1 usage error, 2 the load file cannot be read.\n";

struct sources {
	char debugfs[PATH_MAX];
	char devfreq[PATH_MAX];
	char thermal[PATH_MAX];
	char clients[PATH_MAX];
};

struct client {
	char name[256];
	unsigned long long engine_ns[MAX_CORES];
	unsigned long long total_mem, resident_mem;
	double share[MAX_CORES]; /* percent since the previous sample; <0 = unknown */
};

struct sample {
	bool load_ok;
	int num_cores;
	int load[MAX_CORES];
	bool freq_ok, volt_ok, temp_ok;
	unsigned long long freq_hz;
	long volt_uv;
	long temp_mc;
	char power[8];
	char governor[32];
	char version[64];
	struct client clients[MAX_CLIENTS];
	int num_clients;
	uint64_t time_ns;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Reads a small file; false (errno set) if unreadable. */
static bool read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return true;
}

static bool read_path2(const char *dir, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX + 64];

	if (!dir[0])
		return false;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return read_text(path, buf, len);
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

/* The load line as rknputop reads it: per core "CoreN: X%", else one
 * "NPU load: X%". */
static bool parse_load(const char *text, struct sample *s)
{
	regex_t core_re, single_re;
	regmatch_t mt[3];
	const char *p = text;
	bool ok = false;

	s->num_cores = 0;
	if (regcomp(&core_re, "Core([0-9]+):[[:space:]]*([0-9]+)%", REG_EXTENDED))
		return false;
	if (regcomp(&single_re, "NPU load:[[:space:]]+([0-9]+)%", REG_EXTENDED)) {
		regfree(&core_re);
		return false;
	}
	while (regexec(&core_re, p, 3, mt, 0) == 0) {
		int core = atoi(p + mt[1].rm_so);

		if (core >= 0 && core < MAX_CORES) {
			s->load[core] = atoi(p + mt[2].rm_so);
			if (core + 1 > s->num_cores)
				s->num_cores = core + 1;
			ok = true;
		}
		p += mt[0].rm_eo;
	}
	if (!ok && regexec(&single_re, text, 2, mt, 0) == 0) {
		s->load[0] = atoi(text + mt[1].rm_so);
		s->num_cores = 1;
		ok = true;
	}
	regfree(&core_re);
	regfree(&single_re);
	return ok;
}

/* "123", "64 KiB", "3 MiB" -> bytes. */
static unsigned long long parse_size(const char *v)
{
	char *end;
	unsigned long long n = strtoull(v, &end, 10);

	while (*end == ' ')
		end++;
	if (!strncmp(end, "KiB", 3))
		n <<= 10;
	else if (!strncmp(end, "MiB", 3))
		n <<= 20;
	else if (!strncmp(end, "GiB", 3))
		n <<= 30;
	return n;
}

static void parse_fdinfo(const char *text, struct client *c)
{
	const char *line = text;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		const char *colon = strchr(line, ':');
		unsigned int core;

		if (colon && (!nl || colon < nl)) {
			const char *v = colon + 1;

			while (*v == ' ' || *v == '\t')
				v++;
			if (sscanf(line, "drm-engine-npu%u:", &core) == 1 && core < MAX_CORES)
				c->engine_ns[core] = strtoull(v, NULL, 10);
			else if (!strncmp(line, "drm-total-memory:", 17))
				c->total_mem = parse_size(v);
			else if (!strncmp(line, "drm-resident-memory:", 20))
				c->resident_mem = parse_size(v);
		}
		line = nl ? nl + 1 : NULL;
	}
}

static int client_cmp(const void *a, const void *b)
{
	return strcmp(((const struct client *)a)->name, ((const struct client *)b)->name);
}

static void read_clients(const struct sources *src, struct sample *s, const struct sample *prev)
{
	DIR *d = src->clients[0] ? opendir(src->clients) : NULL;
	struct dirent *e;

	s->num_clients = 0;
	if (!d)
		return;
	while ((e = readdir(d)) && s->num_clients < MAX_CLIENTS) {
		struct client *c = &s->clients[s->num_clients];
		char path[PATH_MAX + 300], text[2048];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/fdinfo", src->clients, e->d_name);
		if (!read_text(path, text, sizeof(text)))
			continue;
		memset(c, 0, sizeof(*c));
		memcpy(c->name, e->d_name, strnlen(e->d_name, sizeof(c->name) - 1));
		parse_fdinfo(text, c);
		s->num_clients++;
	}
	closedir(d);
	qsort(s->clients, (size_t)s->num_clients, sizeof(s->clients[0]), client_cmp);
	for (int i = 0; i < s->num_clients; i++) {
		struct client *c = &s->clients[i];
		const struct client *p = NULL;

		for (int j = 0; prev && j < prev->num_clients; j++)
			if (!strcmp(prev->clients[j].name, c->name))
				p = &prev->clients[j];
		for (int k = 0; k < MAX_CORES; k++) {
			uint64_t dt = prev ? s->time_ns - prev->time_ns : 0;

			c->share[k] = -1;
			if (p && dt && c->engine_ns[k] >= p->engine_ns[k])
				c->share[k] = 100.0 * (double)(c->engine_ns[k] - p->engine_ns[k]) /
					      (double)dt;
		}
	}
}

static void take_sample(const struct sources *src, struct sample *s, const struct sample *prev)
{
	char text[512];

	memset(s, 0, sizeof(*s));
	s->time_ns = now_ns();
	s->load_ok = read_path2(src->debugfs, "load", text, sizeof(text)) && parse_load(text, s);
	if (read_path2(src->devfreq, "cur_freq", text, sizeof(text)) ||
	    read_path2(src->debugfs, "freq", text, sizeof(text))) {
		s->freq_hz = strtoull(text, NULL, 10);
		s->freq_ok = true;
	}
	if (read_path2(src->debugfs, "volt", text, sizeof(text))) {
		s->volt_uv = strtol(text, NULL, 10);
		s->volt_ok = s->volt_uv > 0;
	}
	if (src->thermal[0] && read_text(src->thermal, text, sizeof(text))) {
		s->temp_mc = strtol(text, NULL, 10);
		s->temp_ok = true;
	}
	if (read_path2(src->debugfs, "power", text, sizeof(text))) {
		chomp(text);
		snprintf(s->power, sizeof(s->power), "%s", text);
	}
	if (read_path2(src->devfreq, "governor", text, sizeof(text))) {
		chomp(text);
		snprintf(s->governor, sizeof(s->governor), "%s", text);
	}
	if (read_path2(src->debugfs, "version", text, sizeof(text))) {
		chomp(text);
		snprintf(s->version, sizeof(s->version), "%s", text);
	}
	read_clients(src, s, prev);
}

/* The thermal zone a board labels npu_thermal. */
static void find_npu_thermal(char *out, size_t len)
{
	char path[PATH_MAX], type[64];

	out[0] = '\0';
	for (int i = 0; i < 32; i++) {
		snprintf(path, sizeof(path), "/sys/class/thermal/thermal_zone%d/type", i);
		if (!read_text(path, type, sizeof(type)))
			continue;
		chomp(type);
		if (!strcmp(type, "npu_thermal")) {
			snprintf(out, len, "/sys/class/thermal/thermal_zone%d/temp", i);
			return;
		}
	}
}

static void default_root(char *out, size_t len)
{
	const char *dir = getenv("RNPU_EXPORT_DIR");
	const char *runtime = getenv("XDG_RUNTIME_DIR");

	if (dir && dir[0])
		snprintf(out, len, "%s", dir);
	else if (runtime && runtime[0])
		snprintf(out, len, "%s/rnpu", runtime);
	else
		snprintf(out, len, "/tmp/rnpu-%u", (unsigned int)getuid());
}

static void sources_from_root(struct sources *src, const char *root)
{
	snprintf(src->debugfs, sizeof(src->debugfs), "%s/debug/rknpu", root);
	snprintf(src->devfreq, sizeof(src->devfreq), "%s/devfreq/fdab0000.npu", root);
	snprintf(src->thermal, sizeof(src->thermal), "%s/thermal/thermal_zone0/temp", root);
	snprintf(src->clients, sizeof(src->clients), "%s/debug/rknpu/clients", root);
}

/* --------------------------------------------------------------- output */

static void print_text(const struct sources *src, const struct sample *s)
{
	printf("source: %s\n", src->debugfs);
	if (s->version[0])
		printf("driver: %s\n", s->version);
	printf("power: %s", s->power[0] ? s->power : "?");
	if (s->freq_ok)
		printf("  freq: %llu MHz", s->freq_hz / 1000000ull);
	if (s->volt_ok)
		printf("  volt: %.1f mV", (double)s->volt_uv / 1000.0);
	if (s->temp_ok)
		printf("  temp: %.1f C", (double)s->temp_mc / 1000.0);
	if (s->governor[0])
		printf("  governor: %s", s->governor);
	printf("\n");
	for (int i = 0; i < s->num_cores; i++)
		printf("Core%d: %3d%%\n", i, s->load[i]);
	if (s->num_clients) {
		printf("sessions:\n");
		for (int i = 0; i < s->num_clients; i++) {
			const struct client *c = &s->clients[i];

			printf("  %-16s", c->name);
			for (int k = 0; k < MAX_CORES; k++)
				printf(" npu%d %.3f ms", k, (double)c->engine_ns[k] / 1e6);
			printf("  memory %llu KiB\n", c->total_mem >> 10);
		}
	}
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void print_json(const struct sources *src, const struct sample *s)
{
	printf("{\"source\": ");
	json_string(src->debugfs);
	printf(", \"version\": ");
	json_string(s->version);
	printf(", \"power\": ");
	if (s->power[0])
		json_string(s->power);
	else
		printf("null");
	printf(", \"freq_hz\": ");
	s->freq_ok ? printf("%llu", s->freq_hz) : printf("null");
	printf(", \"volt_uv\": ");
	s->volt_ok ? printf("%ld", s->volt_uv) : printf("null");
	printf(", \"temp_mc\": ");
	s->temp_ok ? printf("%ld", s->temp_mc) : printf("null");
	printf(", \"governor\": ");
	if (s->governor[0])
		json_string(s->governor);
	else
		printf("null");
	printf(", \"load\": [");
	for (int i = 0; i < s->num_cores; i++)
		printf("%s%d", i ? ", " : "", s->load[i]);
	printf("], \"clients\": [");
	for (int i = 0; i < s->num_clients; i++) {
		const struct client *c = &s->clients[i];

		printf("%s{\"id\": ", i ? ", " : "");
		json_string(c->name);
		printf(", \"engine_ns\": [%llu, %llu, %llu], \"total_memory\": %llu, "
		       "\"resident_memory\": %llu}",
		       c->engine_ns[0], c->engine_ns[1], c->engine_ns[2], c->total_mem,
		       c->resident_mem);
	}
	printf("]}\n");
}

/* ---------------------------------------------------------- live view */

struct history {
	int load[MAX_CORES][HISTORY];
	int count;
};

static void draw_bar(int y, int x, int width, int pct)
{
	int fill = pct * width / 100;

	mvaddch(y, x, '[');
	for (int i = 0; i < width; i++)
		addch(i < fill ? '|' : ' ');
	printw("] %3d%%", pct);
}

static void draw_history(int y, int x, int width, const struct history *h, int core)
{
	static const char levels[] = " .:-=+*#%@";

	for (int i = 0; i < width; i++) {
		int idx = h->count - width + i;
		int v = idx >= 0 ? h->load[core][idx % HISTORY] : -1;

		mvaddch(y, x + i, v < 0 ? ' ' : levels[v * 9 / 100]);
	}
}

static void draw(const struct sources *src, const struct sample *s, const struct history *h)
{
	int rows, cols, y = 0, bar_w;

	getmaxyx(stdscr, rows, cols);
	erase();
	attron(A_BOLD);
	mvprintw(y++, 0, "rnpu-top  %s", src->debugfs);
	attroff(A_BOLD);
	if (!s->load_ok) {
		mvprintw(y + 1, 0, "cannot read %s/load: %s", src->debugfs,
			 "no such file or no permission");
		refresh();
		return;
	}
	mvprintw(y++, 0, "%s", s->version);
	mvprintw(y, 0, "power: %-3s", s->power[0] ? s->power : "?");
	if (s->freq_ok)
		printw("  freq: %llu MHz", s->freq_hz / 1000000ull);
	if (s->volt_ok)
		printw("  volt: %.1f mV", (double)s->volt_uv / 1000.0);
	if (s->temp_ok)
		printw("  temp: %.1f C", (double)s->temp_mc / 1000.0);
	if (s->governor[0])
		printw("  governor: %s", s->governor);
	y += 2;
	bar_w = cols - 20 > 50 ? 50 : (cols - 20 > 10 ? cols - 20 : 10);
	for (int i = 0; i < s->num_cores && y < rows - 1; i++) {
		mvprintw(y, 0, "Core%d ", i);
		draw_bar(y, 6, bar_w, s->load[i]);
		y++;
		mvprintw(y, 0, "      ");
		draw_history(y, 7, bar_w, h, i);
		y++;
	}
	y++;
	if (y < rows - 1) {
		attron(A_BOLD);
		mvprintw(y++, 0, "%-16s %7s %7s %7s %10s", "SESSION", "NPU0", "NPU1", "NPU2",
			 "MEMORY");
		attroff(A_BOLD);
	}
	for (int i = 0; i < s->num_clients && y < rows - 1; i++, y++) {
		const struct client *c = &s->clients[i];

		mvprintw(y, 0, "%-16s", c->name);
		for (int k = 0; k < MAX_CORES; k++) {
			if (c->share[k] < 0)
				printw(" %7s", "-");
			else
				printw(" %6.1f%%", c->share[k]);
		}
		printw(" %6llu KiB", c->total_mem >> 10);
	}
	mvprintw(rows - 1, 0, "q: quit");
	refresh();
}

static int run_live(const struct sources *src, int interval_ms)
{
	static struct sample cur, prev;
	static struct history h;
	bool have_prev = false;

	setlocale(LC_ALL, "");
	initscr();
	cbreak();
	noecho();
	curs_set(0);
	timeout(interval_ms);
	for (;;) {
		int ch;

		take_sample(src, &cur, have_prev ? &prev : NULL);
		if (cur.load_ok) {
			for (int i = 0; i < MAX_CORES; i++)
				h.load[i][h.count % HISTORY] = cur.load[i];
			h.count++;
		}
		draw(src, &cur, &h);
		prev = cur;
		have_prev = true;
		ch = getch();
		if (ch == 'q' || ch == 'Q')
			break;
	}
	endwin();
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "debugfs", required_argument, NULL, 'd' },
		{ "devfreq", required_argument, NULL, 'f' },
		{ "thermal", required_argument, NULL, 't' },
		{ "clients", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, '1' },
		{ "json", no_argument, NULL, 'j' },
		{ "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct sample s;
	struct sources src;
	const char *root = NULL, *debugfs = NULL, *devfreq = NULL, *thermal = NULL;
	const char *clients = NULL;
	bool once = false, json = false;
	int interval = 1000, opt;
	char def[PATH_MAX - 64], load_path[PATH_MAX + 8], text[256];

	while ((opt = getopt_long(argc, argv, "r:d:f:t:c:1ji:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'r': root = optarg; break;
		case 'd': debugfs = optarg; break;
		case 'f': devfreq = optarg; break;
		case 't': thermal = optarg; break;
		case 'c': clients = optarg; break;
		case '1': once = true; break;
		case 'j': json = true; break;
		case 'i':
			interval = atoi(optarg);
			if (interval < 50 || interval > 60000) {
				fprintf(stderr, "rnpu-top: --interval must be 50..60000 ms, not '%s'\n",
					optarg);
				return 1;
			}
			break;
		case 'h': fputs(usage_text, stdout); return 0;
		default:
			fprintf(stderr, "Try 'rnpu-top --help' for more information.\n");
			return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "rnpu-top: unexpected argument '%s'\n", argv[optind]);
		return 1;
	}

	memset(&src, 0, sizeof(src));
	if (!root && !debugfs) {
		if (read_text("/sys/kernel/debug/rknpu/load", text, sizeof(text))) {
			snprintf(src.debugfs, sizeof(src.debugfs), "/sys/kernel/debug/rknpu");
			snprintf(src.devfreq, sizeof(src.devfreq), "/sys/class/devfreq/fdab0000.npu");
			find_npu_thermal(src.thermal, sizeof(src.thermal));
		} else {
			default_root(def, sizeof(def));
			sources_from_root(&src, def);
		}
	} else if (root) {
		sources_from_root(&src, root);
	} else {
		snprintf(src.debugfs, sizeof(src.debugfs), "%s", debugfs);
		snprintf(src.devfreq, sizeof(src.devfreq), "/sys/class/devfreq/fdab0000.npu");
		find_npu_thermal(src.thermal, sizeof(src.thermal));
	}
	if (debugfs)
		snprintf(src.debugfs, sizeof(src.debugfs), "%s", debugfs);
	if (devfreq)
		snprintf(src.devfreq, sizeof(src.devfreq), "%s", devfreq);
	if (thermal)
		snprintf(src.thermal, sizeof(src.thermal), "%s", thermal);
	if (clients)
		snprintf(src.clients, sizeof(src.clients), "%s", clients);

	snprintf(load_path, sizeof(load_path), "%s/load", src.debugfs);
	if (!read_text(load_path, text, sizeof(text))) {
		int err = errno;

		fprintf(stderr, "rnpu-top: cannot read %s: %s\n", load_path, strerror(err));
		if (err == EACCES)
			fprintf(stderr, "  debugfs is root-only on most boards: run as root.\n");
		else
			fprintf(stderr, "  no RKNPU driver there; for the software NPU run the program "
					"with RNPU_EXPORT=1, or pass --root=DIR.\n");
		return 2;
	}
	if (once || json) {
		take_sample(&src, &s, NULL);
		if (!s.load_ok) {
			fprintf(stderr, "rnpu-top: %s does not look like an RKNPU load file\n",
				load_path);
			return 2;
		}
		if (json)
			print_json(&src, &s);
		else
			print_text(&src, &s);
		return 0;
	}
	return run_live(&src, interval);
}
