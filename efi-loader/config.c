/* TEMPORARY: a minimal key=value reader until policy's parser lands. */
#include "config.h"

#include <efilib.h>

#include "../vmm/lib/fmt.h"
#include "files.h"

#define CONF_PATH L"\\EFI\\sleepmux\\sleepmux.conf"

static int eq(const char *a, size_t n, const char *b)
{
    size_t i = 0;
    for (; i < n && b[i]; i++)
        if (a[i] != b[i])
            return 0;
    return i == n && !b[i];
}

static void copy(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        dst[i] = s[i];
    dst[n] = 0;
}

static uint64_t num(const char *s, size_t n)
{
    uint64_t v = 0;
    int base = 10;
    size_t i = 0;
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        base = 16, i = 2;
    for (; i < n; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
        if (d >= base)
            break;
        v = v * (uint64_t)base + (uint64_t)d;
    }
    return v;
}

EFI_STATUS loader_config_load(EFI_HANDLE device, struct loader_config *c, char *err, UINTN errlen)
{
    char *text;
    UINTN size;
    EFI_STATUS st = loader_read_file(device, CONF_PATH, (void **)&text, &size);

    SetMem(c, sizeof *c, 0);
    c->vmm_enabled = 1;
    c->vmm_mib = 32;
    if (EFI_ERROR(st)) {
        smx_snprintf(err, errlen, "cannot read \\EFI\\sleepmux\\sleepmux.conf");
        return st;
    }
    size_t i = 0;
    while (i < size) {
        size_t ls = i;
        while (i < size && text[i] != '\n')
            i++;
        size_t le = i++;
        while (le > ls && (text[le - 1] == '\r' || text[le - 1] == ' '))
            le--;
        while (ls < le && text[ls] == ' ')
            ls++;
        if (ls == le || text[ls] == '#')
            continue;
        size_t k = ls;
        while (k < le && text[k] != '=')
            k++;
        if (k == le)
            continue;
        size_t ke = k, vs = k + 1;
        while (ke > ls && text[ke - 1] == ' ')
            ke--;
        while (vs < le && text[vs] == ' ')
            vs++;
        const char *key = text + ls, *val = text + vs;
        size_t kn = ke - ls, vn = le - vs;
        if (eq(key, kn, "os.loader"))
            copy(c->os_loader, sizeof c->os_loader, val, vn);
        else if (eq(key, kn, "os.args"))
            copy(c->os_args, sizeof c->os_args, val, vn);
        else if (eq(key, kn, "os.name"))
            copy(c->os_name, sizeof c->os_name, val, vn);
        else if (eq(key, kn, "vmm"))
            c->vmm_enabled = eq(val, vn, "on");
        else if (eq(key, kn, "vmm.memory"))
            c->vmm_mib = num(val, vn);
        else if (eq(key, kn, "log.port"))
            c->log_port = (uint16_t)num(val, vn);
        else if (eq(key, kn, "debug.exits"))
            c->flags |= eq(val, vn, "on") ? 1 : 0;
    }
    FreePool(text);
    return EFI_SUCCESS;
}
