/* SPDX-License-Identifier: MIT */
/*
 * sleepmux-config: check a sleepmux.conf before rebooting into it.
 *
 *   sleepmux-config check FILE [--ram SIZE] [--now YYYY-MM-DDTHH:MM]
 *
 * Prints what each OS will get (memory, hidden devices, what each of its
 * requests does, its wake schedule) or the first error as
 * FILE:LINE:COL: message (expected ...). The actions are the engine's own
 * answers (pol_decide), not a second description of them.
 *
 * Exit: 0 valid, 1 invalid (or the memory does not fit --ram), 2 usage or I/O.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy.h"

#define MAX_FILE (1u << 20)

static void usage(FILE *f)
{
    fputs("usage: sleepmux-config check FILE [--ram SIZE] [--now YYYY-MM-DDTHH:MM]\n"
          "  Checks a sleepmux.conf and prints what each OS will get.\n"
          "  --ram SIZE   RAM the loader can split between the OSes (e.g. 16G, 12000M):\n"
          "               shows each OS's memory in MiB and checks that it fits\n"
          "  --now TIME   UTC time to compute the next wake-ups from (default: now)\n",
          f);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "sleepmux-config: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(MAX_FILE + 1);
    size_t n = buf ? fread(buf, 1, MAX_FILE + 1, f) : 0;
    int err = ferror(f);
    fclose(f);
    if (!buf || err || n > MAX_FILE) {
        fprintf(stderr, "sleepmux-config: %s: %s\n", path,
                !buf ? "out of memory" : err ? "read error" : "larger than 1 MiB, not a config");
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static bool parse_size_mib(const char *s, unsigned long long *mib)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return false;
    if (!strcmp(end, "G") || !strcmp(end, "GiB"))
        v *= 1024;
    else if (strcmp(end, "M") && strcmp(end, "MiB"))
        return false;
    *mib = v;
    return v > 0;
}

static bool parse_now(const char *s, struct pol_datetime *t)
{
    unsigned y, mo, d, h, mi;
    char tail;
    if (sscanf(s, "%4u-%2u-%2uT%2u:%2u%c", &y, &mo, &d, &h, &mi, &tail) != 5)
        return false;
    *t = (struct pol_datetime){ (uint16_t)y, (uint8_t)mo, (uint8_t)d, (uint8_t)h, (uint8_t)mi, 0 };
    return pol_datetime_valid(t);
}

static void print_guid(const struct pol_guid *g)
{
    const uint8_t *b = g->b;
    printf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[3], b[2], b[1],
           b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static void print_store(const struct pol_store *s)
{
    printf("store\n  ");
    switch (s->kind) {
    case POL_STORE_PART_TYPE:
        printf("the first GPT partition of type ");
        print_guid(&s->guid);
        break;
    case POL_STORE_PART_GUID:
        printf("the GPT partition ");
        print_guid(&s->guid);
        break;
    case POL_STORE_TFTP:
        printf("TFTP server %u.%u.%u.%u port %u, folder %s, blksize %u, windowsize %u\n",
               s->tftp_server[0], s->tftp_server[1], s->tftp_server[2], s->tftp_server[3],
               s->tftp_port, s->tftp_path, s->tftp_blksize, s->tftp_windowsize);
        if (s->client_prefix)
            printf("  client %u.%u.%u.%u/%u", s->client_addr[0], s->client_addr[1],
                   s->client_addr[2], s->client_addr[3], s->client_prefix);
        else
            printf("  client address from DHCP");
        if (s->gateway[0])
            printf(", gateway %u.%u.%u.%u", s->gateway[0], s->gateway[1], s->gateway[2],
                   s->gateway[3]);
        break;
    }
    printf("\n");
}

static void print_share(const struct pol_share *s, const unsigned long long *mib)
{
    if (s->unit == POL_MEM_PERCENT)
        printf("%u%% of the RAM that can be split", s->value);
    else
        printf("%u MiB", s->value);
    if (mib)
        printf(" (%llu MiB with --ram)", *mib);
    printf("\n");
}

/* Ask the engine what a request does in each place the other OS can be,
 * following store operations through their success. */
