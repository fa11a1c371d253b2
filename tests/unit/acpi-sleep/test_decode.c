/* SPDX-License-Identifier: MIT */
/*
 * The sleep-write decoder: PM1a then PM1b, byte-wide writes, memory-mapped
 * and hardware-reduced registers, values that match no state.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "helpers.h"

#define IO ACPI_SPACE_IO
#define MEM ACPI_SPACE_MEMORY

static enum acpi_decode w(struct fx *f, struct acpi_decoder *d, uint8_t space, uint64_t addr, unsigned size,
                          uint64_t v, struct acpi_sleep_event *ev)
{
    return acpi_decode_write(&f->p, d, space, addr, size, v, ev);
}

/* PM1_CNT with SLP_TYP = typ and SLP_EN (ACPI 6.5 Table 4.13). */
static uint16_t cnt(unsigned typ, bool en)
{
    return (uint16_t)(typ << 10 | (en ? 1u << 13 : 0) | 1);
}

Test(acpi_decode, pm1a_then_pm1b)
{
    static struct fx f;
    struct acpi_decoder d;
    struct acpi_sleep_event ev;

    fx_load(&f, "pm1b", 0);
    acpi_decoder_init(&d);
    /* ACPICA: both registers get SLP_TYP first, then SLP_TYP|SLP_EN, PM1a first. */
    cr_expect_eq(w(&f, &d, IO, 0x404, 2, cnt(5, false), &ev), ACPI_DEC_NONE);
    cr_expect_eq(w(&f, &d, IO, 0x504, 2, cnt(1, false), &ev), ACPI_DEC_NONE);
    cr_expect_eq(ev.touched, 1u << ACPI_REG_PM1B_CNT);
    cr_assert_eq(w(&f, &d, IO, 0x404, 2, cnt(5, true), &ev), ACPI_DEC_PENDING);
    cr_assert_eq(w(&f, &d, IO, 0x504, 2, cnt(1, true), &ev), ACPI_DEC_SLEEP);
    cr_expect_eq(ev.state, 3);
    cr_expect_eq(ev.slp_typa, 5);
    cr_expect_eq(ev.slp_typb, 1);
    cr_expect_eq(ev.pm1a_value, cnt(5, true));
    cr_expect_eq(ev.pm1b_value, cnt(1, true));
    cr_expect_eq(ev.regs, (1u << ACPI_REG_PM1A_CNT) | (1u << ACPI_REG_PM1B_CNT));

    /* The other order works too, and the held state was cleared. */
    cr_assert_eq(w(&f, &d, IO, 0x504, 2, cnt(3, true), &ev), ACPI_DEC_PENDING);
    cr_assert_eq(w(&f, &d, IO, 0x404, 2, cnt(7, true), &ev), ACPI_DEC_SLEEP);
    cr_expect_eq(ev.state, 5);

    /* SLP_TYPa of S3 with SLP_TYPb of S4 matches no state. */
    cr_assert_eq(w(&f, &d, IO, 0x404, 2, cnt(5, true), &ev), ACPI_DEC_PENDING);
    cr_assert_eq(w(&f, &d, IO, 0x504, 2, cnt(2, true), &ev), ACPI_DEC_SLEEP);
    cr_expect_eq(ev.state, ACPI_STATE_UNKNOWN);
    cr_expect_eq(ev.states, 0);

    /* A held PM1a taken back (SLP_EN cleared) does not pair with a later PM1b. */
    cr_assert_eq(w(&f, &d, IO, 0x404, 2, cnt(5, true), &ev), ACPI_DEC_PENDING);
    cr_expect_eq(w(&f, &d, IO, 0x404, 2, cnt(5, false), &ev), ACPI_DEC_NONE);
    cr_expect_eq(w(&f, &d, IO, 0x504, 2, cnt(1, true), &ev), ACPI_DEC_PENDING);
    fx_free(&f);
}

Test(acpi_decode, byte_writes_to_a_byte_access_register)
{
    static struct fx f;
    struct acpi_decoder d;
    struct acpi_sleep_event ev;

    fx_load(&f, "mmio-pm1", 0);
    acpi_decoder_init(&d);
    /* The GAS says byte access: ACPICA writes 0x3401 as 0x01 then 0x34. */
    cr_expect_eq(w(&f, &d, MEM, 0xfed80004, 1, 0x01, &ev), ACPI_DEC_NONE);
    cr_expect_eq(ev.touched, 1u << ACPI_REG_PM1A_CNT);
    cr_assert_eq(w(&f, &d, MEM, 0xfed80005, 1, 0x34, &ev), ACPI_DEC_SLEEP);
    cr_expect_eq(ev.state, 3);
    cr_expect_eq(ev.pm1a_value, 0x3401);
    /* The same write as one word, and as the high half of a dword at the
     * event block's enable register (bytes 2-5 cover PM1a_EN and PM1a_CNT). */
    cr_assert_eq(w(&f, &d, MEM, 0xfed80004, 2, 0x3801, &ev), ACPI_DEC_SLEEP);
    cr_expect_eq(ev.state, 4);
    cr_assert_eq(w(&f, &d, MEM, 0xfed80002, 4, 0x3c010000, &ev), ACPI_DEC_SLEEP);
    cr_expect_eq(ev.state, 5);
    cr_expect_eq(ev.touched, (1u << ACPI_REG_PM1A_EN) | (1u << ACPI_REG_PM1A_CNT));
    /* Only the low byte (SCI_EN ...): nothing. An 8-byte write that ends
     * just before the register: nothing. */
    cr_expect_eq(w(&f, &d, MEM, 0xfed80004, 1, 0xff, &ev), ACPI_DEC_NONE);
    cr_expect_eq(w(&f, &d, MEM, 0xfed7fffc, 8, ~0ull, &ev), ACPI_DEC_NONE);
    cr_expect_eq(ev.touched, (1u << ACPI_REG_PM1A_STS) | (1u << ACPI_REG_PM1A_EN));
    fx_free(&f);
}

