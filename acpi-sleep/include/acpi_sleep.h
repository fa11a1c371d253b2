/* SPDX-License-Identifier: MIT */
/*
 * acpi-sleep: how this machine's firmware lets an OS sleep, and what an OS
 * did when it asked to.
 *
 * One library, two homes: the VMM (freestanding) and the host tool and tests
 * (hosted). It never allocates and keeps no state of its own; every byte of
 * memory and every hardware access comes from the caller:
 *
 *   struct acpi_io         physical memory and I/O ports, as callbacks
 *   struct acpi_platform   what discovery found (caller-owned, ~4 KiB)
 *   scratch                a buffer for reading tables, during discovery only
 *                          (ACPI_SCRATCH_MIN bytes at least; see ACPI_SCRATCH_GOOD)
 *   struct acpi_decoder    the state of the sleep-write decoder
 *
 * The pieces, in the order the VMM uses them:
 *
 *   acpi_discover()        RSDP -> XSDT/RSDT -> FADT, FACS, DSDT, SSDTs; the
 *                          sleep registers and \_S0_..\_S5_ (ACPI 6.5 §5.2, §7.4.2),
 *                          with the If predicates around them evaluated
 *   acpi_discover_live()   the same, reading the firmware data predicates test
 *   acpi_traps()           the registers a VMM must intercept
 *   acpi_decode_write()    one intercepted guest write -> "sleep in S3" or not
 *   acpi_facs_get/set()    the OS's waking vector (§5.2.10)
 *   acpi_rtc_*()           CMOS RTC time and alarm, PM1 RTC_STS/RTC_EN (§4.8.2.1.1)
 *   acpi_date_*()          calendar arithmetic the RTC code needs
 *
 * Errors are values: a status plus the object it concerns and the numbers
 * it quotes; acpi_error_format() turns one into a line such as
 *   SSDT[2] at 0x7ffe1000: length 0x10 shorter than its header
 *
 * Problems an OS would tolerate (a wrong checksum: Linux only warns) do not
 * stop discovery: they are kept as notes in the platform, and a caller that
 * wants them fatal passes ACPI_DISCOVER_STRICT.
 */
#ifndef ACPI_SLEEP_H
#define ACPI_SLEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------------
 * What the caller provides
 * ------------------------------------------------------------------------ */

/*
 * Hardware access. Discovery needs only read_phys; acpi_facs_set needs
 * write_phys; the RTC functions need port_in/port_out (CMOS is at ports
 * 0x70/0x71) and, where the PM1 event blocks are memory-mapped, the phys
 * callbacks. Unneeded callbacks may be NULL.
 *
 * read_phys/write_phys of 1, 2, 4 or 8 bytes on a memory-mapped register
 * (acpi_reg with space ACPI_SPACE_MEMORY) must be one access of that size.
 * port_in/port_out take size 1, 2 or 4. All return false on failure.
 */
struct acpi_io {
    void *ctx;
    bool (*read_phys)(void *ctx, uint64_t pa, void *buf, size_t len);
    bool (*write_phys)(void *ctx, uint64_t pa, const void *buf, size_t len);
    bool (*port_in)(void *ctx, uint16_t port, unsigned size, uint32_t *value);
    bool (*port_out)(void *ctx, uint16_t port, unsigned size, uint32_t value);
};

/* Scratch for discovery: a window onto the table being read (a quarter, at
 * most 4 KiB), a hash table of the methods seen so far, to know how many
 * arguments a call in load-time code takes, and one of the integer Names,
 * OperationRegions and fields, to evaluate If predicates (half the rest
 * each). GOOD remembers 5952 methods (large server DSDTs have a few
 * thousand) and 1488 objects, MIN 36 and 9; when a table is full a note
 * says so: later calls may be misread, which costs at most their block,
 * and predicates naming later objects are left undecided (conditional). */
#define ACPI_SCRATCH_MIN 1024u
#define ACPI_SCRATCH_GOOD (128u * 1024u)

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

