/* SPDX-License-Identifier: MIT */
/*
 * policy: sleepmux.conf and every decision sleepmux takes on its behalf.
 *
 * Four jobs, one contract (docs/config.md describes the file for users):
 *
 *   1. pol_parse(): sleepmux.conf text -> struct pol_config, a plain-data
 *      struct with fixed-size fields (no pointers), so the loader can parse
 *      into its own storage and hand a byte copy to the VMM in the boot-info
 *      block. No allocation; every error carries line, column and the form
 *      that was expected.
 *   2. pol_decide(): the switch engine, a pure function
 *      (config, state, event) -> (action, next state). The VMM applies the
 *      action and keeps the next state; it decides nothing itself. "Nothing
 *      lost" is enforced here (pol_keeps_everything()).
 *   3. pol_wake_next() / pol_wake_alarm(): the next scheduled power-on
 *      time, for the RTC alarm (acpi-sleep programs it).
 *   4. Helpers the loader needs: pol_boot_choice(), pol_memory_split(),
 *      pol_to_ucs2().
 *
 * Freestanding: uses only memcpy, memset, memcmp; holds no state between
 * calls; every function is safe to call from the loader (boot services) and
 * from the VMM.
 */
#ifndef SMX_POLICY_H
#define SMX_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------------
 * Limits. Sizes include the terminating NUL: a name holds 63 bytes of UTF-8.
 * A value that does not fit is an error (POL_E_TOO_LONG / POL_E_TOO_MANY),
 * never silently cut.
 */
#define POL_NAME_MAX 64         /* OS display name */
#define POL_PATH_MAX 256        /* boot loader path on the ESP */
#define POL_ARGS_MAX 1024       /* boot loader arguments (UEFI LoadOptions) */
#define POL_TFTP_PATH_MAX 128   /* image folder on the TFTP server */
#define POL_PCI_MAX 32          /* PCI functions hidden from one OS */
#define POL_WAKE_MAX 16         /* wake schedule entries for one OS */
#define POL_MSG_MAX 256         /* an error message */

/* The two OSes. Everything per OS is indexed by these. */
#define POL_OS_A 0
#define POL_OS_B 1
#define pol_other(os) ((uint8_t)((os) ^ 1))

/* ------------------------------------------------------------------------
 * Status: one enum for the whole library. pol_status_name() gives a short
 * fixed text; parse errors also get a full message in struct pol_error.
 */
enum pol_status {
    POL_OK = 0,
    POL_E_ARG,          /* the caller passed something impossible (NULL, bad date) */
    POL_E_SYNTAX,       /* a line is neither [section], key = value, nor comment */
    POL_E_ENCODING,     /* not UTF-8, a control character, outside the BMP */
    POL_E_SECTION,      /* unknown section name */
    POL_E_KEY,          /* unknown key for its section */
    POL_E_DUPLICATE,    /* a section or key given twice */
    POL_E_VALUE,        /* a value of the wrong form */
    POL_E_RANGE,        /* a number outside its range */
    POL_E_TOO_LONG,     /* a string longer than its field */
    POL_E_TOO_MANY,     /* a list longer than its array */
    POL_E_MISSING,      /* a required section or key is absent */
    POL_E_CONFLICT,     /* values that contradict each other */
    POL_E_NO_SCHEDULE,  /* pol_wake_*: the OS has no wake times */
    POL_E_MEMORY,       /* pol_memory_split: the shares do not fit */
    POL_E_STORE,        /* pol_boot_choice: what the store holds forbids a boot */
};

const char *pol_status_name(enum pol_status st);

struct pol_error {
    uint32_t status;    /* enum pol_status */
    uint32_t line;      /* 1-based; 0 when the error is not about a place */
    uint32_t col;       /* 1-based, in characters (a tab counts one) */
    char msg[POL_MSG_MAX];  /* "what is wrong (expected what)", no place */
};

/*
 * "FILE:LINE:COL: msg" (or "FILE: msg" when line is 0) into buf, always
 * NUL-terminated when n > 0. Returns the length the full text needs, like
 * snprintf.
 */