static void print_request(const struct pol_config *cfg, uint8_t os, const char *label,
                          struct pol_event ev)
{
    static const char *const where[] = { "not running", "parked in RAM", "in the store" };
    char other = os ? 'A' : 'B', text[160];

    for (uint8_t p = POL_PARK_NONE; p < POL_PARK_COUNT; p++) {
        struct pol_state st = { .phase = POL_PH_RUN, .active = os, .parked = p,
                                .slot = p == POL_PARK_STORE ? 0 : POL_SLOT_NONE };
        struct pol_event e = ev;
        printf("  %-18s %c %s: ", p == 0 ? label : "", other, where[p]);
        for (int step = 0; step < 4; step++) {
            struct pol_action a = pol_decide(cfg, &st, &e, &st);
            pol_action_format(&a, text, sizeof text);
            printf("%s%s", step ? "; " : "", text);
            if (a.kind == POL_ACT_SAVE || a.kind == POL_ACT_PERSIST || a.kind == POL_ACT_DISCARD)
                e = (struct pol_event){ .kind = POL_EV_WRITE_OK, .slot = 1 };
            else if (a.kind == POL_ACT_RESTORE)
                e = (struct pol_event){ .kind = POL_EV_READ_OK };
            else
                break;
        }
        printf("\n");
    }
}

static void print_wake(const struct pol_os_config *os, const struct pol_datetime *utc_now)
{
    const struct pol_schedule *s = &os->wake;
    char text[512];
    int off = s->utc_offset, a = off < 0 ? -off : off;

    pol_wake_format(s, text, sizeof text);
    printf("  %-18s %s", "wake", text);
    if (!s->n) {
        printf("\n");
        return;
    }
    printf(" (local time UTC%c%02d:%02d; RTC keeps %s), from", off < 0 ? '-' : '+', a / 60, a % 60,
           s->rtc_local ? "local time" : "UTC");
    for (int st = 3; st <= 5; st++)
        if (s->from & (1u << st))
            printf(" S%d", st);
    printf("\n");

    struct pol_datetime rtc_now = *utc_now, alarm, local;
    pol_datetime_add_minutes(&rtc_now, s->rtc_local ? off : 0);
    if (pol_wake_alarm(s, &rtc_now, &alarm) != POL_OK) {
        printf("  %-18s cannot be computed\n", "");
        return;
    }
    local = alarm;
    pol_datetime_add_minutes(&local, s->rtc_local ? 0 : off);
    printf("  %-18s %04u-%02u-%02u %02u:%02u local, RTC alarm %04u-%02u-%02u %02u:%02u\n",
           "next wake", local.year, local.month, local.day, local.hour, local.minute, alarm.year,
           alarm.month, alarm.day, alarm.hour, alarm.minute);
}

static void print_os(const struct pol_config *cfg, uint8_t i, const unsigned long long *mib,
                     const struct pol_datetime *now)
{
    const struct pol_os_config *os = &cfg->os[i];

    printf("os %c \"%s\"%s\n", 'A' + i, os->name, cfg->default_os == i ? " (default)" : "");
    printf("  %-18s %s\n", "loader", os->loader);
    printf("  %-18s %s\n", "args", os->args[0] ? os->args : "(none)");
    printf("  %-18s ", "memory");
    print_share(&os->memory, mib);
    printf("  %-18s", "hidden PCI");
    if (!os->n_hidden)
        printf(" none");
    for (unsigned k = 0; k < os->n_hidden; k++) {
        const struct pol_pci *d = &os->hidden[k];
        printf(" %04x:%02x:%02x.%x", d->segment, d->bus, d->devfn >> 3, d->devfn & 7);
    }
    printf("\n");
    print_request(cfg, i, "on S3 (sleep)", (struct pol_event){ POL_EV_SLEEP, i, 3, 0 });
    print_request(cfg, i, "on S4 (hibernate)", (struct pol_event){ POL_EV_SLEEP, i, 4, 0 });
    print_request(cfg, i, "on S5 (power off)", (struct pol_event){ POL_EV_SLEEP, i, 5, 0 });
    print_request(cfg, i, "on reset", (struct pol_event){ POL_EV_RESET, i, 0, 0 });
    print_wake(os, now);
}

