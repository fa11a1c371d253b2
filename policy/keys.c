/* SPDX-License-Identifier: MIT */
/*
 * The keys of each section of sleepmux.conf, their defaults, and the checks
 * that need the whole file (required keys, one store location, shares that
 * add up). docs/config.md is the user's view of this file; keep them in step.
 */
#include "internal.h"

struct key {
    const char *name;
    const char *example;    /* shown when the value is missing */
    bool empty_ok;
    enum pol_status (*set)(struct pol_parser *ps, struct pol_span v);
};

static struct pol_os_config *cur_os(struct pol_parser *ps)
{
    return &ps->cfg->os[ps->section - POL_SEC_OS_A];
}

/* ---- [global] */

static enum pol_status set_default(struct pol_parser *ps, struct pol_span v)
{
    static const char *const words[] = { "A", "B", NULL };
    return pol_val_choice(ps, v, words, "A or B", &ps->cfg->default_os);
}

static enum pol_status set_switch(struct pol_parser *ps, struct pol_span v)
{
    static const char *const words[] = { "sleep", "instant", NULL };
    return pol_val_choice(ps, v, words, "sleep or instant", &ps->cfg->switch_mode);
}

static enum pol_status set_vmm_memory(struct pol_parser *ps, struct pol_span v)
{
    struct pol_share s;
    enum pol_status st = pol_val_mib(ps, v, POL_VMM_MIB_MIN, POL_VMM_MIB_MAX, false, &s);
    ps->cfg->vmm_mib = s.value;
    return st;
}

static enum pol_status set_log(struct pol_parser *ps, struct pol_span v)
{
    return pol_val_log(ps, v, &ps->cfg->log_port);
}

static const struct key global_keys[] = {
    { "default", "default = A", false, set_default },
    { "switch", "switch = sleep", false, set_switch },
    { "vmm-memory", "vmm-memory = 64 MiB", false, set_vmm_memory },
    { "log", "log = com1", false, set_log },
    { NULL, NULL, false, NULL },
};

/* ---- [store] */

enum { K_PART_TYPE, K_PART, K_TFTP_SERVER, K_TFTP_FIRST_OPTION };

static enum pol_status set_part_type(struct pol_parser *ps, struct pol_span v)
{
    ps->cfg->store.kind = POL_STORE_PART_TYPE;
    return pol_val_guid(ps, v, &ps->cfg->store.guid);
}

static enum pol_status set_part(struct pol_parser *ps, struct pol_span v)
{
    ps->cfg->store.kind = POL_STORE_PART_GUID;
    return pol_val_guid(ps, v, &ps->cfg->store.guid);
}

static enum pol_status set_tftp_server(struct pol_parser *ps, struct pol_span v)
{
    uint8_t *a = ps->cfg->store.tftp_server;
    enum pol_status st = pol_val_ipv4(ps, v, a);

    ps->cfg->store.kind = POL_STORE_TFTP;
    if (st == POL_OK && (a[0] == 0 || a[0] >= 224))
        return pol_fail(ps, POL_E_RANGE, v.p,
                        "%s: %.*s is not a unicast address (expected a server's address such "
                        "as 192.168.1.10)",
                        ps->key_name, (int)v.len, v.p);
    return st;
}

static enum pol_status set_tftp_port(struct pol_parser *ps, struct pol_span v)
{
    uint32_t n;
    enum pol_status st = pol_val_uint(ps, v, 1, 65535, "1 to 65535", &n);
    ps->cfg->store.tftp_port = (uint16_t)n;
    return st;
}

static enum pol_status set_tftp_path(struct pol_parser *ps, struct pol_span v)
{
    return pol_val_tftp_path(ps, v, ps->cfg->store.tftp_path, sizeof ps->cfg->store.tftp_path);
}

static enum pol_status set_tftp_blksize(struct pol_parser *ps, struct pol_span v)
{
    uint32_t n;
    /* RFC 2348 §2: "between 8 and 65464 octets, inclusive". */
    enum pol_status st = pol_val_uint(ps, v, 8, 65464, "8 to 65464, as RFC 2348 allows", &n);
    ps->cfg->store.tftp_blksize = (uint16_t)n;
    return st;
}

static enum pol_status set_tftp_windowsize(struct pol_parser *ps, struct pol_span v)
{
    uint32_t n;
    /* RFC 7440 §4: "between 1 and 65535 blocks, inclusive". */
    enum pol_status st = pol_val_uint(ps, v, 1, 65535, "1 to 65535, as RFC 7440 allows", &n);
    ps->cfg->store.tftp_windowsize = (uint16_t)n;
    return st;
}