size_t pol_error_format(const struct pol_error *err, const char *file, char *buf, size_t n);

/* ------------------------------------------------------------------------
 * The configuration, as plain data. The loader copies it byte for byte into
 * the VMM's boot-info block; magic, version and size let the VMM check the
 * copy (pol_config_check()). Every enum is stored in a uint8_t so the layout
 * is the same in every world; the _Static_asserts below pin it.
 */
#define POL_CONFIG_MAGIC 0x43584d53u   /* "SMXC" little-endian */
#define POL_CONFIG_VERSION 1u

enum pol_switch_mode {
    POL_SWITCH_SLEEP = 0,   /* enter S3 for real; the wake-up brings the other OS */
    POL_SWITCH_INSTANT = 1, /* enter the other OS's waking vector directly */
};

/* What an OS's S3/S4/S5/reset request does (keys on-s3, on-s4, on-s5, on-reset). */
enum pol_choice {
    POL_DO_ASKED = 0,   /* what the OS asked: sleep, hibernate, power off, reset */
    POL_DO_SWITCH = 1,  /* bring the other OS instead */
};

enum pol_store_kind {
    POL_STORE_NONE = 0,
    POL_STORE_PART_TYPE = 1,    /* the first GPT partition of this type GUID */
    POL_STORE_PART_GUID = 2,    /* the GPT partition with this unique GUID */
    POL_STORE_TFTP = 3,         /* a TFTP server (udp-xfer) */
};

/* The byte order of EFI_GUID in memory and in GPT entries (UEFI 2.10
 * Appendix A; §5.3.3): the first three fields little-endian, the last 8 bytes
 * as written. The loader can memcmp it against a partition entry. */
struct pol_guid {
    uint8_t b[16];
};

struct pol_store {
    uint8_t kind;           /* enum pol_store_kind */
    uint8_t client_prefix;  /* TFTP: 0 = DHCP, else static client_addr/prefix */
    uint16_t tftp_port;     /* default 69 */
    uint16_t tftp_blksize;  /* RFC 2348: 8..65464, default 1468 */
    uint16_t tftp_windowsize;   /* RFC 7440: 1..65535, default 16 */
    struct pol_guid guid;   /* PART_TYPE / PART_GUID */
    uint8_t tftp_server[4]; /* IPv4, network order */
    uint8_t client_addr[4];
    uint8_t gateway[4];     /* 0.0.0.0 = none */
    char tftp_path[POL_TFTP_PATH_MAX];
};

/* A PCI function, as the ECAM/CF8 address names it (PCI Firmware 3.3 §4.1.2). */
struct pol_pci {
    uint16_t segment;
    uint8_t bus;
    uint8_t devfn;          /* device << 3 | function */
};

enum pol_mem_unit {
    POL_MEM_MIB = 0,
    POL_MEM_PERCENT = 1,    /* of the RAM the loader can split (pol_memory_split) */
};

struct pol_share {
    uint8_t unit;           /* enum pol_mem_unit */
    uint8_t pad[3];
    uint32_t value;
};

/* Weekday bits of a wake entry: bit d is day d, 0 = Sunday (as struct tm). */
#define POL_DAYS_ALL 0x7f

struct pol_wake_entry {
    uint8_t days;           /* bit mask, never 0 */
    uint8_t hour;           /* 0..23, local time of the OS (see utc_offset) */
    uint8_t minute;         /* 0..59 */
    uint8_t pad;
};

/* When an OS's own S3/S4/S5 really happens, arm the alarm (wake-from). */
#define POL_WAKE_FROM_S3 (1u << 3)
#define POL_WAKE_FROM_S4 (1u << 4)
#define POL_WAKE_FROM_S5 (1u << 5)

struct pol_schedule {
    uint8_t n;              /* entries used; 0 = no schedule */
    uint8_t from;           /* POL_WAKE_FROM_* bits, default S4|S5 */
    uint8_t rtc_local;      /* the OS keeps the RTC in local time (else UTC) */
    uint8_t pad;
    int16_t utc_offset;     /* minutes; local time = UTC + utc_offset */
    uint16_t pad2;
    struct pol_wake_entry at[POL_WAKE_MAX];
};

