/* SPDX-License-Identifier: MIT */
/*
 * The air gap's decisions (vmm/core/pci_filter.c): which function a
 * CONFIG_DATA access of every size and offset reaches, the ECAM window of
 * QEMU q35's real MCFG (tests/fixtures/acpi-sleep/q35, as OVMF installs
 * it), what a hidden function reads as, BAR decoding of the kinds a
 * function has (e1000e's four BARs as QEMU implements them), and which
 * functions cannot be hidden.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../../../vmm/core/pci_filter.h"
#include "../acpi-sleep/helpers.h"

Test(pci_filter, cf8_every_offset_reaches_the_addressed_register)
{
    /* bus 0x12, device 0x1f, function 5, dword register 0x44 */
    uint32_t ca = PCIF_CA_ENABLE | 0x12u << 16 | 0x1fu << 11 | 5u << 8 | 0x44;
    struct pcif_loc l;

    for (uint16_t port = PCIF_CONFIG_DATA; port < PCIF_CONFIG_DATA + 4; port++) {
        cr_assert(pcif_cf8_target(ca, port, &l));
        cr_assert_eq(l.bus, 0x12);
        cr_assert_eq(l.devfn, 0x1f << 3 | 5);
        cr_assert_eq(l.reg, 0x44 + (port & 3), "port %#x reaches reg %#x", port, l.reg);
        cr_assert_eq(l.segment, 0);
    }
    /* The two low bits of CONFIG_ADDRESS are not part of the register. */
    cr_assert(pcif_cf8_target(ca | 3, PCIF_CONFIG_DATA + 2, &l));
    cr_assert_eq(l.reg, 0x46);
}

Test(pci_filter, cf8_without_the_enable_bit_is_not_a_configuration_access)
{
    struct pcif_loc l = { .bus = 0x77 };

    cr_assert_not(pcif_cf8_target(0x7fffff00u, PCIF_CONFIG_DATA, &l));
    cr_assert_eq(l.bus, 0x77, "the target is left alone");
}

Test(pci_filter, absent_reads_are_all_ones_of_the_access_size)
{
    cr_assert_eq(pcif_absent_value(1), 0xffu);
    cr_assert_eq(pcif_absent_value(2), 0xffffu);
    cr_assert_eq(pcif_absent_value(4), 0xffffffffu);
    cr_assert_eq(pcif_absent_value(8), ~0ull);
}

Test(pci_filter, hidden_matches_segment_bus_device_function)
{
    struct pol_pci list[] = { { 0, 0x00, 0x03 << 3 }, { 1, 0x02, 0x00 << 3 | 1 } };

    cr_assert(pcif_hidden(list, 2, 0, 0, 0x03 << 3));
    cr_assert_not(pcif_hidden(list, 2, 0, 0, 0x03 << 3 | 1), "another function of the device");
    cr_assert_not(pcif_hidden(list, 2, 0, 1, 0x03 << 3), "the same device on another bus");
    cr_assert(pcif_hidden(list, 2, 1, 2, 1));
    cr_assert_not(pcif_hidden(list, 2, 0, 2, 1), "the same function in another segment");
    cr_assert_not(pcif_hidden(list, 0, 0, 0, 0x03 << 3), "an empty list hides nothing");
}

Test(pci_filter, quiesced_command_clears_decoding_and_mastering_only)
{
    cr_assert_eq(pcif_quiesced(0x0507), 0x0500); /* INTx off and SERR# stay */
    cr_assert_eq(pcif_quiesced(0x0000), 0x0000);
    cr_assert_eq(pcif_quiesced(0xffff), 0xfff8);
}

/* The MCFG of the real q35 dump, as bytes. */
static size_t q35_mcfg(uint8_t *out, size_t max)
{
    char path[4096], err[256];
    struct acpimem m;

    acpimem_init(&m);
    snprintf(path, sizeof path, "%s/tests/fixtures/acpi-sleep/q35/acpidump.txt", fx_root());
    cr_assert_eq(acpimem_load_acpidump(&m, path, err, sizeof err), 0, "%s", err);
    size_t len = 0;
    for (size_t i = 0; i < m.n; i++)
        if (!strcmp(m.r[i].label, "MCFG")) {
            cr_assert(m.r[i].len <= max);
            memcpy(out, m.r[i].data, m.r[i].len);
            len = m.r[i].len;
        }
    acpimem_free(&m);
    cr_assert(len, "the q35 dump has an MCFG");
    return len;
}

