/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the sleepmux.conf parser. Beyond "no crash": a
 * config the parser accepts must pass the VMM's own check of the struct,
 * give every OS a schedule, loader path and strings UEFI can take, and
 * survive pol_config_format() -> pol_parse() unchanged to the byte; an
 * error must name a place inside the text and carry a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pol_config cfg;
    struct pol_error err;
    char line[512];
    enum pol_status st = pol_parse((const char *)data, size, &cfg, &err);

    if (st != POL_OK) {
        size_t lines = 1;
        for (size_t i = 0; i < size; i++)
            lines += data[i] == '\n';
        if (err.status != st || err.line < 1 || err.line > lines || err.col < 1 || !err.msg[0] ||
            !memchr(err.msg, 0, sizeof err.msg))
            abort();
        pol_error_format(&err, "fuzz.conf", line, sizeof line);
        return 0;
    }
    if (!pol_config_check(&cfg))
        abort();
    for (int i = 0; i < 2; i++) {
        uint16_t u[POL_ARGS_MAX];
        const struct pol_os_config *os = &cfg.os[i];
        if (os->loader[0] != '\\' || !pol_to_ucs2(os->loader, u, POL_PATH_MAX) ||
            !pol_to_ucs2(os->args, u, POL_ARGS_MAX) || !pol_to_ucs2(os->name, u, POL_NAME_MAX))
            abort();
        pol_wake_format(&os->wake, line, sizeof line);
        struct pol_datetime now = { 2028, 2, 29, 23, 59, 59 }, next;
        enum pol_status w = pol_wake_alarm(&os->wake, &now, &next);
        if (os->wake.n ? w != POL_OK || pol_datetime_cmp(&next, &now) <= 0 : w != POL_E_NO_SCHEDULE)
            abort();
    }
    uint64_t mib[2];
    pol_memory_split(&cfg, 16384, mib, &err);

    /* The canonical text parses back into the very same struct. */
    char text[POL_CONFIG_TEXT_MAX];
    struct pol_config again;
    size_t n = pol_config_format(&cfg, text, sizeof text);
    if (n >= sizeof text || pol_parse(text, n, &again, &err) != POL_OK ||
        memcmp(&cfg, &again, sizeof cfg) != 0)
        abort();
    return 0;
}