struct pol_os_config {
    char name[POL_NAME_MAX];        /* UTF-8, BMP only */
    char loader[POL_PATH_MAX];      /* "\EFI\...\x.efi": backslashes, on the ESP */
    char args[POL_ARGS_MAX];        /* UTF-8, BMP only; may be empty */
    struct pol_share memory;        /* private RAM of this OS */
    uint8_t on_s3, on_s4, on_s5, on_reset;  /* enum pol_choice */
    uint8_t n_hidden;
    uint8_t pad[3];
    struct pol_pci hidden[POL_PCI_MAX];     /* the air gap: never shown to this OS */
    struct pol_schedule wake;
};

struct pol_config {
    uint32_t magic;         /* POL_CONFIG_MAGIC */
    uint16_t version;       /* POL_CONFIG_VERSION */
    uint16_t size;          /* sizeof(struct pol_config) */
    uint8_t default_os;     /* POL_OS_A / POL_OS_B */
    uint8_t switch_mode;    /* enum pol_switch_mode */
    uint16_t log_port;      /* serial port I/O base; 0 = no log */
    uint32_t vmm_mib;       /* memory reserved for the VMM */
    struct pol_store store;
    struct pol_os_config os[2];
};

_Static_assert(sizeof(struct pol_guid) == 16, "pol_guid layout");
_Static_assert(sizeof(struct pol_pci) == 4, "pol_pci layout");
_Static_assert(sizeof(struct pol_wake_entry) == 4, "pol_wake_entry layout");
_Static_assert(sizeof(struct pol_schedule) == 8 + 4 * POL_WAKE_MAX, "pol_schedule layout");
_Static_assert(sizeof(struct pol_store) == 36 + POL_TFTP_PATH_MAX, "pol_store layout");
_Static_assert(sizeof(struct pol_os_config) ==
                   POL_NAME_MAX + POL_PATH_MAX + POL_ARGS_MAX + 8 + 8 + 4 * POL_PCI_MAX +
                       sizeof(struct pol_schedule),
               "pol_os_config layout");
_Static_assert(sizeof(struct pol_config) ==
                   16 + sizeof(struct pol_store) + 2 * sizeof(struct pol_os_config),
               "pol_config layout");
_Static_assert(sizeof(struct pol_config) <= UINT16_MAX, "size field");

/* Ranges the parser enforces (docs/config.md repeats them for users). */
#define POL_VMM_MIB_MIN 16u
#define POL_VMM_MIB_MAX 4096u
#define POL_OS_MIB_MIN 64u              /* no OS we target boots in less */
#define POL_OS_MIB_MAX (1u << 24)       /* 16 TiB */
#define POL_LOG_PORT_MIN 0x100u         /* below: PIC, PIT, keyboard... never a UART */
#define POL_LOG_PORT_MAX 0xfff8u        /* a 16550 decodes 8 ports */
#define POL_COM1 0x3f8u
#define POL_COM2 0x2f8u
#define POL_UTC_OFFSET_MIN (-12 * 60)
#define POL_UTC_OFFSET_MAX (14 * 60)

/*
 * Parse sleepmux.conf. text need not be NUL-terminated; CRLF and LF line ends,
 * a UTF-8 byte order mark, '#' and ';' comments are accepted. On POL_OK *cfg
 * is complete (defaults filled in); on error *err says where and why and *cfg
 * must not be used. The first error stops the parse.
 */
enum pol_status pol_parse(const char *text, size_t len, struct pol_config *cfg,
                          struct pol_error *err);

/*
 * The config as sleepmux.conf text, every key spelled out (for the VMM's log
 * and for checks): pol_parse() of it gives back *cfg byte for byte. Returns
 * the length needed, like snprintf; POL_CONFIG_TEXT_MAX always suffices.
 */
#define POL_CONFIG_TEXT_MAX 8192
size_t pol_config_format(const struct pol_config *cfg, char *buf, size_t n);

