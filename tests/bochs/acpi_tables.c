/* SPDX-License-Identifier: MIT */
/*
 * bochs-acpi.efi: the Bochs test kit's stand-in for a platform's ACPI
 * tables (test kit only, never installed on a machine).
 *
 * OVMF under Bochs installs no ACPI tables: its platform driver reads them
 * from QEMU's fw_cfg, which Bochs does not have. This application installs
 * a FACS, the DSDT compiled from dsdt.asl and a FADT describing Bochs's
 * PIIX4 power-management function through EFI_ACPI_TABLE_PROTOCOL (UEFI
 * PI 1.7 vol. 5 / ACPI 6.5 §5.2), which builds the RSDP, RSDT and XSDT and
 * publishes them in the system table, as firmware does on a real machine.
 * Then it chain-loads the sleepmux loader from its own device.
 *
 * The PM base is not assumed: it is read back from the PIIX4 function-3
 * PMBA register (Intel 82371AB datasheet §3.4.2.1, config offset 40h),
 * where OVMF's PlatformPei put it (0xB000 on an i440FX host bridge).
 */
#include <efi.h>
#include <efilib.h>

#include "dsdt.hex"

#define LOADER_PATH L"\\EFI\\sleepmux\\sleepmux.efi"

/* PCI configuration mechanism #1 (PCI Local Bus 3.0 §3.2.2.3.2). */
#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA 0xcfc
/* PIIX4 function 3, power management (82371AB datasheet §3.4.2). */
#define PIIX4_PM_BUS 0
#define PIIX4_PM_DEV 1
#define PIIX4_PM_FN 3
#define PIIX4_PM_ID 0x71138086u
#define PIIX4_PMBA 0x40
#define PIIX4_PMREGMISC 0x80 /* bit 0: PM I/O space enabled */
/* Offsets within the PM block (82371AB §3.4.3). */
#define PM1_EVT_OFF 0x00
#define PM1_CNT_OFF 0x04
#define PM_TMR_OFF 0x08
#define GPE0_OFF 0x0c
/* Bochs's CMOS century byte (bochs iodev/cmos.cc). */
#define RTC_CENTURY 0x32
#define SCI_IRQ 9

/* EFI_ACPI_TABLE_PROTOCOL (UEFI 2.10 §20.2); gnu-efi does not define it. */
#define ACPI_TABLE_PROTOCOL_GUID \
    { 0xffe06bdd, 0x6107, 0x46a6, { 0x7b, 0xb2, 0x5a, 0x9c, 0x7e, 0xc5, 0x27, 0x5c } }
struct acpi_table_protocol {
    EFI_STATUS(EFIAPI *install)(struct acpi_table_protocol *self, void *table, UINTN size, UINTN *key);
    EFI_STATUS(EFIAPI *uninstall)(struct acpi_table_protocol *self, UINTN key);
};

/* ACPI 6.5 §5.2.6. */
struct __attribute__((packed)) sdt_header {
    char signature[4];
    UINT32 length;
    UINT8 revision, checksum;
    char oem_id[6], oem_table_id[8];
    UINT32 oem_revision, creator_id, creator_revision;
};

/* ACPI 6.5 §5.2.10, Table 5.14. */
struct __attribute__((packed)) facs {
    char signature[4];
    UINT32 length, hw_signature, waking_vector, global_lock, flags;
    UINT64 x_waking_vector;
    UINT8 version, reserved[3];
    UINT32 ospm_flags;
    UINT8 reserved2[24];
};
_Static_assert(sizeof(struct facs) == 64, "FACS is 64 bytes");

/* ACPI 6.5 §5.2.9, Table 5.9, up to X_GPE1_BLK: the revision-4 (ACPI 3.0)
 * layout; the X_ blocks stay zero, the 32-bit blocks say it all. */