static int check(const char *path, const unsigned long long *ram, const struct pol_datetime *now)
{
    size_t len;
    char *text = read_file(path, &len);
    if (!text)
        return 2;

    struct pol_config cfg;
    struct pol_error err;
    char line[POL_MSG_MAX + 512];
    enum pol_status st = pol_parse(text, len, &cfg, &err);
    free(text);
    if (st != POL_OK) {
        pol_error_format(&err, path, line, sizeof line);
        fprintf(stderr, "%s\n", line);
        return 1;
    }

    uint64_t mib[2];
    unsigned long long shown[2];
    if (ram) {
        if (pol_memory_split(&cfg, *ram, mib, &err) != POL_OK) {
            pol_error_format(&err, path, line, sizeof line);
            fprintf(stderr, "%s\n", line);
            return 1;
        }
        shown[0] = mib[0], shown[1] = mib[1];
    }

    unsigned port = cfg.log_port;
    printf("%s: valid\n", path);
    printf("global\n");
    printf("  %-18s %c\n", "default OS", 'A' + cfg.default_os);
    printf("  %-18s %s\n", "switch",
           cfg.switch_mode == POL_SWITCH_SLEEP
               ? "sleep (the machine enters S3; the other OS comes back at wake-up)"
               : "instant (the other OS is entered directly, no S3)");
    printf("  %-18s %u MiB\n", "VMM memory", cfg.vmm_mib);
    if (port)
        printf("  %-18s serial port 0x%x%s\n", "log", port,
               port == 0x3f8 ? " (com1)" : port == 0x2f8 ? " (com2)" : "");
    else
        printf("  %-18s none\n", "log");
    print_store(&cfg.store);
    for (uint8_t i = 0; i < 2; i++)
        print_os(&cfg, i, ram ? &shown[i] : NULL, now);
    return 0;
}

int main(int argc, char **argv)
{
    const char *file = NULL;
    unsigned long long ram, *ram_p = NULL;
    struct pol_datetime now;
    bool now_set = false;

    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage(stdout);
        return 0;
    }
    if (argc < 3 || strcmp(argv[1], "check")) {
        usage(stderr);
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--ram") && i + 1 < argc) {
            if (!parse_size_mib(argv[++i], &ram)) {
                fprintf(stderr, "sleepmux-config: --ram %s: expected a size such as 16G or 12000M\n", argv[i]);
                return 2;
            }
            ram_p = &ram;
        } else if (!strcmp(argv[i], "--now") && i + 1 < argc) {
            if (!parse_now(argv[++i], &now)) {
                fprintf(stderr, "sleepmux-config: --now %s: expected YYYY-MM-DDTHH:MM (UTC)\n", argv[i]);
                return 2;
            }
            now_set = true;
        } else if (!file && argv[i][0] != '-') {
            file = argv[i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!file) {
        usage(stderr);
        return 2;
    }
    if (!now_set) {
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        now = (struct pol_datetime){ (uint16_t)(tm.tm_year + 1900), (uint8_t)(tm.tm_mon + 1),
                                     (uint8_t)tm.tm_mday, (uint8_t)tm.tm_hour,
                                     (uint8_t)tm.tm_min, (uint8_t)tm.tm_sec };
    }
    return check(file, ram_p, &now);
}