/* The defaults pol_parse() starts from (not a valid config: no store, no loaders). */
void pol_config_defaults(struct pol_config *cfg);

/* The VMM's check of the copy it was handed: magic, version, size, enum ranges. */
bool pol_config_check(const struct pol_config *cfg);

/* ------------------------------------------------------------------------
 * Loader helpers.
 */

/*
 * Which OS the loader boots fresh. stored: bit POL_OS_x set when the store
 * holds a committed, not yet restored image of that OS; negative when the
 * store could not be read (then nothing may be booted: an image of either OS
 * may be waiting, and booting it fresh would fork it). hint: the OS a
 * POL_ACT_RESET asked for, or negative. An OS with an image in the store is
 * never booted fresh: that is the loader's half of "nothing lost".
 */
enum pol_status pol_boot_choice(const struct pol_config *cfg, int stored, int hint, uint8_t *os);

/*
 * Private memory of each OS in MiB, given the RAM the loader can split
 * (installed RAM minus the VMM, firmware and shared low memory). Percent
 * shares are of avail_mib; each OS gets at least POL_OS_MIB_MIN.
 */
enum pol_status pol_memory_split(const struct pol_config *cfg, uint64_t avail_mib,
                                 uint64_t mib[2], struct pol_error *err);

/*
 * UTF-8 -> UCS-2 for UEFI (CHAR16), NUL-terminated. The parser guarantees
 * every string of the config is valid BMP UTF-8; returns false only when cap
 * (in CHAR16 units) is too small. loader paths come out as UEFI file paths.
 */
bool pol_to_ucs2(const char *utf8, uint16_t *out, size_t cap);

/* ------------------------------------------------------------------------
 * The switch engine.
 *
 * The VMM owns one struct pol_state, starts it with pol_state_init(), and
 * on every event calls pol_decide(), carries out the returned action and
 * stores *next. Store operations are asynchronous: an action that reads or
 * writes the store is answered by a later POL_EV_{WRITE,READ}_{OK,FAIL}
 * event, and the state remembers what it was waiting for.
 */

/* What the VMM is doing, from the engine's point of view. */
enum pol_phase {
    POL_PH_OFF = 0,     /* before boot, or going down (power-off, reset) */
    POL_PH_RUN,         /* the active OS runs */
    POL_PH_ASLEEP,      /* the machine is in S1-S3; the active OS is next on wake */
    POL_PH_SAVE,        /* first switch: writing the active OS's image */
    POL_PH_PERSIST,     /* writing the parked OS's image before going down */
    POL_PH_RESTORE,     /* reading the parked OS's image from the store */
    POL_PH_DISCARD,     /* marking the image just restored and verified as consumed */
    POL_PH_COUNT
};

/* Where the OS that is not active lives. "Has the other OS ever booted" is
 * not kept apart: an OS that never booted and one that shut down itself are
 * both NONE, and every decision treats them alike (boot it fresh). */
enum pol_where {
    POL_PARK_NONE = 0,  /* nowhere: never booted, or it shut down itself */
    POL_PARK_RAM,       /* parked in RAM only: must not be lost */
    POL_PARK_STORE,     /* only in the store, slot `slot` (committed, not consumed) */
    POL_PARK_COUNT
};

/* Recorded for the log and status lines. No decision depends on it: a store
 * that failed is simply tried again, and every failure has a safe fallback. */
enum pol_health {
    POL_HEALTH_UNKNOWN = 0,
    POL_HEALTH_OK,      /* the last store operation succeeded */
    POL_HEALTH_FAILED,  /* the last store operation failed */
    POL_HEALTH_COUNT
};

/* Requests: S-states 1..5 are themselves; a platform reset is POL_REQ_RESET. */
#define POL_REQ_NONE 0
#define POL_REQ_RESET 6
#define POL_SLOT_NONE 0xff

struct pol_state {
    uint8_t phase;      /* enum pol_phase */
    uint8_t active;     /* the OS running (in POL_PH_OFF: the one expected to boot next) */
    uint8_t parked;     /* enum pol_where, for the other OS */
    uint8_t slot;       /* store slot of the other OS when parked == STORE, else POL_SLOT_NONE */
    uint8_t health;     /* enum pol_health */
    uint8_t req;        /* the request being carried out (ASLEEP and the store phases) */
};