static enum pol_status set_tftp_client(struct pol_parser *ps, struct pol_span v)
{
    return pol_val_client(ps, v, &ps->cfg->store);
}

static enum pol_status set_tftp_gateway(struct pol_parser *ps, struct pol_span v)
{
    return pol_val_ipv4(ps, v, ps->cfg->store.gateway);
}

static const struct key store_keys[] = {
    [K_PART_TYPE] = { "partition-type", "partition-type = GUID", false, set_part_type },
    [K_PART] = { "partition", "partition = GUID", false, set_part },
    [K_TFTP_SERVER] = { "tftp-server", "tftp-server = 192.168.1.10", false, set_tftp_server },
    { "tftp-port", "tftp-port = 69", false, set_tftp_port },
    { "tftp-path", "tftp-path = sleepmux", false, set_tftp_path },
    { "tftp-blksize", "tftp-blksize = 1468", false, set_tftp_blksize },
    { "tftp-windowsize", "tftp-windowsize = 16", false, set_tftp_windowsize },
    { "tftp-client", "tftp-client = dhcp", false, set_tftp_client },
    { "tftp-gateway", "tftp-gateway = 192.168.1.1", false, set_tftp_gateway },
    { NULL, NULL, false, NULL },
};

/* ---- [os A], [os B] */

enum { K_NAME, K_LOADER, K_ARGS, K_MEMORY, K_ON_S3, K_ON_S4, K_ON_S5, K_ON_RESET, K_HIDE_PCI,
       K_WAKE, K_WAKE_FROM, K_RTC };

static enum pol_status set_name(struct pol_parser *ps, struct pol_span v)
{
    return pol_val_text(ps, v, cur_os(ps)->name, POL_NAME_MAX);
}

static enum pol_status set_loader(struct pol_parser *ps, struct pol_span v)
{
    return pol_val_efi_path(ps, v, cur_os(ps)->loader, POL_PATH_MAX);
}

static enum pol_status set_args(struct pol_parser *ps, struct pol_span v)
{
    return pol_val_text(ps, v, cur_os(ps)->args, POL_ARGS_MAX);
}

static enum pol_status set_memory(struct pol_parser *ps, struct pol_span v)
{
    return pol_val_mib(ps, v, POL_OS_MIB_MIN, POL_OS_MIB_MAX, true, &cur_os(ps)->memory);
}

static enum pol_status set_on_s3(struct pol_parser *ps, struct pol_span v)
{
    static const char *const words[] = { "sleep", "switch", NULL };
    return pol_val_choice(ps, v, words, "switch or sleep", &cur_os(ps)->on_s3);
}

static enum pol_status set_on_s4(struct pol_parser *ps, struct pol_span v)
{
    static const char *const words[] = { "hibernate", "switch", NULL };
    return pol_val_choice(ps, v, words, "hibernate or switch", &cur_os(ps)->on_s4);
}

static enum pol_status set_on_s5(struct pol_parser *ps, struct pol_span v)
{
    static const char *const words[] = { "poweroff", "switch", NULL };
    return pol_val_choice(ps, v, words, "poweroff or switch", &cur_os(ps)->on_s5);
}

static enum pol_status set_on_reset(struct pol_parser *ps, struct pol_span v)
{
    static const char *const words[] = { "reset", "switch", NULL };
    return pol_val_choice(ps, v, words, "reset or switch", &cur_os(ps)->on_reset);
}

static enum pol_status set_hide_pci(struct pol_parser *ps, struct pol_span v)
{
    return pol_val_pci_list(ps, v, cur_os(ps));
}

static enum pol_status set_wake(struct pol_parser *ps, struct pol_span v)
{
    return pol_val_wake(ps, v, &cur_os(ps)->wake);
}

static enum pol_status set_wake_from(struct pol_parser *ps, struct pol_span v)
{
    return pol_val_wake_from(ps, v, &cur_os(ps)->wake);
}

static enum pol_status set_rtc(struct pol_parser *ps, struct pol_span v)
{
    return pol_val_rtc(ps, v, &cur_os(ps)->wake);
}

