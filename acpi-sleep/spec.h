/* SPDX-License-Identifier: MIT */
/*
 * The ACPI structures and constants this library reads, each once, with the
 * section of ACPI 6.5 it comes from. Layouts are packed structs pinned by
 * _Static_assert; the library never points them at firmware memory (all of
 * it comes through read_phys into local copies), so alignment is no issue.
 */
#ifndef ACPI_SLEEP_SPEC_H
#define ACPI_SLEEP_SPEC_H

#include <stddef.h>
#include <stdint.h>

#define PACKED __attribute__((packed))

/* §5.2.5.3 Root System Description Pointer. Revision 0 (ACPI 1.0) ends
 * after rsdt (20 bytes, covered by checksum); revision >= 2 is `length`
 * bytes covered by ext_checksum. */
struct rsdp {
    char signature[8];          /* "RSD PTR " */
    uint8_t checksum;
    char oem_id[6];
    uint8_t revision;
    uint32_t rsdt;
    uint32_t length;
    uint64_t xsdt;
    uint8_t ext_checksum;
    uint8_t reserved[3];
} PACKED;
_Static_assert(sizeof(struct rsdp) == 36, "RSDP is 36 bytes");
_Static_assert(offsetof(struct rsdp, xsdt) == 24, "RSDP.XsdtAddress at 24");
#define RSDP_V1_LEN 20u

/* §5.2.6 System Description Table Header. */
struct sdt_header {
    char signature[4];
    uint32_t length;
    uint8_t revision;
    uint8_t checksum;
    char oem_id[6];
    char oem_table_id[8];
    uint32_t oem_revision;
    uint32_t creator_id;
    uint32_t creator_revision;
} PACKED;
_Static_assert(sizeof(struct sdt_header) == 36, "SDT header is 36 bytes");

/* No table this code reads may claim more than this: a length beyond it is
 * corruption, and reading it all through read_phys would take minutes. */
#define TABLE_MAX_LEN (16u << 20)
#define ROOT_MAX_LEN (64u << 10)

/* §5.2.3.2 Generic Address Structure. access_size: 0 undefined (legacy),
 * 1 byte, 2 word, 3 dword, 4 qword. */
struct gas {
    uint8_t space;
    uint8_t bit_width;
    uint8_t bit_offset;
    uint8_t access_size;
    uint64_t address;
} PACKED;
_Static_assert(sizeof(struct gas) == 12, "GAS is 12 bytes");

/* §5.2.9 Fixed ACPI Description Table, Table 5.9, in full (revision 6). A
 * shorter FADT is read into a zeroed copy of this (as ACPICA does), so a
 * field beyond its length reads as 0. */
struct fadt {
    struct sdt_header h;
    uint32_t firmware_ctrl;
    uint32_t dsdt;
    uint8_t reserved0;
    uint8_t pm_profile;
    uint16_t sci_int;
    uint32_t smi_cmd;
    uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
    uint32_t pm1a_evt_blk, pm1b_evt_blk;
    uint32_t pm1a_cnt_blk, pm1b_cnt_blk;
    uint32_t pm2_cnt_blk, pm_tmr_blk;
    uint32_t gpe0_blk, gpe1_blk;
    uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
    uint8_t gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
    uint16_t p_lvl2_lat, p_lvl3_lat;
    uint16_t flush_size, flush_stride;
    uint8_t duty_offset, duty_width;
    uint8_t day_alrm, mon_alrm, century;
    uint16_t iapc_boot_arch;
    uint8_t reserved1;
    uint32_t flags;
    struct gas reset_reg;
    uint8_t reset_value;
    uint16_t arm_boot_arch;
    uint8_t minor_version;
    uint64_t x_firmware_ctrl;
    uint64_t x_dsdt;
    struct gas x_pm1a_evt_blk, x_pm1b_evt_blk;
    struct gas x_pm1a_cnt_blk, x_pm1b_cnt_blk;
    struct gas x_pm2_cnt_blk, x_pm_tmr_blk;
    struct gas x_gpe0_blk, x_gpe1_blk;
    struct gas sleep_control_reg, sleep_status_reg;
    uint64_t hypervisor_vendor_id;
} PACKED;
_Static_assert(offsetof(struct fadt, pm1a_cnt_blk) == 64, "FADT.PM1a_CNT_BLK at 64");
_Static_assert(offsetof(struct fadt, pm1_evt_len) == 88, "FADT.PM1_EVT_LEN at 88");
_Static_assert(offsetof(struct fadt, day_alrm) == 106, "FADT.DAY_ALRM at 106");
_Static_assert(offsetof(struct fadt, flags) == 112, "FADT.Flags at 112");
_Static_assert(offsetof(struct fadt, reset_reg) == 116, "FADT.RESET_REG at 116");
_Static_assert(offsetof(struct fadt, x_firmware_ctrl) == 132, "FADT.X_FIRMWARE_CTRL at 132");
_Static_assert(offsetof(struct fadt, x_pm1a_evt_blk) == 148, "FADT.X_PM1a_EVT_BLK at 148");
_Static_assert(offsetof(struct fadt, x_pm1a_cnt_blk) == 172, "FADT.X_PM1a_CNT_BLK at 172");
_Static_assert(offsetof(struct fadt, sleep_control_reg) == 244, "FADT.SLEEP_CONTROL_REG at 244");
_Static_assert(sizeof(struct fadt) == 276, "FADT revision 6 is 276 bytes");