enum acpi_status {
    ACPI_OK = 0,
    ACPI_E_ARG,             /* the caller passed something unusable */
    ACPI_E_IO,              /* a callback failed (or is missing) */
    ACPI_E_SIGNATURE,       /* an object has the wrong signature */
    ACPI_E_CHECKSUM,        /* bytes do not sum to zero */
    ACPI_E_SHORT,           /* length shorter than the object's header/layout */
    ACPI_E_LONG,            /* length absurdly large */
    ACPI_E_RANGE,           /* address + length wraps or leaves the address space */
    ACPI_E_REVISION,        /* a revision or version this code does not know */
    ACPI_E_MISSING,         /* something required is absent (no FADT, no PM1a_CNT, ...) */
    ACPI_E_SPACE,           /* a register in an address space other than memory/I/O */
    ACPI_E_DUPLICATE,       /* a second FADT, a second definition of \_Sx_ */
    ACPI_E_AML,             /* AML this scanner cannot follow (rest of the block byte-scanned) */
    ACPI_E_AML_DEPTH,       /* AML nested deeper than ACPI_AML_MAX_DEPTH */
    ACPI_E_AML_NAME,        /* a name path longer than ACPI_AML_MAX_SEGS or above the root */
    ACPI_E_AML_TRUNCATED,   /* an AML object runs past the end of its block */
    ACPI_E_SX_VALUE,        /* \_Sx_ is not a package of integers (an OS cannot use it) */
    ACPI_E_SX_ALIAS,        /* \_Sx_ is an Alias; its target was not followed */
    ACPI_E_METHODS_FULL,    /* scratch too small to remember every method */
    ACPI_E_WIDTH,           /* a register width the code cannot use */
    ACPI_E_RTC_ABSENT,      /* the FADT says there is no CMOS RTC */
    ACPI_E_RTC_BUSY,        /* update-in-progress never cleared */
    ACPI_E_RTC_TIME,        /* the RTC holds an invalid time */
    ACPI_E_RTC_PAST,        /* the alarm time is not in the future */
    ACPI_E_RTC_REACH,       /* the alarm is further away than this RTC's alarm can express */
    ACPI_E_RTC_NO_WAKE,     /* RTC wake is not in fixed hardware (FIX_RTC / HW-reduced) */
    ACPI_E_TIME,            /* a date/time argument is invalid */
    ACPI_E_OBJECTS_FULL,    /* scratch too small to remember every Name/region/field */
    ACPI_E_FW_READ,         /* firmware data a predicate tests could not (or may not) be read */
    ACPI_STATUS_COUNT
};

/*
 * One problem, with what it is about. `object` names it the way a human
 * would look for it ("FACP", "SSDT[2] at 0x7ffe1000", "\_S3_", "RTC");
 * `msg` is a static template written where the problem was found, into
 * which acpi_error_format puts the object and the numbers it quotes.
 */
struct acpi_error {
    enum acpi_status status;
    const char *msg;
    char object[32];
    uint64_t where;
    uint64_t got, want;
};

/* "SSDT[2] at 0x7ffe1000: length 0x10 shorter than its header". Always
 * NUL-terminates (if size > 0); returns the full length, like snprintf. */
size_t acpi_error_format(const struct acpi_error *e, char *buf, size_t size);
const char *acpi_status_name(enum acpi_status s);

/* ------------------------------------------------------------------------
 * Registers (Generic Address Structure, ACPI 6.5 §5.2.3.2)
 * ------------------------------------------------------------------------ */

enum acpi_space {
    ACPI_SPACE_MEMORY = 0,
    ACPI_SPACE_IO = 1,
    ACPI_SPACE_PCI_CONFIG = 2,  /* only RESET_REG may live here */
};

/* Where a register came from in the FADT, for reports. */
enum acpi_reg_source {
    ACPI_SRC_NONE = 0,
    ACPI_SRC_LEGACY,    /* the 32-bit port field (PM1a_CNT_BLK, ...) */
    ACPI_SRC_X,         /* the 64-bit GAS field (X_PM1a_CNT_BLK, ...) */
    ACPI_SRC_GAS,       /* a GAS-only field (RESET_REG, SLEEP_CONTROL_REG) */
};

