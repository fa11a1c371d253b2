/* SPDX-License-Identifier: MIT */
/*
 * What the loader asks of the policy besides the parsed file: which OS to
 * boot, how much private memory each gets, and (for the VMM) whether the
 * copy of the config it was handed is one this build understands.
 */
#include "internal.h"

static bool memchr_nul(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!s[i])
            return true;
    return false;
}

static bool os_config_ok(const struct pol_os_config *os)
{
    if (os->on_s3 > POL_DO_SWITCH || os->on_s4 > POL_DO_SWITCH || os->on_s5 > POL_DO_SWITCH ||
        os->on_reset > POL_DO_SWITCH || os->n_hidden > POL_PCI_MAX || os->wake.n > POL_WAKE_MAX ||
        os->memory.unit > POL_MEM_PERCENT || os->wake.rtc_local > 1)
        return false;
    if (os->wake.utc_offset < POL_UTC_OFFSET_MIN || os->wake.utc_offset > POL_UTC_OFFSET_MAX)
        return false;
    for (unsigned i = 0; i < os->wake.n; i++) {
        const struct pol_wake_entry *e = &os->wake.at[i];
        if (!e->days || e->days > POL_DAYS_ALL || e->hour > 23 || e->minute > 59)
            return false;
    }
    /* Every string must end inside its field; a loader is a path from the root. */
    return memchr_nul(os->name, POL_NAME_MAX) && memchr_nul(os->loader, POL_PATH_MAX) &&
           memchr_nul(os->args, POL_ARGS_MAX) && os->loader[0] == '\\' && os->loader[1];
}

bool pol_config_check(const struct pol_config *cfg)
{
    if (!cfg || cfg->magic != POL_CONFIG_MAGIC || cfg->version != POL_CONFIG_VERSION ||
        cfg->size != sizeof *cfg)
        return false;
    if (cfg->default_os > POL_OS_B || cfg->switch_mode > POL_SWITCH_INSTANT ||
        cfg->store.kind == POL_STORE_NONE || cfg->store.kind > POL_STORE_TFTP ||
        !memchr_nul(cfg->store.tftp_path, POL_TFTP_PATH_MAX))
        return false;
    return os_config_ok(&cfg->os[0]) && os_config_ok(&cfg->os[1]);
}

enum pol_status pol_boot_choice(const struct pol_config *cfg, int stored, int hint, uint8_t *os)
{
    if (stored < 0 || stored > 3)
        return POL_E_STORE; /* unknown: either OS may be waiting there */
    if (stored == 3)
        return POL_E_STORE; /* both parked: nothing may boot fresh */
    if (stored)
        *os = stored == (1 << POL_OS_A) ? POL_OS_B : POL_OS_A;
    else if (hint == POL_OS_A || hint == POL_OS_B)
        *os = (uint8_t)hint;
    else
        *os = cfg->default_os;
    return POL_OK;
}

static uint64_t share_mib(const struct pol_share *s, uint64_t avail)
{
    return s->unit == POL_MEM_PERCENT ? avail * s->value / 100 : s->value;
}

enum pol_status pol_memory_split(const struct pol_config *cfg, uint64_t avail_mib,
                                 uint64_t mib[2], struct pol_error *err)
{
    struct pol_buf b;

    memset(err, 0, sizeof *err);
    pol_buf_init(&b, err->msg, sizeof err->msg);
    for (int i = 0; i < 2; i++)
        mib[i] = share_mib(&cfg->os[i].memory, avail_mib);
    for (int i = 0; i < 2; i++) {
        if (mib[i] < POL_OS_MIB_MIN) {
            pol_buf_fmt(&b,
                        "memory: %s gets %llu MiB of %llu MiB, less than %u MiB (expected a "
                        "larger share)",
                        i ? "B" : "A", (unsigned long long)mib[i], (unsigned long long)avail_mib,
                        POL_OS_MIB_MIN);
            err->status = POL_E_MEMORY;
            return POL_E_MEMORY;
        }
    }
    if (mib[0] + mib[1] > avail_mib) {
        pol_buf_fmt(&b,
                    "memory: A %llu MiB + B %llu MiB exceed the %llu MiB there are (expected "
                    "shares that fit)",
                    (unsigned long long)mib[0], (unsigned long long)mib[1],
                    (unsigned long long)avail_mib);
        err->status = POL_E_MEMORY;
        return POL_E_MEMORY;
    }
    return POL_OK;
}
