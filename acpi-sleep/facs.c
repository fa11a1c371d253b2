/* SPDX-License-Identifier: MIT */
/*
 * The FACS and its waking vectors (ACPI 6.5 §5.2.10, Table 5.14).
 *
 * An OS stores where it wants to resume before it sleeps; the firmware
 * jumps there on wake. Which field counts (§5.2.10):
 *   - X_Firmware_Waking_Vector, if nonzero: 32-bit protected mode, or
 *     64-bit long mode when the firmware sets 64BIT_WAKE_SUPPORTED_F and
 *     the OS set 64BIT_WAKE_F;
 *   - otherwise Firmware_Waking_Vector, if nonzero: real mode at
 *     CS = vector >> 4, IP = vector & 0xF;
 *   - otherwise no resume: the firmware boots.
 * The VMM keeps each OS's vectors and puts them back whole, so the fields
 * are read and written as a set.
 */
#include "spec.h"
#include "internal.h"

/* No FACS is near this long; a larger length is corruption. */
#define FACS_MAX_LEN (1u << 20)

static enum acpi_status facs_load(const struct acpi_io *io, uint64_t pa, struct facs *f, struct acpi_error *err)
{
    if (!pa)
        return acpi_fail(err, ACPI_E_MISSING, "FACS", "%o: the FADT names none", 0, 0, 0);
    if (!io->read_phys || !io->read_phys(io->ctx, pa, f, sizeof *f))
        return acpi_fail(err, ACPI_E_IO, "FACS", "%o: cannot read %G bytes at %w", pa, sizeof *f, 0);
    if (memcmp(f->signature, "FACS", 4) != 0)
        return acpi_fail(err, ACPI_E_SIGNATURE, "FACS", "%o: table at %w has signature \"%s\"", pa,
                         le32((const uint8_t *)f->signature), 0);
    if (f->length < sizeof *f)
        return acpi_fail(err, ACPI_E_SHORT, "FACS", "%o: length %g shorter than the %x of its layout", pa,
                         f->length, sizeof *f);
    if (f->length > FACS_MAX_LEN)
        return acpi_fail(err, ACPI_E_LONG, "FACS", "%o: length %g larger than the %x this code accepts", pa,
                         f->length, FACS_MAX_LEN);
    return ACPI_OK;
}

enum acpi_status acpi_facs_check(struct acpi_platform *p, const struct acpi_io *io, uint64_t pa,
                                 struct acpi_error *err)
{
    struct facs f;
    enum acpi_status st = facs_load(io, pa, &f, err);

    if (st != ACPI_OK)
        return st;
    if (f.version > FACS_VERSION_MAX)
        acpi_note(p, ACPI_E_REVISION, "FACS", "%o: version %G is newer than ACPI 6.5's %X; read as %X", pa,
                  f.version, FACS_VERSION_MAX);
    if (pa & (FACS_ALIGN - 1))
        acpi_note(p, ACPI_E_RANGE, "FACS", "%o: at %w, not 64-byte aligned as ACPI 6.5 5.2.10 requires", pa, 0, 0);
    p->facs.pa = pa;
    p->facs.length = f.length;
    p->facs.revision = f.version;
    memcpy(p->facs.signature, "FACS", 5);
    p->facs_version = f.version;
    p->facs_flags = f.flags;
    p->facs_hw_signature = f.hw_signature;
    return ACPI_OK;
}

/* The FACS discovery validated; if it found none usable, say why not. */
static enum acpi_status facs_of(const struct acpi_platform *p, const struct acpi_io *io, struct facs *f,
                                struct acpi_error *err)
{
    uint64_t named = p->facs64 ? p->facs64 : p->facs32;

    if (!p->facs.pa && !named)
        return acpi_fail(err, ACPI_E_MISSING, "FADT", "%o: names no FACS (FIRMWARE_CTRL and X_FIRMWARE_CTRL are 0)",
                         0, 0, 0);
    if (!p->facs.pa)
        return acpi_fail(err, ACPI_E_MISSING, "FACS", "%o: the one the FADT names at %w was not usable at discovery",
                         named, 0, 0);
    return facs_load(io, p->facs.pa, f, err);
}

enum acpi_status acpi_facs_get(const struct acpi_platform *p, const struct acpi_io *io,
                               struct acpi_waking_vector *wv, struct acpi_error *err)
{
    struct facs f;
    enum acpi_status st = facs_of(p, io, &f, err);