static const struct key os_keys[] = {
    [K_NAME] = { "name", "name = Debian", false, set_name },
    [K_LOADER] = { "loader", "loader = \\EFI\\debian\\shimx64.efi", false, set_loader },
    [K_ARGS] = { "args", "args = \"\"", true, set_args },
    [K_MEMORY] = { "memory", "memory = 50%", false, set_memory },
    [K_ON_S3] = { "on-s3", "on-s3 = switch", false, set_on_s3 },
    [K_ON_S4] = { "on-s4", "on-s4 = hibernate", false, set_on_s4 },
    [K_ON_S5] = { "on-s5", "on-s5 = poweroff", false, set_on_s5 },
    [K_ON_RESET] = { "on-reset", "on-reset = reset", false, set_on_reset },
    [K_HIDE_PCI] = { "hide-pci", "hide-pci = 00:1f.3", false, set_hide_pci },
    [K_WAKE] = { "wake", "wake = mon-fri 07:30", false, set_wake },
    [K_WAKE_FROM] = { "wake-from", "wake-from = s4 s5", false, set_wake_from },
    [K_RTC] = { "rtc", "rtc = utc", false, set_rtc },
    { NULL, NULL, false, NULL },
};

static const struct key *const tables[POL_SEC_COUNT] = { global_keys, store_keys, os_keys, os_keys };
static const char *const section_title[POL_SEC_COUNT] = { "[global]", "[store]", "[os A]", "[os B]" };

_Static_assert(sizeof os_keys / sizeof os_keys[0] <= POL_KEYS_PER_SECTION, "key_at too small");
_Static_assert(sizeof store_keys / sizeof store_keys[0] <= POL_KEYS_PER_SECTION, "key_at too small");

void pol_config_defaults(struct pol_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->magic = POL_CONFIG_MAGIC;
    cfg->version = POL_CONFIG_VERSION;
    cfg->size = sizeof *cfg;
    cfg->default_os = POL_OS_A;
    cfg->switch_mode = POL_SWITCH_SLEEP;
    cfg->log_port = POL_COM1;
    cfg->vmm_mib = 64;
    cfg->store.tftp_port = 69;
    cfg->store.tftp_blksize = 1468;  /* the largest that fits a 1500-byte Ethernet MTU */
    cfg->store.tftp_windowsize = 16;
    memcpy(cfg->store.tftp_path, "sleepmux", 9);
    for (int i = 0; i < 2; i++) {
        struct pol_os_config *os = &cfg->os[i];
        memcpy(os->name, i ? "OS B" : "OS A", 5);
        os->memory = (struct pol_share){ .unit = POL_MEM_PERCENT, .value = 50 };
        os->on_s3 = POL_DO_SWITCH;
        os->on_s4 = POL_DO_ASKED;
        os->on_s5 = POL_DO_ASKED;
        os->on_reset = POL_DO_ASKED;
        os->wake.from = POL_WAKE_FROM_S4 | POL_WAKE_FROM_S5;
    }
}

static int find_key(const struct key *t, struct pol_span name)
{
    for (int i = 0; t[i].name; i++)
        if (pol_span_is(name, t[i].name))
            return i;
    return -1;
}

static enum pol_status unknown_key(struct pol_parser *ps, struct pol_span key)
{
    const struct key *t = tables[ps->section];
    char list[POL_MSG_MAX];
    struct pol_buf b;

    for (int s = 0; s < POL_SEC_COUNT; s++)
        if (tables[s] != t && find_key(tables[s], key) >= 0)
            return pol_fail(ps, POL_E_KEY, key.p, "key \"%.*s\" belongs in %s, not %s",
                            (int)key.len, key.p, s >= POL_SEC_OS_A ? "[os A] or [os B]" : section_title[s],
                            section_title[ps->section]);
    pol_buf_init(&b, list, sizeof list);
    for (int i = 0; t[i].name; i++)
        pol_buf_fmt(&b, "%s%s", i ? ", " : "", t[i].name);
    return pol_fail(ps, POL_E_KEY, key.p, "unknown key \"%.*s\" in %s (expected one of %s)",
                    (int)key.len, key.p, section_title[ps->section], list);
}

enum pol_status pol_key_set(struct pol_parser *ps, struct pol_span key, struct pol_span value)
{
    const struct key *t = tables[ps->section];
    int k = find_key(t, key);

    if (k < 0)
        return unknown_key(ps, key);
    struct pol_place *at = &ps->key_at[ps->section][k];
    if (at->line)
        return pol_fail(ps, POL_E_DUPLICATE, key.p,
                        "%s given twice in %s, first at line %u (expected each key once per "
                        "section)",
                        t[k].name, section_title[ps->section], at->line);
    *at = (struct pol_place){ ps->line, pol_col(ps, key.p) };
    ps->key_name = t[k].name;
    if (value.len == 0 && !t[k].empty_ok)
        return pol_fail(ps, POL_E_VALUE, value.p, "%s has no value (expected %s)", t[k].name,
                        t[k].example);
    return t[k].set(ps, value);
}