enum pol_event_kind {
    POL_EV_BOOT = 0,    /* the VMM started: os booted fresh; slot = store slot of the
                           other OS's image, or POL_SLOT_NONE */
    POL_EV_SLEEP,       /* os wrote SLP_EN for S-state sstate (0..7 as decoded) */
    POL_EV_RESET,       /* os asked for a platform reset (or triple-faulted) */
    POL_EV_RESUME,      /* the platform woke from S1-S3 */
    POL_EV_WRITE_OK,    /* the store write asked for committed; slot = where */
    POL_EV_WRITE_FAIL,
    POL_EV_READ_OK,     /* the image read, authenticated and in place */
    POL_EV_READ_FAIL,
    POL_EV_COUNT
};

struct pol_event {
    uint8_t kind;       /* enum pol_event_kind */
    uint8_t os;         /* BOOT, SLEEP, RESET */
    uint8_t sstate;     /* SLEEP */
    uint8_t slot;       /* BOOT, WRITE_OK */
};

enum pol_action_kind {
    POL_ACT_IGNORE = 0, /* nothing to do (the event needs nothing, or was unexpected) */
    POL_ACT_RESUME,     /* give the CPU to `os`: boot on, or enter its waking vector;
                           via_s3: through a real S3 first (a restore in sleep mode) */
    POL_ACT_REFUSE,     /* do not carry out os's request; return to it as from an
                           instant wake, putting back its shared set if it was saved */
    POL_ACT_PASS,       /* let os's S1-S3 request through to the hardware */
    POL_ACT_SWAP,       /* park the active OS in RAM (park) or drop it (it shut down),
                           then resume `os` from RAM; via_s3: through a real S3 */
    POL_ACT_SAVE,       /* first switch: write the active OS `os` to the store */
    POL_ACT_PERSIST,    /* write the RAM-parked OS `os` to the store */
    POL_ACT_RESTORE,    /* park (park) or drop the active OS, read `os` from slot */
    POL_ACT_DISCARD,    /* mark slot (holding `os`, restored and verified) consumed */
    POL_ACT_POWEROFF,   /* let os's S4/S5 through; arm_wake: program the alarm first */
    POL_ACT_RESET,      /* reset the platform; the loader should boot `os` */
    POL_ACT_COUNT
};

struct pol_action {
    uint8_t kind;       /* enum pol_action_kind */
    uint8_t os;         /* see each kind */
    uint8_t slot;       /* RESTORE, DISCARD */
    uint8_t park;       /* SWAP, RESTORE: keep the active OS parked in RAM */
    uint8_t via_s3;     /* SWAP, RESUME */
    uint8_t arm_wake;   /* PASS, POWEROFF: arm os's wake alarm first (pol_wake_alarm) */
    uint16_t why;       /* enum pol_reason: log it */
};

/* Why: one per decision, for the log line (pol_decision_format). */
enum pol_reason {
    POL_WHY_NONE = 0,
    POL_WHY_BOOT,           /* booted, the other OS is not parked */
    POL_WHY_BOOT_STORED,    /* booted, the other OS waits in the store */
    POL_WHY_SLEEP,          /* S1/S2, or S3 with on-s3 = sleep: a real sleep */
    POL_WHY_WAKE,           /* woke from a real sleep */
    POL_WHY_SWITCH_RAM,     /* the other OS is parked in RAM: swap */
    POL_WHY_SWITCH_STORE,   /* the other OS is in the store: restore it */
    POL_WHY_SWITCH_FIRST,   /* the other OS is not running: save this one, reset */
    POL_WHY_SAVED,          /* saved: reset to boot the other OS */
    POL_WHY_RESTORED,       /* read and verified: consume its image */
    POL_WHY_SWITCHED,       /* image consumed: enter the restored OS */
    POL_WHY_PERSIST,        /* going down: persist the RAM-parked OS first */
    POL_WHY_PERSISTED,      /* persisted: go down as asked */
    POL_WHY_DOWN,           /* going down as asked, nothing parked in RAM */
    POL_WHY_DOWN_SWITCH,    /* this OS shut down: bring the other back */
    POL_WHY_DOWN_BOOT,      /* this OS shut down, the other is not running: boot it */
    POL_WHY_SAVE_FAILED,    /* refusals and fallbacks from here on */
    POL_WHY_PERSIST_FAILED,
    POL_WHY_READ_FAILED,
    POL_WHY_DISCARD_FAILED,
    POL_WHY_NOT_SLEEP,      /* S0, S6, S7 are not sleep states */
    POL_WHY_NOT_ACTIVE,     /* the request came from the OS that is not running */
    POL_WHY_UNEXPECTED,     /* the event cannot happen in this phase */
    POL_WHY_BAD_EVENT,      /* the event names no OS, or no slot where it must */
    POL_WHY_BAD_STATE,      /* the state is not one the engine produces */
    POL_WHY_WOULD_LOSE,     /* the guard caught an action that would lose an OS */
    POL_WHY_COUNT
};