    if (st != ACPI_OK)
        return st;
    /* Version 0 (ACPI 1.0) has reserved bytes where version 1 put the X_
     * vector, and only version 2 (ACPI 4.0) has OSPM flags. */
    wv->fw = f.firmware_waking_vector;
    wv->x = f.version >= 1 ? f.x_firmware_waking_vector : 0;
    wv->ospm_flags = f.version >= 2 ? f.ospm_flags & ACPI_FACS_OSPM_64BIT_WAKE_F : 0;
    return ACPI_OK;
}

enum acpi_status acpi_facs_set(const struct acpi_platform *p, const struct acpi_io *io,
                               const struct acpi_waking_vector *wv, struct acpi_error *err)
{
    struct facs f;
    enum acpi_status st = facs_of(p, io, &f, err);
    uint64_t pa = p->facs.pa;

    if (st != ACPI_OK)
        return st;
    if (!io->write_phys)
        return acpi_fail(err, ACPI_E_IO, "FACS", "%o: no write_phys callback to store a waking vector", pa, 0, 0);
    if (wv->x && f.version < 1)
        return acpi_fail(err, ACPI_E_REVISION, "FACS", "%o: version %G has no X_Firmware_Waking_Vector to hold %x",
                         pa, f.version, wv->x);
    if ((wv->ospm_flags & ACPI_FACS_OSPM_64BIT_WAKE_F) && f.version < 2)
        return acpi_fail(err, ACPI_E_REVISION, "FACS", "%o: version %G has no OSPM flags to hold 64BIT_WAKE_F", pa,
                         f.version, 0);

    uint32_t fw = wv->fw;

    if (!io->write_phys(io->ctx, pa + offsetof(struct facs, firmware_waking_vector), &fw, sizeof fw))
        return acpi_fail(err, ACPI_E_IO, "FACS", "%o: cannot write Firmware_Waking_Vector at %w",
                         pa + offsetof(struct facs, firmware_waking_vector), 0, 0);
    if (f.version >= 1) {
        uint64_t x = wv->x;

        if (!io->write_phys(io->ctx, pa + offsetof(struct facs, x_firmware_waking_vector), &x, sizeof x))
            return acpi_fail(err, ACPI_E_IO, "FACS", "%o: cannot write X_Firmware_Waking_Vector at %w",
                             pa + offsetof(struct facs, x_firmware_waking_vector), 0, 0);
    }
    if (f.version >= 2) {
        /* Only bit 0 is defined; the reserved bits stay as firmware left them. */
        uint32_t o = (f.ospm_flags & ~ACPI_FACS_OSPM_64BIT_WAKE_F) |
                     (wv->ospm_flags & ACPI_FACS_OSPM_64BIT_WAKE_F);

        if (!io->write_phys(io->ctx, pa + offsetof(struct facs, ospm_flags), &o, sizeof o))
            return acpi_fail(err, ACPI_E_IO, "FACS", "%o: cannot write OSPM Flags at %w",
                             pa + offsetof(struct facs, ospm_flags), 0, 0);
    }
    return ACPI_OK;
}

enum acpi_wake_mode acpi_wake_mode(uint32_t facs_flags, uint8_t facs_version,
                                   const struct acpi_waking_vector *wv, uint64_t *entry)
{
    if (facs_version >= 1 && wv->x) {
        *entry = wv->x;
        if (facs_version >= 2 && (facs_flags & ACPI_FACS_64BIT_WAKE_SUPPORTED_F) &&
            (wv->ospm_flags & ACPI_FACS_OSPM_64BIT_WAKE_F))
            return ACPI_WAKE_LONG64;
        return ACPI_WAKE_PROTECTED32;
    }
    if (wv->fw) {
        *entry = wv->fw;
        return ACPI_WAKE_REAL;
    }
    *entry = 0;
    return ACPI_WAKE_NONE;
}

const char *acpi_wake_mode_name(enum acpi_wake_mode m)
{
    switch (m) {
    case ACPI_WAKE_NONE: return "none";
    case ACPI_WAKE_REAL: return "real mode";
    case ACPI_WAKE_PROTECTED32: return "32-bit protected mode";
    case ACPI_WAKE_LONG64: return "64-bit long mode";
    }
    return "?";
}