struct __attribute__((packed)) fadt {
    struct sdt_header h;
    UINT32 firmware_ctrl, dsdt;
    UINT8 reserved0, pm_profile;
    UINT16 sci_int;
    UINT32 smi_cmd;
    UINT8 acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
    UINT32 pm1a_evt, pm1b_evt, pm1a_cnt, pm1b_cnt, pm2_cnt, pm_tmr, gpe0, gpe1;
    UINT8 pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len, gpe0_len, gpe1_len, gpe1_base, cst_cnt;
    UINT16 p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
    UINT8 duty_offset, duty_width, day_alrm, mon_alrm, century;
    UINT16 iapc_boot_arch;
    UINT8 reserved1;
    UINT32 flags;
    UINT8 reset_reg[12];
    UINT8 reset_value;
    UINT8 reserved2[3];
    UINT64 x_firmware_ctrl, x_dsdt;
    UINT8 x_blocks[8][12];
};
_Static_assert(sizeof(struct fadt) == 244, "FADT revision 4 is 244 bytes");
_Static_assert(__builtin_offsetof(struct fadt, flags) == 112, "FADT flags offset");
_Static_assert(__builtin_offsetof(struct fadt, x_firmware_ctrl) == 132, "FADT X_FIRMWARE_CTRL offset");

#define FADT_WBINVD (1u << 0)
#define FADT_PROC_C1 (1u << 2)
#define FADT_SLP_BUTTON (1u << 5) /* no fixed sleep button */
#define BOOT_ARCH_LEGACY_DEVICES (1u << 0)
#define BOOT_ARCH_8042 (1u << 1)

