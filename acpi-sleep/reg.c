/* SPDX-License-Identifier: MIT */
/*
 * Reading and writing a register described by a GAS (ACPI 6.5 §5.2.3.2):
 * I/O port or memory, in accesses of its access size, bit offset applied.
 */
#include "internal.h"

static enum acpi_status one(const struct acpi_io *io, const struct acpi_reg *r, const char *name, uint64_t addr,
                            unsigned size, uint64_t *v, bool write, struct acpi_error *err)
{
    if (r->space == ACPI_SPACE_IO) {
        uint32_t x = (uint32_t)*v;

        if (size > 4 || addr + size > 0x10000)
            return acpi_fail(err, ACPI_E_WIDTH, name, "%o: %G-byte access at port %w is not possible", addr, size, 0);
        if (write ? !io->port_out : !io->port_in)
            return acpi_fail(err, ACPI_E_IO, name, "%o: no port I/O callback for port %w", addr, 0, 0);
        bool ok = write ? io->port_out(io->ctx, (uint16_t)addr, size, x)
                        : io->port_in(io->ctx, (uint16_t)addr, size, &x);

        if (!ok)
            return acpi_fail(err, ACPI_E_IO, name, write ? "%o: writing port %w failed" : "%o: reading port %w failed",
                             addr, 0, 0);
        *v = x;
        return ACPI_OK;
    }
    if (r->space == ACPI_SPACE_MEMORY) {
        uint8_t b[8] = {0};

        if (write ? !io->write_phys : !io->read_phys)
            return acpi_fail(err, ACPI_E_IO, name, "%o: no physical memory callback for %w", addr, 0, 0);
        if (write) {
            for (unsigned i = 0; i < size; i++)
                b[i] = (uint8_t)(*v >> (8 * i));
            if (!io->write_phys(io->ctx, addr, b, size))
                return acpi_fail(err, ACPI_E_IO, name, "%o: writing memory at %w failed", addr, 0, 0);
            return ACPI_OK;
        }
        if (!io->read_phys(io->ctx, addr, b, size))
            return acpi_fail(err, ACPI_E_IO, name, "%o: reading memory at %w failed", addr, 0, 0);
        *v = le64(b);
        return ACPI_OK;
    }
    return acpi_fail(err, ACPI_E_SPACE, name, "%o: address space %g is neither memory nor I/O", addr, r->space, 0);
}

static enum acpi_status check(const struct acpi_reg *r, const char *name, struct acpi_error *err)
{
    if (!r->address)
        return acpi_fail(err, ACPI_E_MISSING, name, "%o: not present on this platform", 0, 0, 0);
    if (!r->size || r->size > 8 || !r->access || r->access > 8 || r->size % r->access || r->bit_offset >= 64)
        return acpi_fail(err, ACPI_E_WIDTH, name, "%o: %G bytes in accesses of %X cannot be handled", r->address,
                         r->size, r->access);
    return ACPI_OK;
}

enum acpi_status acpi_reg_read(const struct acpi_io *io, const struct acpi_reg *r, const char *name,
                               uint64_t *value, struct acpi_error *err)
{
    enum acpi_status st = check(r, name, err);
    uint64_t v = 0;

    if (st != ACPI_OK)
        return st;
    for (unsigned off = 0; off < r->size; off += r->access) {
        uint64_t part = 0;

        if ((st = one(io, r, name, r->address + off, r->access, &part, false, err)) != ACPI_OK)
            return st;
        v |= part << (8 * off);
    }
    *value = v >> r->bit_offset;
    return ACPI_OK;
}

enum acpi_status acpi_reg_write(const struct acpi_io *io, const struct acpi_reg *r, const char *name,
                                uint64_t value, struct acpi_error *err)
{
    enum acpi_status st = check(r, name, err);
    uint64_t v = value << r->bit_offset;

    if (st != ACPI_OK)
        return st;
    for (unsigned off = 0; off < r->size; off += r->access) {
        uint64_t part = (v >> (8 * off)) & (r->access == 8 ? ~0ull : (1ull << (8 * r->access)) - 1);

        if ((st = one(io, r, name, r->address + off, r->access, &part, true, err)) != ACPI_OK)
            return st;
    }
    return ACPI_OK;
}
