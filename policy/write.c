/* SPDX-License-Identifier: MIT */
/*
 * A config back to sleepmux.conf text: every key spelled out, in the order
 * docs/config.md gives them, so the VMM can log the configuration it really
 * runs with. Parsing the text gives back the same struct, byte for byte (the
 * fuzz target checks that on every config it finds).
 */
#include "internal.h"

static const char *const on_words[4][2] = {
    { "sleep", "switch" }, { "hibernate", "switch" }, { "poweroff", "switch" }, { "reset", "switch" },
};

static void guid(struct pol_buf *b, const struct pol_guid *g)
{
    const uint8_t *x = g->b;
    pol_buf_fmt(b, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", x[3], x[2],
                x[1], x[0], x[5], x[4], x[7], x[6], x[8], x[9], x[10], x[11], x[12], x[13], x[14],
                x[15]);
}

static void ipv4(struct pol_buf *b, const uint8_t a[4])
{
    pol_buf_fmt(b, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

/* Quoted when it can be (no '"' inside); otherwise it came from a bare value
 * and is written bare again. */
static void text(struct pol_buf *b, const char *key, const char *s)
{
    bool quote = true;
    for (const char *p = s; *p; p++)
        quote = quote && *p != '"';
    pol_buf_fmt(b, quote ? "%s = \"%s\"\n" : "%s = %s\n", key, s);
}

static void offset(struct pol_buf *b, int minutes)
{
    int a = minutes < 0 ? -minutes : minutes;
    pol_buf_fmt(b, "%c%02d:%02d", minutes < 0 ? '-' : '+', a / 60, a % 60);
}

static void store(struct pol_buf *b, const struct pol_store *s)
{
    pol_buf_fmt(b, "[store]\n");
    if (s->kind == POL_STORE_PART_TYPE || s->kind == POL_STORE_PART_GUID) {
        pol_buf_fmt(b, s->kind == POL_STORE_PART_TYPE ? "partition-type = " : "partition = ");
        guid(b, &s->guid);
        pol_buf_fmt(b, "\n");
        return;
    }
    if (s->kind != POL_STORE_TFTP)
        return;
    pol_buf_fmt(b, "tftp-server = ");
    ipv4(b, s->tftp_server);
    pol_buf_fmt(b, "\ntftp-port = %u\ntftp-path = %s\ntftp-blksize = %u\ntftp-windowsize = %u\n",
                s->tftp_port, s->tftp_path, s->tftp_blksize, s->tftp_windowsize);
    if (s->client_prefix) {
        pol_buf_fmt(b, "tftp-client = ");
        ipv4(b, s->client_addr);
        pol_buf_fmt(b, "/%u\n", s->client_prefix);
    } else {
        pol_buf_fmt(b, "tftp-client = dhcp\n");
    }
    if (s->gateway[0] | s->gateway[1] | s->gateway[2] | s->gateway[3]) {
        pol_buf_fmt(b, "tftp-gateway = ");
        ipv4(b, s->gateway);
        pol_buf_fmt(b, "\n");
    }
}

static void os_section(struct pol_buf *b, const struct pol_os_config *os, char letter)
{
    const uint8_t on[4] = { os->on_s3, os->on_s4, os->on_s5, os->on_reset };
    static const char *const on_keys[4] = { "on-s3", "on-s4", "on-s5", "on-reset" };

    pol_buf_fmt(b, "\n[os %c]\n", letter);
    text(b, "name", os->name);
    text(b, "loader", os->loader);
    text(b, "args", os->args);
    if (os->memory.unit == POL_MEM_PERCENT)
        pol_buf_fmt(b, "memory = %u%%\n", os->memory.value);
    else
        pol_buf_fmt(b, "memory = %u MiB\n", os->memory.value);
    for (int i = 0; i < 4; i++)
        pol_buf_fmt(b, "%s = %s\n", on_keys[i], on_words[i][on[i] & 1]);
    for (unsigned i = 0; i < os->n_hidden && i < POL_PCI_MAX; i++) {
        const struct pol_pci *d = &os->hidden[i];
        pol_buf_fmt(b, "%s%04x:%02x:%02x.%x", i ? ", " : "hide-pci = ", d->segment, d->bus,
                    d->devfn >> 3, d->devfn & 7);
    }
    if (os->n_hidden)
        pol_buf_fmt(b, "\n");
    if (os->wake.n) {
        char sched[POL_WAKE_MAX * 40];
        pol_wake_format(&os->wake, sched, sizeof sched);
        pol_buf_fmt(b, "wake = %s\nwake-from =", sched);
        for (int st = 3; st <= 5; st++)
            if (os->wake.from & (1u << st))
                pol_buf_fmt(b, " s%d", st);
        pol_buf_fmt(b, "\n");
    }
    pol_buf_fmt(b, "rtc = %s", os->wake.rtc_local ? "local " : "utc");
    if (os->wake.rtc_local || os->wake.utc_offset) {
        pol_buf_fmt(b, os->wake.rtc_local ? "" : " ");
        offset(b, os->wake.utc_offset);
    }
    pol_buf_fmt(b, "\n");
}

size_t pol_config_format(const struct pol_config *cfg, char *buf, size_t n)
{
    struct pol_buf b;

    pol_buf_init(&b, buf, n);
    pol_buf_fmt(&b, "[global]\ndefault = %c\nswitch = %s\nvmm-memory = %u MiB\nlog = ",
                cfg->default_os ? 'B' : 'A',
                cfg->switch_mode == POL_SWITCH_INSTANT ? "instant" : "sleep", cfg->vmm_mib);
    if (cfg->log_port == POL_COM1)
        pol_buf_fmt(&b, "com1\n");
    else if (cfg->log_port == POL_COM2)
        pol_buf_fmt(&b, "com2\n");
    else if (cfg->log_port == 0)
        pol_buf_fmt(&b, "none\n");
    else
        pol_buf_fmt(&b, "0x%x\n", cfg->log_port);
    pol_buf_fmt(&b, "\n");
    store(&b, &cfg->store);
    os_section(&b, &cfg->os[0], 'A');
    os_section(&b, &cfg->os[1], 'B');
    return b.len;
}