Test(acpi_decode, only_the_slp_en_byte)
{
    static struct fx f;
    struct acpi_decoder d;
    struct acpi_sleep_event ev;

    fx_load(&f, "common", 0);
    acpi_decoder_init(&d);
    /* An outb to PM1a_CNT+1: SLP_TYP and SLP_EN share that byte. */
    cr_assert_eq(w(&f, &d, IO, 0x405, 1, 0x34, &ev), ACPI_DEC_SLEEP);
    cr_expect_eq(ev.state, 3);
    cr_expect_eq(ev.pm1a_value, 0x3400, "the low byte was never written: it reads as 0");
    /* SLP_EN with type 0, which no state of this platform has: still a
     * sleep request (the hardware acts on it), of unknown state. */
    cr_assert_eq(w(&f, &d, IO, 0x405, 1, 0x20, &ev), ACPI_DEC_SLEEP);
    cr_expect_eq(ev.state, ACPI_STATE_UNKNOWN);
    cr_expect_eq(ev.slp_typa, 0);
    fx_free(&f);
}

Test(acpi_decode, hardware_reduced_sleep_control)
{
    static struct fx f;
    struct acpi_decoder d;
    struct acpi_sleep_event ev;

    fx_load(&f, "hw-reduced", 0);
    acpi_decoder_init(&d);
    /* SLEEP_CONTROL: SLP_TYPx bits 2-4, SLP_EN bit 5 (ACPI 6.5 4.8.3.7). */
    cr_assert_eq(w(&f, &d, MEM, 0xfe000100, 1, 3 << 2 | 1 << 5, &ev), ACPI_DEC_SLEEP);
    cr_expect_eq(ev.state, 3);
    cr_expect_eq(ev.regs, 1u << ACPI_REG_SLEEP_CONTROL);
    cr_expect_eq(ev.sleep_control_value, 0x2c);
    cr_assert_eq(w(&f, &d, MEM, 0xfe000100, 1, 5 << 2 | 1 << 5, &ev), ACPI_DEC_SLEEP);
    cr_expect_eq(ev.state, 5);
    cr_expect_eq(w(&f, &d, MEM, 0xfe000100, 1, 5 << 2, &ev), ACPI_DEC_NONE);
    cr_expect_eq(w(&f, &d, MEM, 0xfe000101, 1, 0x80, &ev), ACPI_DEC_NONE);
    cr_expect_eq(ev.touched, 1u << ACPI_REG_SLEEP_STATUS);
    fx_free(&f);
}

/* A platform built here: S4 and S5 share SLP_TYP, S3 is conditional. */
Test(acpi_decode, shared_and_conditional_values)
{
    static struct acpi_platform p;
    struct acpi_decoder d;
    struct acpi_sleep_event ev;

    memset(&p, 0, sizeof p);
    p.pm1a_cnt = (struct acpi_reg){.address = 0x1804, .space = IO, .size = 2, .access = 2};
    p.sx[4] = (struct acpi_sx){.kind = ACPI_SX_FIXED, .n = 1, .def = {{.slp_typa = 7, .slp_typb = 7}}};
    p.sx[5] = p.sx[4];
    p.sx[3] = (struct acpi_sx){.kind = ACPI_SX_CONDITIONAL, .n = 2,
                               .def = {{.slp_typa = 5, .flags = ACPI_SXD_CONDITIONAL},
                                       {.slp_typa = 1, .flags = ACPI_SXD_CONDITIONAL}}};
    p.sx[1] = (struct acpi_sx){.kind = ACPI_SX_FIXED, .n = 1, .def = {{.slp_typa = 1, .flags = ACPI_SXD_INVALID}}};
    acpi_decoder_init(&d);
    cr_assert_eq(acpi_decode_write(&p, &d, IO, 0x1804, 2, cnt(7, true), &ev), ACPI_DEC_SLEEP);
    cr_expect_eq(ev.states, (1u << 4) | (1u << 5));
    cr_expect_eq(ev.state, 5, "the deepest of the matching states");
    cr_assert_eq(acpi_decode_write(&p, &d, IO, 0x1804, 2, cnt(1, true), &ev), ACPI_DEC_SLEEP);
    cr_expect_eq(ev.states, 1u << 3, "a candidate matches; an invalid definition does not");
    /* Odd sizes are not writes the decoder knows. */
    cr_expect_eq(acpi_decode_write(&p, &d, IO, 0x1804, 3, cnt(7, true), &ev), ACPI_DEC_NONE);
}