static inline void outl(UINT16 port, UINT32 v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline UINT32 inl(UINT16 port)
{
    UINT32 v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static UINT32 pci_read32(UINT8 bus, UINT8 dev, UINT8 fn, UINT8 off)
{
    outl(PCI_CONFIG_ADDRESS, 0x80000000u | (UINT32)bus << 16 | (UINT32)dev << 11 | (UINT32)fn << 8 | (off & 0xfc));
    return inl(PCI_CONFIG_DATA);
}

static void fill_header(struct sdt_header *h, const char *sig, UINT32 len, UINT8 rev)
{
    CopyMem(h->signature, (void *)sig, 4);
    h->length = len;
    h->revision = rev;
    CopyMem(h->oem_id, "SMXTST", 6);
    CopyMem(h->oem_table_id, "BOCHSKIT", 8);
    h->oem_revision = 1;
    CopyMem(&h->creator_id, "SMXT", 4);
    h->creator_revision = 1;
}

static void checksum(void *table, UINT32 len, UINT8 *field)
{
    UINT8 sum = 0;

    *field = 0;
    for (UINT32 i = 0; i < len; i++)
        sum = (UINT8)(sum + ((UINT8 *)table)[i]);
    *field = (UINT8)-sum;
}

static EFI_STATUS install(struct acpi_table_protocol *p, void *t, UINTN len, const CHAR16 *what)
{
    UINTN key;
    EFI_STATUS st = uefi_call_wrapper(p->install, 4, p, t, len, &key);

    if (EFI_ERROR(st))
        Print(L"bochs-acpi: installing the %s failed: %r\n", what, st);
    return st;
}

/* gnu-efi's crt0 calls efi_main with the System V convention: no EFIAPI. */
EFI_STATUS efi_main(EFI_HANDLE self, EFI_SYSTEM_TABLE *systab);
EFI_STATUS efi_main(EFI_HANDLE self, EFI_SYSTEM_TABLE *systab)
{
    static EFI_GUID table_guid = ACPI_TABLE_PROTOCOL_GUID;
    struct acpi_table_protocol *acpi;
    static struct facs facs;
    static struct fadt fadt;
    EFI_STATUS st;

    InitializeLib(self, systab);
    UINT32 id = pci_read32(PIIX4_PM_BUS, PIIX4_PM_DEV, PIIX4_PM_FN, 0);
    if (id != PIIX4_PM_ID) {
        Print(L"bochs-acpi: no PIIX4 power management function at 00:01.3 (id %08x): not Bochs's i440FX\n", id);
        return EFI_UNSUPPORTED;
    }
    UINT32 pmba = pci_read32(PIIX4_PM_BUS, PIIX4_PM_DEV, PIIX4_PM_FN, PIIX4_PMBA) & 0xffc0u;
    UINT32 misc = pci_read32(PIIX4_PM_BUS, PIIX4_PM_DEV, PIIX4_PM_FN, PIIX4_PMREGMISC);
    if (!pmba || !(misc & 1)) {
        Print(L"bochs-acpi: the firmware left the PIIX4 PM block unset (PMBA %x, PMREGMISC %x)\n", pmba, misc);
        return EFI_NOT_READY;
    }
    st = uefi_call_wrapper(BS->LocateProtocol, 3, &table_guid, NULL, (void **)&acpi);
    if (EFI_ERROR(st)) {
        Print(L"bochs-acpi: the firmware has no EFI_ACPI_TABLE_PROTOCOL: %r\n", st);
        return st;
    }

    CopyMem(facs.signature, "FACS", 4);
    facs.length = sizeof facs;
    facs.version = 2;

    fill_header(&fadt.h, "FACP", sizeof fadt, 4);
    fadt.sci_int = SCI_IRQ;
    fadt.pm1a_evt = pmba + PM1_EVT_OFF;
    fadt.pm1a_cnt = pmba + PM1_CNT_OFF;
    fadt.pm_tmr = pmba + PM_TMR_OFF;
    fadt.gpe0 = pmba + GPE0_OFF;
    fadt.pm1_evt_len = 4;
    fadt.pm1_cnt_len = 2;
    fadt.pm_tmr_len = 4;
    fadt.gpe0_len = 4;
    fadt.p_lvl2_lat = 101; /* > 100: C2 unsupported (§5.2.9) */
    fadt.p_lvl3_lat = 1001; /* > 1000: C3 unsupported */
    fadt.century = RTC_CENTURY;
    fadt.iapc_boot_arch = BOOT_ARCH_LEGACY_DEVICES | BOOT_ARCH_8042;
    fadt.flags = FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON;
    checksum(&fadt, sizeof fadt, &fadt.h.checksum);

    /* The protocol links FACS and DSDT into the FADT whichever comes first. */
    if (EFI_ERROR((st = install(acpi, &facs, sizeof facs, L"FACS"))))
        return st;
    if (EFI_ERROR((st = install(acpi, dsdt_aml_code, sizeof dsdt_aml_code, L"DSDT"))))
        return st;
    if (EFI_ERROR((st = install(acpi, &fadt, sizeof fadt, L"FADT"))))
        return st;
    Print(L"bochs-acpi: FACS, DSDT (%d bytes), FADT installed: PM base %x, PM1a_CNT %x\n",
          (int)sizeof dsdt_aml_code, pmba, fadt.pm1a_cnt);

    EFI_LOADED_IMAGE *li;
    st = uefi_call_wrapper(BS->HandleProtocol, 3, self, &LoadedImageProtocol, (void **)&li);
    if (EFI_ERROR(st))
        return st;
    EFI_DEVICE_PATH *dp = FileDevicePath(li->DeviceHandle, LOADER_PATH);
    EFI_HANDLE child;
    st = uefi_call_wrapper(BS->LoadImage, 6, FALSE, self, dp, NULL, 0, &child);
    if (EFI_ERROR(st)) {
        Print(L"bochs-acpi: cannot load %s: %r\n", LOADER_PATH, st);
        return st;
    }
    st = uefi_call_wrapper(BS->StartImage, 3, child, NULL, NULL);
    Print(L"bochs-acpi: %s returned %r\n", LOADER_PATH, st);
    return st;
}