struct acpi_reg {
    uint64_t address;       /* 0: the register does not exist */
    uint8_t space;          /* enum acpi_space */
    uint8_t size;           /* bytes it occupies at address */
    uint8_t access;         /* bytes per access: 1, 2, 4 or 8 */
    uint8_t bit_offset;     /* of the register's bit 0 within the access */
    uint8_t source;         /* enum acpi_reg_source */
};

static inline bool acpi_reg_present(const struct acpi_reg *r) { return r->address != 0; }

/* Read or write a whole register through io, honouring space and access
 * size (a 2-byte register with byte access is two byte accesses). */
enum acpi_status acpi_reg_read(const struct acpi_io *io, const struct acpi_reg *r, const char *name,
                               uint64_t *value, struct acpi_error *err);
enum acpi_status acpi_reg_write(const struct acpi_io *io, const struct acpi_reg *r, const char *name,
                                uint64_t value, struct acpi_error *err);

/* ------------------------------------------------------------------------
 * Discovery
 * ------------------------------------------------------------------------ */

#define ACPI_MAX_SSDT 48        /* recorded; every one is scanned */
#define ACPI_MAX_NOTES 16
#define ACPI_SX_MAX_DEFS 4
#define ACPI_AML_MAX_DEPTH 32   /* nesting of scopes, blocks and expressions */
#define ACPI_AML_MAX_SEGS 16    /* NameSegs in one path */

/* FADT Flags (ACPI 6.5 §5.2.9, Table 5.10), the ones that matter here. */
#define ACPI_FADT_FIX_RTC (1u << 6)         /* RTC wake status NOT in fixed register space */
#define ACPI_FADT_RTC_S4 (1u << 7)          /* RTC alarm can wake from S4 */
#define ACPI_FADT_RESET_REG_SUP (1u << 10)
#define ACPI_FADT_S4_RTC_STS_VALID (1u << 16)
#define ACPI_FADT_HW_REDUCED (1u << 20)
#define ACPI_FADT_LOW_POWER_S0 (1u << 21)
/* IAPC_BOOT_ARCH (§5.2.9.3, Table 5.11) */
#define ACPI_BOOT_CMOS_RTC_NOT_PRESENT (1u << 5)

/* A table as found. */
struct acpi_table {
    uint64_t pa;
    uint32_t length;
    uint8_t revision;
    char signature[5];
    char oem_id[7];
    char oem_table_id[9];
};

/*
 * One definition of \_Sx_ in the AML. SLP_TYPa/b follow ACPICA's
 * acpi_get_sleep_type_data (what Linux writes): elements 0 and 1 of the
 * package, or for a one-element package its bytes 0 and 1. Only the low 3
 * bits reach the hardware (SLP_TYPx is a 3-bit field, §4.8.3.2.1).
 */
enum acpi_sxdef_flags {
    ACPI_SXD_CONDITIONAL = 1u << 0,  /* inside If/Else/While of load-time code whose predicate is
                                        not constant: see cond */
    ACPI_SXD_METHOD = 1u << 1,       /* \_Sx_ is a Method; value from one of its Return()s */
    ACPI_SXD_UNPARSED = 1u << 2,     /* found by byte-scanning AML the parser could not follow */
    ACPI_SXD_INVALID = 1u << 3,      /* not a package of integers: slp_typ unknown */
    ACPI_SXD_DUPLICATE = 1u << 4,    /* after an unconditional definition: an OS ignores it */
    ACPI_SXD_IF_TRUE = 1u << 5,      /* inside If/Else whose predicate is constant and true at load
                                        time: as unconditional */
    ACPI_SXD_LIVE = 1u << 6,         /* inside If/Else decided by firmware data read at discovery
                                        (acpi_discover_live): true on this machine now */
};

struct acpi_sxdef {
    uint8_t table;          /* 0: DSDT; n: SSDT[n-1] */
    uint8_t flags;          /* enum acpi_sxdef_flags */
    uint8_t elements;       /* package element count */
    uint8_t slp_typa;
    uint8_t slp_typb;
    uint8_t cond;           /* CONDITIONAL or LIVE: 1 + index in acpi_platform.conds of the
                               innermost undecided (or live-decided) predicate; 0 none recorded */
    uint32_t offset;        /* of the definition in its table */
};

