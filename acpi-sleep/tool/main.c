/* SPDX-License-Identifier: MIT */
/*
 * sleepmux-acpi: what this machine's firmware offers for sleeping, and
 * whether sleepmux can run on it. What a user runs before installing.
 *
 *   sleepmux-acpi                 this machine (root: /dev/mem, else /sys tables); as
 *                                 root, the firmware data If predicates test is read too
 *                                 (/dev/mem inside the firmware memory map, port I/O)
 *   sleepmux-acpi DIR             a directory of table files (/sys/firmware/acpi/tables,
 *                                 acpixtract's *.dat, iasl's *.aml)
 *   sleepmux-acpi FILE            acpidump's text output
 *   sleepmux-acpi FILE...         several table files
 *
 * and, as root on this machine (tables from any of the above):
 *   --read-rtc                    print the RTC's time and armed alarm
 *   --arm-rtc SECONDS             arm the RTC alarm that far ahead, as sleepmux
 *                                 would (alarm registers, RTC_STS, RTC_EN)
 *   --rtc-local MINUTES           the RTC keeps local time, UTC + MINUTES
 *
 * Exit status: 0 sleepmux can run, 1 it cannot (the report says why),
 * 2 the tables could not be read at all, 3 uncertain (the report says what
 * would settle it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "acpimem.h"
#include "fwdata.h"
#include "ports.h"
#include "report.h"

#define SYS_TABLES "/sys/firmware/acpi/tables"

static int usage(void)
{
    fprintf(stderr, "usage: sleepmux-acpi [--strict] [--rsdt] [--read-rtc | --arm-rtc SECONDS] [--rtc-local MINUTES]\n"
                    "                     [DIR | ACPIDUMP-FILE | TABLE-FILE...]\n");
    return 2;
}

static void print_time(const char *what, const struct acpi_time *t)
{
    printf("%s %04u-%02u-%02u %02u:%02u:%02u UTC\n", what, t->year, t->month, t->day, t->hour, t->minute, t->second);
}

static const char *reach_name(uint8_t reach)
{
    return reach == ACPI_ALARM_YEARLY ? "day and month" : reach == ACPI_ALARM_MONTHLY ? "day of month" : "time of day only";
}

/* --read-rtc / --arm-rtc: the RTC of this machine, through the tables. */
static int rtc_command(const struct acpi_platform *p, struct acpi_io *io, const struct acpi_rtc_config *cfg,
                       long arm_seconds)
{
    struct acpi_time now, when;
    struct acpi_rtc_alarm a;
    struct acpi_error e;
    char msg[256];
    enum acpi_status st;

    if (ports_open(io, msg, sizeof msg)) {
        fprintf(stderr, "sleepmux-acpi: %s\n", msg);
        return 2;
    }
    if ((st = acpi_rtc_read_time(p, io, cfg, &now, &e)) == ACPI_OK) {
        print_time("RTC now:", &now);
        if (arm_seconds > 0) {
            acpi_time_from_seconds(acpi_time_to_seconds(&now) + arm_seconds, &when);
            st = acpi_rtc_arm(p, io, cfg, &when, &a, &e);
        } else {
            st = acpi_rtc_read_alarm(p, io, cfg, &a, &e);
        }
    }
    if (st != ACPI_OK) {
        acpi_error_format(&e, msg, sizeof msg);
        fprintf(stderr, "sleepmux-acpi: %s\n", msg);
        return 1;
    }
    printf("RTC alarm: %s, AIE %s, RTC_EN %s, RTC_STS %s\n", reach_name(a.reach), a.aie ? "on" : "off",
           a.rtc_en ? "set" : "clear", a.rtc_sts ? "set" : "clear");
    if (a.fires)
        print_time("RTC alarm fires:", &a.fires_at);
    return 0;
}