Test(pci_filter, q35_mcfg_is_one_window_of_256_buses_at_0xb0000000)
{
    uint8_t t[256];
    size_t len = q35_mcfg(t, sizeof t);
    struct pcif_ecam e[4];
    unsigned n;

    cr_assert_eq(pcif_mcfg_parse(t, len, e, 4, &n), PCIF_MCFG_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(e[0].base, 0xb0000000ull);
    cr_assert_eq(e[0].segment, 0);
    cr_assert_eq(e[0].bus_start, 0);
    cr_assert_eq(e[0].bus_end, 0xff);
}

Test(pci_filter, mcfg_damage_is_named)
{
    uint8_t t[256], b[256];
    size_t len = q35_mcfg(t, sizeof t);
    struct pcif_ecam e[4];
    unsigned n = 9;

    cr_assert_eq(pcif_mcfg_parse(t, 40, e, 4, &n), PCIF_MCFG_SHORT);
    cr_assert_eq(n, 0);
    cr_assert_eq(pcif_mcfg_parse(t, len - 1, e, 4, &n), PCIF_MCFG_SHORT, "length field past the bytes read");
    memcpy(b, t, len);
    b[0] = 'X';
    cr_assert_eq(pcif_mcfg_parse(b, len, e, 4, &n), PCIF_MCFG_SIGNATURE);
    memcpy(b, t, len);
    b[PCIF_MCFG_HEADER] ^= 0x10; /* a base no longer on 1 MiB ... and a checksum off */
    cr_assert_eq(pcif_mcfg_parse(b, len, e, 4, &n), PCIF_MCFG_CHECKSUM);
    b[9] = (uint8_t)(b[9] - 0x10); /* checksum fixed: now the entry itself is refused */
    cr_assert_eq(pcif_mcfg_parse(b, len, e, 4, &n), PCIF_MCFG_BAD_ENTRY);
    memcpy(b, t, len);
    /* buses 80..7f: the bytes sum as 00..ff did, so only the entry is wrong */
    b[PCIF_MCFG_HEADER + 10] = 0x80, b[PCIF_MCFG_HEADER + 11] = 0x7f;
    cr_assert_eq(pcif_mcfg_parse(b, len, e, 4, &n), PCIF_MCFG_BAD_ENTRY);
    memcpy(b, t, len);
    b[4] = (uint8_t)(len - 4); /* 56: not 44 + a multiple of 16 */
    b[9] = (uint8_t)(b[9] + 4);
    cr_assert_eq(pcif_mcfg_parse(b, len, e, 4, &n), PCIF_MCFG_RAGGED);
    cr_assert_eq(pcif_mcfg_parse(t, len, e, 0, &n), PCIF_MCFG_TOO_MANY);
    cr_assert_str_eq(pcif_mcfg_error(PCIF_MCFG_CHECKSUM), "checksum does not sum to 0");
}

Test(pci_filter, ecam_addresses_name_bus_device_function_register)
{
    struct pcif_ecam e = { 0xb0000000ull, 0, 0, 0xff };
    struct pcif_loc l;

    /* 00:03.0 at e1000e's place on the test machine, register 0x04 (command) */
    cr_assert_eq(pcif_ecam_page(&e, 0, 3 << 3), 0xb0018000ull);
    cr_assert(pcif_ecam_target(&e, 0xb0018004ull, &l));
    cr_assert(l.bus == 0 && l.devfn == 3 << 3 && l.reg == 4);
    /* extended space: 01:1f.7, register 0xffe */
    cr_assert(pcif_ecam_target(&e, 0xb0000000ull + (1 << 20) + (0x1f << 15) + (7 << 12) + 0xffe, &l));
    cr_assert(l.bus == 1 && l.devfn == (0x1f << 3 | 7) && l.reg == 0xffe);
    cr_assert_not(pcif_ecam_target(&e, 0xc0000000ull, &l), "one past the window");
    cr_assert_not(pcif_ecam_target(&e, 0xafffffffull, &l));

    /* A window that starts at bus 0x40: its base is bus 0x40's. */
    struct pcif_ecam w = { 0xe0000000ull, 2, 0x40, 0x4f };
    cr_assert_eq(pcif_ecam_page(&w, 0x3f, 0), 0);
    cr_assert_eq(pcif_ecam_page(&w, 0x50, 0), 0);
    cr_assert_eq(pcif_ecam_page(&w, 0x41, 1), 0xe0100000ull + 0x1000);
    cr_assert(pcif_ecam_target(&w, 0xe0100000ull + 0x1000 + 0x10, &l));
    cr_assert(l.segment == 2 && l.bus == 0x41 && l.devfn == 1 && l.reg == 0x10);
    cr_assert_not(pcif_ecam_target(&w, 0xe1000000ull, &l), "16 buses, 16 MiB");
}

/* e1000e as QEMU 7.2 builds it (hw/net/e1000e.c): BAR0 128 KiB memory,
 * BAR1 128 KiB flash memory, BAR2 32-byte I/O, BAR3 16 KiB MSI-X memory,
 * all 32-bit; the values as OVMF assigns them on the test machine. */
Test(pci_filter, e1000e_bars)
{
    struct pcif_bar b = pcif_bar_decode(0xc1040000u, 0xfffe0000u, 0, 0, true);
    cr_assert(!b.io && !b.is64 && b.base == 0xc1040000u && b.size == 128 << 10 && b.slots == 1);
    b = pcif_bar_decode(0x00006061u, 0xffffffe1u, 0, 0, true);
    cr_assert(b.io && b.base == 0x6060 && b.size == 32, "io %d base %#llx size %llu", b.io,
              (unsigned long long)b.base, (unsigned long long)b.size);
    b = pcif_bar_decode(0xc1060000u, 0xffffc000u, 0, 0, true);
    cr_assert(b.size == 16 << 10);
}

Test(pci_filter, bar_kinds)
{
    /* 64-bit prefetchable 8 GiB BAR above 4 GiB */
    struct pcif_bar b = pcif_bar_decode(0x0000000cu, 0x0000000cu, 0x00000008u, 0xfffffffeu, true);
    cr_assert(b.is64 && b.prefetch && b.slots == 2 && b.base == 0x800000000ull && b.size == 8ull << 30);
    /* 64-bit BAR in the last slot: taken as 32-bit, one slot */
    b = pcif_bar_decode(0xfe000004u, 0xfff00004u, 0, 0, false);
    cr_assert(!b.is64 && b.slots == 1 && b.size == 1 << 20);
    /* unimplemented BAR: reads back zero */
    b = pcif_bar_decode(0, 0, 0, 0, true);
    cr_assert_eq(b.size, 0);
    /* I/O BAR whose upper 16 bits read back as zero */
    b = pcif_bar_decode(0x0000c001u, 0x0000ff01u, 0, 0, true);
    cr_assert(b.io && b.size == 256 && b.base == 0xc000);
    /* expansion ROM: 256 KiB at 0xfeb80000, enable bit set */
    b = pcif_rom_decode(0xfeb80001u, 0xfffc0001u);
    cr_assert(b.base == 0xfeb80000u && b.size == 256 << 10);
    cr_assert_eq(pcif_rom_decode(0, 0).size, 0);
}

Test(pci_filter, what_cannot_be_hidden)
{
    /* q35's host bridge 00:00.0 (class 06 00 00) and a PCIe root port (06 04 00, type 1) */
    cr_assert_not_null(strstr(pcif_refusal(0x060000, 0x00), "host bridge"));
    cr_assert_not_null(strstr(pcif_refusal(0x060400, 0x81), "bridge"));
    cr_assert_not_null(strstr(pcif_refusal(0x060700, 0x02), "bridge"));
    cr_assert_not_null(pcif_refusal(0x020000, 0x05));
    /* Ethernet (02 00 00), the ISA bridge of q35 (06 01 00, type 0, multi-function): may be hidden */
    cr_assert_null(pcif_refusal(0x020000, 0x00));
    cr_assert_null(pcif_refusal(0x060100, 0x80));
}

Test(pci_filter, names_as_lspci_prints_them)
{
    char b[16];

    pcif_name(0, 0, 3 << 3, b);
    cr_assert_str_eq(b, "00:03.0");
    pcif_name(0, 0xab, 0x1f << 3 | 7, b);
    cr_assert_str_eq(b, "ab:1f.7");
    pcif_name(0x10, 2, 0x10 << 3 | 1, b);
    cr_assert_str_eq(b, "0010:02:10.1");
}