/*
 * What an If predicate in load-time code depends on, when it is not
 * constant (ACPI 6.5 §19.6.60: an OS evaluates it once, while loading the
 * table). Predicates made of integer constants, Zero/One/Ones, integer
 * Names no load-time code changes, LNot/LAnd/LOr/LEqual/LGreater/LLess and
 * And/Or on those are evaluated at discovery and need no entry here.
 */
enum acpi_cond_kind {
    ACPI_COND_CODE = 0,     /* something the evaluator does not follow: `what` says what */
    ACPI_COND_FIELD,        /* firmware data: a field of an OperationRegion (GNVS and the like) */
    ACPI_COND_INDEX_FIELD,  /* firmware data behind an IndexField/BankField (CMOS and the like) */
};

struct acpi_cond {
    uint8_t kind;           /* enum acpi_cond_kind */
    uint8_t table;          /* where the If is: 0 DSDT, n SSDT[n-1] */
    uint8_t space;          /* FIELD: the region's address space (ACPI_SPACE_*, or another id) */
    uint8_t access;         /* FIELD: bytes per access (1, 2, 4, 8) */
    uint8_t fields;         /* firmware fields the predicate reads (field[] names the first) */
    bool address_known;     /* FIELD: the region's address is a constant */
    bool live;              /* read at discovery: value holds what was read */
    uint16_t bit_width;     /* FIELD: of the field */
    uint32_t offset;        /* of the If in its table */
    uint32_t bit_offset;    /* FIELD: of the field from the region's start */
    uint32_t region_len;    /* FIELD: the region's length in bytes */
    uint64_t address;       /* FIELD: the region's address */
    uint64_t value;         /* live: the field's value */
    char field[48];         /* FIELD: the field's path ("\DAS3"); CODE: what stopped evaluation
                               ("calls \_SB.OSCK", "While") */
    char region[8];         /* FIELD: the region's NameSeg ("GNVS"); INDEX_FIELD: the index field's */
};

#define ACPI_MAX_CONDS 16

enum acpi_sx_kind {
    ACPI_SX_ABSENT = 0,     /* no definition: the state is not supported */
    ACPI_SX_FIXED,          /* def[0] is what every OS sees (may be INVALID) */
    ACPI_SX_CONDITIONAL,    /* depends on load-time code: def[] are the candidates */
};

struct acpi_sx {
    uint8_t kind;           /* enum acpi_sx_kind */
    uint8_t n;              /* definitions in def[] */
    uint8_t more;           /* further definitions not recorded */
    uint8_t dead;           /* definitions behind a predicate that is false at load time (or
                               on this machine, when read live): an OS never creates them */
    struct acpi_sxdef def[ACPI_SX_MAX_DEFS];
    struct acpi_sxdef first_dead;   /* the first of those, when dead > 0 */
};

/*
 * Everything discovery found. Register rules (§5.2.9): a nonzero X_ field
 * wins over its 32-bit twin; PM1 event blocks are split into status (first
 * half) and enable (second half) of PM1_EVT_LEN; PM1a/PM1b control are
 * PM1_CNT_LEN bytes. A register that does not exist has address 0.
 */
struct acpi_platform {
    uint64_t rsdp_pa;
    uint8_t rsdp_revision;
    bool xsdt;                      /* root is the XSDT (else the RSDT) */
    struct acpi_table root;
    struct acpi_table fadt, dsdt, facs;
    struct acpi_table ssdt[ACPI_MAX_SSDT];
    unsigned n_ssdt;                /* SSDTs scanned (ssdt[] holds the first ACPI_MAX_SSDT) */

