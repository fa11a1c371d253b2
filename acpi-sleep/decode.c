/* SPDX-License-Identifier: MIT */
/*
 * Turning one intercepted guest write into a sleep request (ACPI 6.5
 * §4.8.3.2.1 PM1 Control, §4.8.3.7 Sleep Control, §7.4.2 \_Sx_).
 *
 * An OS enters Sx by writing SLP_TYPx and SLP_EN to PM1a_CNT and, on
 * platforms that have one, PM1b_CNT (ACPICA writes PM1a first); on a
 * hardware-reduced platform by writing SLP_TYPa and SLP_EN to the sleep
 * control register. The decoder keeps what it has seen of each register's
 * sleep bits, because the type and the enable bit may arrive in different
 * accesses (ACPICA writes SLP_TYP alone first, and a 16-bit register whose
 * GAS says byte access as two byte writes), and holds a PM1a (or PM1b)
 * request until its twin arrives.
 */
#include "spec.h"
#include "internal.h"

enum { SLOT_PM1A, SLOT_PM1B, SLOT_SLEEP, SLOTS };

static const uint8_t slot_reg[SLOTS] = {ACPI_REG_PM1A_CNT, ACPI_REG_PM1B_CNT, ACPI_REG_SLEEP_CONTROL};

void acpi_decoder_init(struct acpi_decoder *d)
{
    memset(d, 0, sizeof *d);
}

/* The bytes of the write that fall on register r, as the register's value
 * (*mask says which bits the write set). */
static bool overlap(const struct acpi_reg *r, uint8_t space, uint64_t address, unsigned size, uint64_t value,
                    uint64_t *img, uint64_t *mask)
{
    *img = *mask = 0;
    if (!r->address || r->space != space || !r->size)
        return false;
    for (unsigned i = 0; i < size; i++) {
        uint64_t at = address + i;

        if (at < r->address || at - r->address >= r->size || at - r->address >= 8)
            continue;
        unsigned off = (unsigned)(at - r->address);

        *img |= ((value >> (8 * i)) & 0xff) << (8 * off);
        *mask |= 0xffull << (8 * off);
    }
    if (!*mask)
        return false;
    *img >>= r->bit_offset;
    *mask >>= r->bit_offset;
    return true;
}

/* Which states' \_Sx_ values match (slp_typb only where PM1b takes part). */
static void match(const struct acpi_platform *p, struct acpi_sleep_event *ev, bool with_b)
{
    ev->states = 0;
    ev->state = ACPI_STATE_UNKNOWN;
    for (unsigned s = 0; s < 6; s++) {
        const struct acpi_sx *sx = &p->sx[s];
        unsigned n = sx->kind == ACPI_SX_FIXED ? 1 : sx->kind == ACPI_SX_CONDITIONAL ? sx->n : 0;

        for (unsigned i = 0; i < n; i++) {
            const struct acpi_sxdef *def = &sx->def[i];

            if (def->flags & ACPI_SXD_INVALID)
                continue;
            if ((def->slp_typa & 7) == ev->slp_typa && (!with_b || (def->slp_typb & 7) == ev->slp_typb))
                ev->states |= (uint8_t)(1u << s);
        }
    }
    /* Several states may share values (S4 and S5 often do): report the
     * deepest, which is what the hardware will do either way. */
    for (unsigned s = 6; s-- > 0;)
        if (ev->states & (1u << s)) {
            ev->state = (uint8_t)s;
            break;
        }
}

/* SLP_EN was set but no write showed the type bits: the hardware sleeps
 * in whatever state the register held, which the decoder cannot know. */
static void unknown_type(struct acpi_sleep_event *ev)
{
    ev->state = ACPI_STATE_UNKNOWN;
    ev->states = 0;
}

enum acpi_decode acpi_decode_write(const struct acpi_platform *p, struct acpi_decoder *d,
                                   uint8_t space, uint64_t address, unsigned size, uint64_t value,
                                   struct acpi_sleep_event *ev)
{
    enum acpi_decode result = ACPI_DEC_NONE;
    uint64_t img, mask;

    memset(ev, 0, sizeof *ev);
    ev->state = ACPI_STATE_UNKNOWN;
    if (size != 1 && size != 2 && size != 4 && size != 8)
        return ACPI_DEC_NONE;
    for (unsigned id = 0; id < ACPI_REG_COUNT; id++)
        if (overlap(acpi_platform_reg(p, (enum acpi_reg_id)id), space, address, size, value, &img, &mask))
            ev->touched |= (uint8_t)(1u << id);

    for (unsigned k = 0; k < SLOTS; k++) {
        if (!(ev->touched & (1u << slot_reg[k])))
            continue;
        overlap(acpi_platform_reg(p, (enum acpi_reg_id)slot_reg[k]), space, address, size, value, &img, &mask);
        bool pm1 = k != SLOT_SLEEP;
        uint16_t en = pm1 ? PM1_CNT_SLP_EN : SLEEP_CNT_SLP_EN;
        uint16_t typ_mask = pm1 ? PM1_CNT_SLP_TYP_MASK : SLEEP_CNT_SLP_TYP_MASK;
        unsigned shift = pm1 ? PM1_CNT_SLP_TYP_SHIFT : SLEEP_CNT_SLP_TYP_SHIFT;

        d->value[k] = (uint16_t)((d->value[k] & ~mask) | (img & mask));
        d->known[k] |= (uint16_t)mask;
        if (!(mask & en))
            continue;
        if (!(img & en)) {
            if (k != SLOT_SLEEP)
                d->held &= (uint8_t)~(1u << k);     /* a held request taken back */
            continue;
        }

        /* SLP_EN set: the hardware latches SLP_TYP as the register holds it. */
        bool typ_known = (d->known[k] & typ_mask) == typ_mask;
        uint8_t typ = (uint8_t)((d->value[k] & typ_mask) >> shift);

        if (k == SLOT_SLEEP) {
            ev->regs = 1u << ACPI_REG_SLEEP_CONTROL;
            ev->slp_typa = typ;
            ev->sleep_control_value = (uint8_t)d->value[k];
            match(p, ev, false);
            if (!typ_known)
                unknown_type(ev);
            return ACPI_DEC_SLEEP;
        }
        d->held |= (uint8_t)(1u << k);
        d->held_value[k] = d->value[k];
        bool has_b = p->pm1b_cnt.address != 0;

        if (has_b && d->held != 3) {
            result = ACPI_DEC_PENDING;
            continue;
        }
        ev->regs = (uint8_t)(1u << ACPI_REG_PM1A_CNT) | (has_b ? (uint8_t)(1u << ACPI_REG_PM1B_CNT) : 0);
        ev->pm1a_value = d->held_value[SLOT_PM1A];
        ev->pm1b_value = has_b ? d->held_value[SLOT_PM1B] : 0;
        ev->slp_typa = (uint8_t)((ev->pm1a_value & PM1_CNT_SLP_TYP_MASK) >> PM1_CNT_SLP_TYP_SHIFT);
        ev->slp_typb = has_b ? (uint8_t)((ev->pm1b_value & PM1_CNT_SLP_TYP_MASK) >> PM1_CNT_SLP_TYP_SHIFT) : 0;
        match(p, ev, has_b);
        if ((d->known[SLOT_PM1A] & typ_mask) != typ_mask ||
            (has_b && (d->known[SLOT_PM1B] & typ_mask) != typ_mask))
            unknown_type(ev);
        d->held = 0;
        return ACPI_DEC_SLEEP;
    }
    return result;
}