void pol_state_init(const struct pol_config *cfg, struct pol_state *st);
bool pol_state_valid(const struct pol_state *st);

/*
 * The decision. Pure: same inputs, same outputs. next may alias st. Every
 * (state, event) has an answer; invalid ones give IGNORE with the state
 * unchanged and a reason.
 */
struct pol_action pol_decide(const struct pol_config *cfg, const struct pol_state *st,
                             const struct pol_event *ev, struct pol_state *next);

/*
 * The "nothing lost" rule, stated on its own: would carrying out `a` in
 * state `st` after event `ev` destroy an OS that neither asked to go down
 * nor is safely in the store? pol_decide() passes every action through it.
 */
bool pol_keeps_everything(const struct pol_state *st, const struct pol_event *ev,
                          const struct pol_action *a);

const char *pol_reason_text(enum pol_reason why);
bool pol_reason_is_refusal(enum pol_reason why);

/* The action alone, e.g. "swap to B through S3, A parked in RAM". */
size_t pol_action_format(const struct pol_action *a, char *buf, size_t n);

/*
 * One log line for a decision, e.g.
 *   "A S3: swap to B through S3, A parked in RAM: the other OS is parked in RAM"
 * Returns the length needed, like snprintf.
 */
size_t pol_decision_format(const struct pol_event *ev, const struct pol_action *a,
                           char *buf, size_t n);

/* ------------------------------------------------------------------------
 * Wake schedules (the Intel-Mac power-on hook, DESIGN.md).
 */
struct pol_datetime {
    uint16_t year;      /* 1970..9999 */
    uint8_t month;      /* 1..12 */
    uint8_t day;        /* 1..31 */
    uint8_t hour;       /* 0..23 */
    uint8_t minute;
    uint8_t second;
};

bool pol_datetime_valid(const struct pol_datetime *t);
int pol_weekday(const struct pol_datetime *t);     /* 0 = Sunday */
int pol_datetime_cmp(const struct pol_datetime *a, const struct pol_datetime *b);
/* Adds (or subtracts) minutes across day, month, year and leap years. */
void pol_datetime_add_minutes(struct pol_datetime *t, int32_t minutes);

/*
 * The first scheduled time strictly after `now`, both in the OS's local
 * time. At most 7 days ahead.
 */
enum pol_status pol_wake_next(const struct pol_schedule *s, const struct pol_datetime *now,
                              struct pol_datetime *next);

/*
 * The alarm to program, in the RTC's own time base: rtc_now is what the RTC
 * reads now, kept by the OS that owns this schedule (UTC, or local time with
 * its offset); the result is in the same base.
 */
enum pol_status pol_wake_alarm(const struct pol_schedule *s, const struct pol_datetime *rtc_now,
                               struct pol_datetime *rtc_alarm);

/* "mon-fri 07:30, sat sun 09:00" (or "daily 07:30"); returns length needed. */
size_t pol_wake_format(const struct pol_schedule *s, char *buf, size_t n);

#endif