    /* FADT (§5.2.9) */
    uint8_t fadt_revision, fadt_minor;
    uint32_t flags;                 /* ACPI_FADT_* */
    uint16_t boot_arch;             /* IAPC_BOOT_ARCH, ACPI_BOOT_* */
    bool hw_reduced;
    uint64_t facs32, facs64;        /* FIRMWARE_CTRL, X_FIRMWARE_CTRL as found */
    uint64_t dsdt32, dsdt64;        /* DSDT, X_DSDT as found */
    uint8_t pm1_evt_len, pm1_cnt_len, pm_tmr_len;
    struct acpi_reg pm1a_sts, pm1a_en, pm1b_sts, pm1b_en;
    struct acpi_reg pm1a_cnt, pm1b_cnt, pm_tmr;
    struct acpi_reg sleep_control, sleep_status;  /* HW-reduced (§4.8.3.7) */
    struct acpi_reg reset;          /* valid when flags has RESET_REG_SUP */
    uint8_t reset_value;
    uint8_t day_alarm, mon_alarm, century;  /* RTC CMOS indices; 0: not supported */

    /* FACS (§5.2.10), when the FADT names one */
    uint32_t facs_hw_signature;
    uint32_t facs_flags;            /* ACPI_FACS_S4BIOS_F, ACPI_FACS_64BIT_WAKE_SUPPORTED_F */
    uint8_t facs_version;

    struct acpi_sx sx[6];           /* \_S0_ .. \_S5_ */
    struct acpi_cond conds[ACPI_MAX_CONDS];     /* what undecided predicates read */
    unsigned n_conds, conds_lost;
    bool live;                      /* discovery could read firmware data (acpi_discover_live) */

    unsigned n_notes, notes_lost;
    struct acpi_error notes[ACPI_MAX_NOTES];
};

/* Discovery flags */
#define ACPI_DISCOVER_STRICT (1u << 0)      /* checksum mismatches are errors, not notes */
#define ACPI_DISCOVER_USE_RSDT (1u << 1)    /* ignore the XSDT (as Linux's acpi=rsdt) */

/*
 * Walk the tables from the RSDP at rsdp_pa and fill *p (which is cleared
 * first). Returns ACPI_OK when the FADT and DSDT were read; problems with
 * individual SSDTs, odd FADT fields and unparseable AML become notes in
 * p->notes and never stop it. On failure *err says why and *p holds what
 * was found before it (a tool can still print that).
 */
enum acpi_status acpi_discover(struct acpi_platform *p, const struct acpi_io *io, uint64_t rsdp_pa,
                               unsigned flags, void *scratch, size_t scratch_size,
                               struct acpi_error *err);

/*
 * Discovery that also reads the firmware data If predicates test, where
 * sleepmux runs on the machine itself (the loader, the VMM at start, the
 * host tool as root): a field of a SystemMemory or SystemIO OperationRegion
 * with a constant address is read through fw->io (read_phys, port_in; never
 * a write), in the field's access width, only if the field lies inside its
 * region, is at most 64 bits wide, and fw->may_read allows every byte (the
 * caller's firmware memory map: ACPI NVS or reserved memory, the ports it
 * trusts). The predicate is then decided: its \_Sx_ definitions become
 * unconditional (ACPI_SXD_LIVE) or absent, and p->conds says what was read.
 * Anything refused or unreadable is a note and leaves the state
 * conditional. fw NULL is acpi_discover.
 */
struct acpi_fw_access {
    const struct acpi_io *io;
    void *ctx;
    bool (*may_read)(void *ctx, uint8_t space, uint64_t address, uint64_t len);
};

enum acpi_status acpi_discover_live(struct acpi_platform *p, const struct acpi_io *io, uint64_t rsdp_pa,
                                    unsigned flags, const struct acpi_fw_access *fw, void *scratch,
                                    size_t scratch_size, struct acpi_error *err);

/* "\DAS3, a field of OperationRegion GNVS (SystemMemory 0x7ae9e000+0x10, 8 bits)" or
 * "calls \_SB.OSCK"; like snprintf. */
size_t acpi_cond_format(const struct acpi_cond *c, char *buf, size_t size);

/* Look for "RSD PTR " on 16-byte boundaries of [start, start+len) with a
 * valid checksum (legacy BIOS: the EBDA's first KiB and 0xE0000-0xFFFFF). */
bool acpi_find_rsdp(const struct acpi_io *io, uint64_t start, uint64_t len, uint64_t *rsdp_pa);

/* "DSDT" or "SSDT[3]" for a definition's table index. */
const char *acpi_sx_table_name(uint8_t table, char buf[16]);