static bool seen(const struct pol_place *p)
{
    return p->line != 0;
}

static const struct pol_place *later(const struct pol_place *a, const struct pol_place *b)
{
    return a->line > b->line || (a->line == b->line && a->col > b->col) ? a : b;
}

static enum pol_status finish_store(struct pol_parser *ps)
{
    const struct pol_place *k = ps->key_at[POL_SEC_STORE];
    const struct pol_place *loc = NULL;

    if (!seen(&ps->sec_at[POL_SEC_STORE]))
        return pol_fail_place(ps, POL_E_MISSING, ps->eof,
                              "no [store] section (expected [store] saying where parked OS "
                              "images go)");
    for (int i = K_PART_TYPE; i <= K_TFTP_SERVER; i++) {
        if (!seen(&k[i]))
            continue;
        if (loc) {
            const struct pol_place *second = later(loc, &k[i]);
            const struct pol_place *first = second == loc ? &k[i] : loc;
            return pol_fail_place(ps, POL_E_CONFLICT, *second,
                                  "%s: [store] already names a location at line %u (expected "
                                  "one of partition-type, partition or tftp-server)",
                                  store_keys[second == loc ? loc - k : i].name, first->line);
        }
        loc = &k[i];
    }
    if (!loc)
        return pol_fail_place(ps, POL_E_MISSING, ps->sec_at[POL_SEC_STORE],
                              "[store] names no location (expected partition-type = GUID, "
                              "partition = GUID or tftp-server = ADDRESS)");
    for (int i = K_TFTP_FIRST_OPTION; store_keys[i].name; i++)
        if (seen(&k[i]) && !seen(&k[K_TFTP_SERVER]))
            return pol_fail_place(ps, POL_E_CONFLICT, k[i],
                                  "%s applies to a TFTP store only (expected tftp-server = "
                                  "ADDRESS, or no tftp-* keys)",
                                  store_keys[i].name);
    return POL_OK;
}

static enum pol_status finish_os(struct pol_parser *ps, int sec)
{
    const struct pol_place *k = ps->key_at[sec];
    const struct pol_os_config *os = &ps->cfg->os[sec - POL_SEC_OS_A];

    if (!seen(&ps->sec_at[sec]))
        return pol_fail_place(ps, POL_E_MISSING, ps->eof,
                              "no %s section (expected %s with at least a loader = line)",
                              section_title[sec], section_title[sec]);
    if (!seen(&k[K_LOADER]))
        return pol_fail_place(ps, POL_E_MISSING, ps->sec_at[sec],
                              "%s has no loader (expected loader = \\EFI\\...\\name.efi)",
                              section_title[sec]);
    if (seen(&k[K_WAKE_FROM]) && os->wake.n == 0)
        return pol_fail_place(ps, POL_E_CONFLICT, k[K_WAKE_FROM],
                              "wake-from: %s has no wake times to arm (expected a wake = line "
                              "such as wake = mon-fri 07:30)",
                              section_title[sec]);
    if ((os->wake.from & POL_WAKE_FROM_S3) && os->wake.n && os->on_s3 == POL_DO_SWITCH)
        return pol_fail_place(ps, POL_E_CONFLICT, seen(&k[K_WAKE_FROM]) ? k[K_WAKE_FROM] : k[K_WAKE],
                              "wake-from: s3 never happens, S3 switches OS (expected on-s3 = "
                              "sleep, or wake-from without s3)");
    return POL_OK;
}

enum pol_status pol_keys_finish(struct pol_parser *ps)
{
    enum pol_status st = finish_store(ps);
    if (st)
        return st;
    for (int sec = POL_SEC_OS_A; sec <= POL_SEC_OS_B; sec++)
        if ((st = finish_os(ps, sec)))
            return st;

    const struct pol_share *a = &ps->cfg->os[0].memory, *b = &ps->cfg->os[1].memory;
    if (a->unit == POL_MEM_PERCENT && b->unit == POL_MEM_PERCENT && a->value + b->value > 100) {
        const struct pol_place *pa = &ps->key_at[POL_SEC_OS_A][K_MEMORY];
        const struct pol_place *pb = &ps->key_at[POL_SEC_OS_B][K_MEMORY];
        return pol_fail_place(ps, POL_E_CONFLICT, *later(pa, pb),
                              "memory: %u%% for A and %u%% for B make more than 100%% (expected "
                              "shares that add up to 100%% or less)",
                              a->value, b->value);
    }
    return POL_OK;
}