static int load(struct acpimem *m, int argc, char **argv, bool *live, char *err, size_t errlen)
{
    struct stat st;

    *live = argc == 0;
    if (argc == 0) {
        if (acpimem_load_live(m, err, errlen) == 0)
            return 0;
        fprintf(stderr, "sleepmux-acpi: %s; reading %s instead (addresses synthetic)\n", err, SYS_TABLES);
        acpimem_free(m);
        acpimem_init(m);
        return acpimem_load_dir(m, SYS_TABLES, err, errlen);
    }
    if (argc == 1 && stat(argv[0], &st) == 0 && S_ISDIR(st.st_mode))
        return acpimem_load_dir(m, argv[0], err, errlen);
    if (argc == 1) {
        /* acpidump's text (a table header among its first lines: firmware
         * warnings may come first), or a single binary table. */
        FILE *f = fopen(argv[0], "r");
        char line[512];
        bool dump = false;

        for (int i = 0; f && i < 64 && !dump && fgets(line, sizeof line, f); i++)
            dump = acpimem_is_acpidump_header(line);
        if (f)
            fclose(f);
        if (dump)
            return acpimem_load_acpidump(m, argv[0], err, errlen);
    }
    return acpimem_load_files(m, (const char *const *)argv, (size_t)argc, err, errlen);
}

int main(int argc, char **argv)
{
    unsigned flags = 0;
    int i = 1;
    bool rtc = false;
    long arm = 0;
    struct acpi_rtc_config cfg = {0};

    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--strict")) {
            flags |= ACPI_DISCOVER_STRICT;
        } else if (!strcmp(argv[i], "--rsdt")) {
            flags |= ACPI_DISCOVER_USE_RSDT;
        } else if (!strcmp(argv[i], "--read-rtc")) {
            rtc = true;
        } else if (!strcmp(argv[i], "--arm-rtc") && i + 1 < argc) {
            rtc = true;
            arm = strtol(argv[++i], NULL, 0);
            if (arm <= 0)
                return usage();
        } else if (!strcmp(argv[i], "--rtc-local") && i + 1 < argc) {
            cfg.local_time = true;
            cfg.utc_offset_minutes = (int32_t)strtol(argv[++i], NULL, 0);
        } else {
            return usage();
        }
    }

    struct acpimem m;
    char err[512];
    bool live;

    acpimem_init(&m);
    if (load(&m, argc - i, argv + i, &live, err, sizeof err)) {
        for (unsigned k = 0; k < m.n_notes; k++)
            fprintf(stderr, "sleepmux-acpi: %s\n", m.notes[k]);
        fprintf(stderr, "sleepmux-acpi: %s\n", err);
        acpimem_free(&m);
        return 2;
    }
    if (!m.rsdp) {
        fprintf(stderr, "sleepmux-acpi: %s: no RSDP among the tables\n", m.source);
        acpimem_free(&m);
        return 2;
    }

    struct acpi_io io = acpimem_io(&m);
    struct acpi_platform *p = calloc(1, sizeof *p);
    size_t scratch_size = ACPI_SCRATCH_GOOD;
    void *scratch = malloc(scratch_size);
    struct acpi_error e;

    if (!p || !scratch) {
        fprintf(stderr, "sleepmux-acpi: out of memory\n");
        return 2;
    }
    /* On this machine, the firmware data predicates test can be read. */
    struct fwdata fw;
    bool use_fw = live && fwdata_open(&fw);
    enum acpi_status st = acpi_discover_live(p, &io, m.rsdp, flags, use_fw ? &fw.fw : NULL, scratch,
                                             scratch_size, &e);
    int rc;

    if (rtc && st == ACPI_OK)
        rc = rtc_command(p, &io, &cfg, arm);
    else
        rc = report(stdout, p, &io, &m, live ? fw.how : NULL, st == ACPI_OK ? NULL : &e);
    if (live)
        fwdata_close(&fw);

    free(scratch);
    free(p);
    acpimem_free(&m);
    return rc;
}