/* The values an OS writes for state (0..5), when they are certain: a fixed,
 * valid definition. */
bool acpi_sx_values(const struct acpi_platform *p, unsigned state, uint8_t *slp_typa, uint8_t *slp_typb);

/* ------------------------------------------------------------------------
 * What to intercept
 * ------------------------------------------------------------------------ */

enum acpi_reg_id {
    ACPI_REG_PM1A_CNT = 0,
    ACPI_REG_PM1B_CNT,
    ACPI_REG_SLEEP_CONTROL,
    ACPI_REG_PM1A_STS,
    ACPI_REG_PM1A_EN,
    ACPI_REG_PM1B_STS,
    ACPI_REG_PM1B_EN,
    ACPI_REG_SLEEP_STATUS,
    ACPI_REG_COUNT
};

const char *acpi_reg_name(enum acpi_reg_id id);   /* "PM1a_CNT", ... */
const struct acpi_reg *acpi_platform_reg(const struct acpi_platform *p, enum acpi_reg_id id);

#define ACPI_TRAP_SLEEP (1u << 0)       /* PM1a_CNT, PM1b_CNT, SLEEP_CONTROL */
#define ACPI_TRAP_EVENTS (1u << 1)      /* PM1a/b status and enable, SLEEP_STATUS (RTC hook) */
#define ACPI_MAX_TRAPS ACPI_REG_COUNT

struct acpi_trap {
    uint64_t address;
    uint8_t space;          /* ACPI_SPACE_IO or ACPI_SPACE_MEMORY */
    uint8_t size;           /* bytes from address */
    uint8_t reg;            /* enum acpi_reg_id */
};

/* The registers of the classes in `which` that exist, in enum order.
 * Returns how many were written to out (at most ACPI_MAX_TRAPS). */
unsigned acpi_traps(const struct acpi_platform *p, unsigned which, struct acpi_trap out[ACPI_MAX_TRAPS]);

/* ------------------------------------------------------------------------
 * Decoding a guest's write
 * ------------------------------------------------------------------------ */

/*
 * The decoder's memory, owned by the caller (zero it, or acpi_decoder_init).
 * It remembers the SLP_TYP bits last written to each sleep register (an OS
 * may write the type and SLP_EN in separate accesses, ACPICA even writes a
 * 16-bit PM1 register as two bytes when its GAS says byte access) and a
 * PM1a (or PM1b) write with SLP_EN that waits for its twin.
 */
struct acpi_decoder {
    uint16_t value[3];          /* last bits seen, per sleep register (PM1a, PM1b, SLEEP_CONTROL) */
    uint16_t known[3];          /* which of those bits were seen */
    uint8_t held;               /* bitmask of PM1a/PM1b writes with SLP_EN waiting for the other */
    uint16_t held_value[2];
};

enum acpi_decode {
    ACPI_DEC_NONE = 0,          /* not a sleep request (the write may still touch a register) */
    ACPI_DEC_PENDING,           /* PM1a (or PM1b) with SLP_EN: hold it until the other arrives */
    ACPI_DEC_SLEEP,             /* a complete sleep request: see the event */
};

#define ACPI_STATE_UNKNOWN 0xff

struct acpi_sleep_event {
    uint8_t state;              /* 0..5, or ACPI_STATE_UNKNOWN if no \_Sx_ matches */
    uint8_t states;             /* bit n: \_Sn_ (or one of its candidates) matches; S4 and S5
                                   may share SLP_TYP values */
    uint8_t slp_typa, slp_typb; /* 3-bit values written (slp_typb 0 without PM1b) */
    uint8_t regs;               /* bit per enum acpi_reg_id making up the request */
    uint8_t touched;            /* bit per enum acpi_reg_id this write touched */
    uint16_t pm1a_value, pm1b_value;    /* as written (bits no write has shown read as 0) */
    uint8_t sleep_control_value;
};

void acpi_decoder_init(struct acpi_decoder *d);

/*
 * One guest write of `size` bytes (1, 2, 4 or 8) of `value` at `address` in
 * `space`. Writes that overlap a sleep register partly are decoded for the
 * bytes they cover. The decoder only interprets: the caller still forwards
 * (or holds) the write. ev is filled for every result (touched is useful
 * even for NONE).
 */