/* §5.2.10 Firmware ACPI Control Structure, Table 5.14. Version 0 (ACPI
 * 1.0) has no X_ vector; version 1 (2.0) adds it; version 2 (4.0) adds the
 * OSPM flags; version 3 (6.0) is the current layout. */
struct facs {
    char signature[4];          /* "FACS" */
    uint32_t length;            /* >= 64 */
    uint32_t hw_signature;
    uint32_t firmware_waking_vector;
    uint32_t global_lock;
    uint32_t flags;
    uint64_t x_firmware_waking_vector;
    uint8_t version;
    uint8_t reserved[3];
    uint32_t ospm_flags;
    uint8_t reserved2[24];
} PACKED;
_Static_assert(sizeof(struct facs) == 64, "FACS is 64 bytes");
_Static_assert(offsetof(struct facs, firmware_waking_vector) == 12, "FACS.Firmware_Waking_Vector at 12");
_Static_assert(offsetof(struct facs, x_firmware_waking_vector) == 24, "FACS.X_Firmware_Waking_Vector at 24");
_Static_assert(offsetof(struct facs, ospm_flags) == 36, "FACS.OSPM_Flags at 36");
#define FACS_VERSION_MAX 3u
#define FACS_ALIGN 64u

/* §4.8.3.1 PM1 Event Registers: status then enable, each PM1_EVT_LEN/2
 * bytes; Table 4.16/4.17. */
#define PM1_STS_WAK (1u << 15)
#define PM1_STS_RTC (1u << 10)
#define PM1_EN_RTC (1u << 10)
/* §4.8.3.2.1 PM1 Control Registers, Table 4.13. */
#define PM1_CNT_SLP_TYP_SHIFT 10
#define PM1_CNT_SLP_TYP_MASK (7u << 10)
#define PM1_CNT_SLP_EN (1u << 13)
/* §4.8.3.7 Sleep Control and Status Registers (HW-reduced). */
#define SLEEP_CNT_SLP_TYP_SHIFT 2
#define SLEEP_CNT_SLP_TYP_MASK (7u << 2)
#define SLEEP_CNT_SLP_EN (1u << 5)
#define SLEEP_STS_WAK (1u << 7)

/* Default widths an OS uses whatever the FADT says (ACPICA's
 * use_default_register_widths): §4.8.3.1 and §4.8.3.2. */
#define PM1_EVT_DEFAULT_LEN 4u
#define PM1_CNT_DEFAULT_LEN 2u

/* §20.2 AML encoding: the opcodes the scanner interprets itself. */
enum {
    AML_ZERO = 0x00, AML_ONE = 0x01, AML_ALIAS = 0x06, AML_NAME = 0x08,
    AML_BYTE = 0x0a, AML_WORD = 0x0b, AML_DWORD = 0x0c, AML_STRING = 0x0d, AML_QWORD = 0x0e,
    AML_SCOPE = 0x10, AML_BUFFER = 0x11, AML_PACKAGE = 0x12, AML_VAR_PACKAGE = 0x13,
    AML_METHOD = 0x14, AML_EXTERNAL = 0x15,
    AML_DUAL_PREFIX = 0x2e, AML_MULTI_PREFIX = 0x2f,
    AML_EXT = 0x5b, AML_ROOT = 0x5c, AML_PARENT = 0x5e,
    AML_LOCAL0 = 0x60, AML_LOCAL7 = 0x67, AML_ARG0 = 0x68, AML_ARG6 = 0x6e,
    AML_RETURN = 0xa4, AML_IF = 0xa0, AML_ELSE = 0xa1, AML_WHILE = 0xa2,
    AML_ONES = 0xff,
};
/* After AML_EXT. */
enum {
    AML_X_DEBUG = 0x31, AML_X_REVISION = 0x30, AML_X_REGION = 0x80,
    AML_X_FIELD = 0x81, AML_X_DEVICE = 0x82, AML_X_PROCESSOR = 0x83, AML_X_POWER_RES = 0x84,
    AML_X_THERMAL_ZONE = 0x85, AML_X_INDEX_FIELD = 0x86, AML_X_BANK_FIELD = 0x87,
};
/* §19.6.45 External: ObjectType 8 is a method. */
#define AML_TYPE_METHOD 8

/* §4.8.2.1.1 / MC146818 CMOS RTC registers. */
#define CMOS_INDEX_PORT 0x70
#define CMOS_DATA_PORT 0x71
#define RTC_SECONDS 0x00
#define RTC_SECONDS_ALARM 0x01
#define RTC_MINUTES 0x02
#define RTC_MINUTES_ALARM 0x03
#define RTC_HOURS 0x04
#define RTC_HOURS_ALARM 0x05
#define RTC_DAY_OF_MONTH 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_REG_C 0x0c
#define RTC_A_UIP 0x80
#define RTC_B_SET 0x80
#define RTC_B_AIE 0x20
#define RTC_B_DM_BINARY 0x04
#define RTC_B_24H 0x02
#define RTC_HOUR_PM 0x80
#define RTC_ALARM_DONT_CARE 0xc0    /* both top bits set: matches any value */

#endif