enum acpi_decode acpi_decode_write(const struct acpi_platform *p, struct acpi_decoder *d,
                                   uint8_t space, uint64_t address, unsigned size, uint64_t value,
                                   struct acpi_sleep_event *ev);

/* ------------------------------------------------------------------------
 * FACS waking vectors (ACPI 6.5 §5.2.10)
 * ------------------------------------------------------------------------ */

#define ACPI_FACS_S4BIOS_F (1u << 0)
#define ACPI_FACS_64BIT_WAKE_SUPPORTED_F (1u << 1)
#define ACPI_FACS_OSPM_64BIT_WAKE_F (1u << 0)

struct acpi_waking_vector {
    uint64_t x;                 /* X_Firmware_Waking_Vector (FACS version >= 1) */
    uint32_t fw;                /* Firmware_Waking_Vector (real mode) */
    uint32_t ospm_flags;        /* OSPM Flags (FACS version >= 2), ACPI_FACS_OSPM_* */
};

enum acpi_wake_mode {
    ACPI_WAKE_NONE = 0,         /* both vectors zero: firmware boots normally */
    ACPI_WAKE_REAL,             /* fw: real mode at CS=fw>>4, IP=fw&0xf */
    ACPI_WAKE_PROTECTED32,      /* x: 32-bit protected mode, paging off */
    ACPI_WAKE_LONG64,           /* x: 64-bit, firmware supports it and the OS asked */
};

/* Read the FACS the platform names (validated again: signature, length,
 * version). */
enum acpi_status acpi_facs_get(const struct acpi_platform *p, const struct acpi_io *io,
                               struct acpi_waking_vector *wv, struct acpi_error *err);
/* Write all three fields back (ospm_flags only its defined bit, and only
 * where the FACS version has the field). Putting back what an OS wrote is
 * always valid; an x or ospm_flags the FACS version cannot hold is refused. */
enum acpi_status acpi_facs_set(const struct acpi_platform *p, const struct acpi_io *io,
                               const struct acpi_waking_vector *wv, struct acpi_error *err);
/* Which vector firmware will jump to, and how (§5.2.10: a nonzero
 * X_Firmware_Waking_Vector wins; 64-bit only if both flags agree). */
enum acpi_wake_mode acpi_wake_mode(uint32_t facs_flags, uint8_t facs_version,
                                   const struct acpi_waking_vector *wv, uint64_t *entry);
const char *acpi_wake_mode_name(enum acpi_wake_mode m);

/* ------------------------------------------------------------------------
 * Calendar (proleptic Gregorian, seconds since 1970-01-01 00:00:00)
 * ------------------------------------------------------------------------ */

struct acpi_time {
    uint16_t year;              /* 1970..2399 for the RTC (century register) */
    uint8_t month, day;         /* 1..12, 1..31 */
    uint8_t hour, minute, second;
};

/*
 * The day arithmetic itself is here, inline, because it has two users that
 * must not depend on each other: this library's RTC code (date.c) and the
 * policy library's wake schedules (policy/wake.c, whose pol_datetime API
 * stays its own). acpi-sleep owns it since the RTC is where the calendar
 * meets hardware; inline, it costs policy no link dependency and keeps
 * both libraries pure and freestanding.
 */
static inline bool acpi_date_is_leap(unsigned year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* 0 for a bad month. */
static inline unsigned acpi_date_days_in_month(unsigned year, unsigned month)
{
    static const uint8_t days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (month < 1 || month > 12)
        return 0;
    return days[month - 1] + (month == 2 && acpi_date_is_leap(year));
}

/*
 * Days from 1970-01-01 to y-m-d, and back. Counting years from March makes
 * February the last month, so a leap day never shifts the months after it
 * (from March, month lengths repeat in 5-month runs of 153 days); 400-year
 * eras repeat exactly (146097 days). Valid for negative days too.
 */
static inline int64_t acpi_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);                       /* [0, 399] */
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] from March 1 */
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* [0, 146096] */

    return era * 146097 + doe - 719468;     /* 719468: 0000-03-01 to 1970-01-01 */
}

static inline void acpi_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;

    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

bool acpi_time_valid(const struct acpi_time *t);
int64_t acpi_time_to_seconds(const struct acpi_time *t);
void acpi_time_from_seconds(int64_t s, struct acpi_time *t);
unsigned acpi_date_weekday(const struct acpi_time *t);            /* 0 = Sunday */

/* ------------------------------------------------------------------------
 * RTC alarm (MC146818-compatible CMOS, ACPI 6.5 §4.8.2.1.1 and §5.2.9)
 * ------------------------------------------------------------------------ */

/* What the RTC's registers hold: UTC (Linux's habit) or local time (Windows'),
 * local = UTC + utc_offset_minutes. */
struct acpi_rtc_config {
    bool local_time;
    int32_t utc_offset_minutes;
};

enum acpi_alarm_reach {
    ACPI_ALARM_DAILY = 0,       /* hh:mm:ss only: no DAY_ALRM in the FADT */
    ACPI_ALARM_MONTHLY,         /* + day of month (DAY_ALRM) */
    ACPI_ALARM_YEARLY,          /* + month (MON_ALRM) */
};

#define ACPI_RTC_DONT_CARE 0xff

struct acpi_rtc_alarm {
    uint8_t reach;              /* enum acpi_alarm_reach */
    bool binary, hour24;        /* register B's DM and 24/12 bits */
    bool aie;                   /* alarm interrupt enabled (register B) */
    bool rtc_en;                /* PM1_EN.RTC_EN set (PM1a, and PM1b if any) */
    bool rtc_sts;               /* PM1_STS.RTC_STS set */
    /* Decoded alarm fields in RTC time; ACPI_RTC_DONT_CARE where a field is
     * "don't care" (or absent: day without DAY_ALRM, month without MON_ALRM). */
    uint8_t second, minute, hour, day, month;
    bool fires;                 /* fires_at is known */
    struct acpi_time fires_at;  /* first match from now, in UTC */
};

/* The current time in UTC. */
enum acpi_status acpi_rtc_read_time(const struct acpi_platform *p, const struct acpi_io *io,
                                    const struct acpi_rtc_config *cfg, struct acpi_time *utc,
                                    struct acpi_error *err);
/*
 * Arm the alarm to fire at `utc` and make it wake the machine: program the
 * alarm registers (BCD or binary, 12/24 h, DAY_ALRM/MON_ALRM), set AIE,
 * clear PM1_STS.RTC_STS and set PM1_EN.RTC_EN. Refuses (ACPI_E_RTC_REACH)
 * a time the alarm would not hit first, e.g. more than a day away with a
 * daily-only alarm. *armed (may be NULL) is read back from the hardware.
 */
enum acpi_status acpi_rtc_arm(const struct acpi_platform *p, const struct acpi_io *io,
                              const struct acpi_rtc_config *cfg, const struct acpi_time *utc,
                              struct acpi_rtc_alarm *armed, struct acpi_error *err);
/* What is armed now, read from the hardware. */
enum acpi_status acpi_rtc_read_alarm(const struct acpi_platform *p, const struct acpi_io *io,
                                     const struct acpi_rtc_config *cfg, struct acpi_rtc_alarm *out,
                                     struct acpi_error *err);
/* The two PM1 steps on their own (the VMM redoes them before letting an
 * OS's power-off through, undoing whatever the OS cleared). */
enum acpi_status acpi_rtc_clear_status(const struct acpi_platform *p, const struct acpi_io *io,
                                       struct acpi_error *err);
enum acpi_status acpi_rtc_enable_wake(const struct acpi_platform *p, const struct acpi_io *io,
                                      struct acpi_error *err);
/* When an alarm with these fields (RTC time, DONT_CARE allowed) first fires
 * after `now` (RTC time; the current second does not count). False if it
 * never does (February 30, hour 24). */
bool acpi_alarm_first_match(const struct acpi_time *now, uint8_t second, uint8_t minute, uint8_t hour,
                            uint8_t day, uint8_t month, struct acpi_time *when);

#endif
