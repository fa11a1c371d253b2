/* SPDX-License-Identifier: MIT */
/*
 * bochs-probe.efi: the UEFI-level test guest of the Bochs kit, started by
 * the sleepmux loader as "the OS" (a Linux boot to user space takes about
 * 90 s under Bochs; this takes a second). It proves what the guest sees and
 * prints one line per fact, "SMX-PROBE key=value ...", for the harness:
 *
 *   cpuid     the hypervisor leaf's signature (sleepmux's, or none) and the
 *             VMX feature bit (CPUID.1:ECX[5], Intel SDM vol. 2A, Table 3-10)
 *   region    every byte of the VMM's region that CPUID 0x40000002 names:
 *             how many are nonzero (0 when the sink page hides it)
 *   sleep     then it requests the sleep state its load options name
 *             ("s3" or "s5") the way an OS does: SLP_TYP from the DSDT's
 *             \_Sx_ package, written to PM1a_CNT with SLP_EN (ACPI 6.5
 *             §4.8.3.2.1, §7.4.2)
 */
#include <efi.h>
#include <efilib.h>

#define SMX_LEAF 0x40000000u
#define SMX_LEAF_REGION 0x40000002u
#define CPUID1_ECX_VMX (1u << 5)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_EN (1u << 13)
#define AML_PACKAGE_OP 0x12
#define AML_ZERO_OP 0x00
#define AML_ONE_OP 0x01
#define AML_BYTE_PREFIX 0x0a

struct __attribute__((packed)) rsdp {
    char signature[8];
    UINT8 checksum;
    char oem_id[6];
    UINT8 revision;
    UINT32 rsdt;
    UINT32 length;
    UINT64 xsdt;
};

struct __attribute__((packed)) sdt {
    char signature[4];
    UINT32 length;
    UINT8 revision, checksum;
    char oem[6], oem_table[8];
    UINT32 oem_rev, creator, creator_rev;
};

static void cpuid(UINT32 leaf, UINT32 r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

static const struct sdt *find_table(const struct sdt *xsdt, const char *sig)
{
    const UINT64 *e = (const UINT64 *)(xsdt + 1);
    UINTN n = (xsdt->length - sizeof *xsdt) / 8;

    for (UINTN i = 0; i < n; i++) {
        const struct sdt *t = (const struct sdt *)(UINTN)e[i];
        if (CompareMem(t->signature, (void *)sig, 4) == 0)
            return t;
    }
    return NULL;
}

/* SLP_TYPa of \_Sx_: a Name of a Package whose first element is Zero, One
 * or a BytePrefix constant (ACPI 6.5 §20.2.5.4); -1 if absent. */
static int slp_typ(const struct sdt *dsdt, char x)
{
    const UINT8 *p = (const UINT8 *)dsdt, *end = p + dsdt->length - 8;
    const UINT8 name[4] = { '_', 'S', (UINT8)x, '_' };

    for (; p < end; p++) {
        if (CompareMem((void *)p, (void *)name, 4) || p[4] != AML_PACKAGE_OP)
            continue;
        const UINT8 *q = p + 5;
        q += 1 + (*q >> 6); /* PkgLength: lead byte plus 0-3 more */
        q++;                /* NumElements */
        if (*q == AML_ZERO_OP || *q == AML_ONE_OP)
            return *q;
        if (*q == AML_BYTE_PREFIX)
            return q[1];
        return -1;
    }
    return -1;
}

static int sleep_now(char x)
{
    static EFI_GUID acpi20 = ACPI_20_TABLE_GUID;
    const struct rsdp *rsdp = NULL;

    for (UINTN i = 0; i < ST->NumberOfTableEntries; i++)
        if (!CompareGuid(&ST->ConfigurationTable[i].VendorGuid, &acpi20))
            rsdp = ST->ConfigurationTable[i].VendorTable;
    if (!rsdp || !rsdp->xsdt) {
        Print(L"SMX-PROBE error=no-acpi-tables\n");
        return -1;
    }
    const struct sdt *fadt = find_table((const struct sdt *)(UINTN)rsdp->xsdt, "FACP");
    if (!fadt) {
        Print(L"SMX-PROBE error=no-fadt\n");
        return -1;
    }
    const UINT8 *f = (const UINT8 *)fadt;
    UINT32 pm1a_cnt = *(const UINT32 *)(f + 64);  /* PM1a_CNT_BLK, ACPI 6.5 Table 5.9 */
    UINT64 xdsdt = fadt->length >= 148 ? *(const UINT64 *)(f + 140) : 0;
    const struct sdt *dsdt = (const struct sdt *)(UINTN)(xdsdt ? xdsdt : *(const UINT32 *)(f + 40));
    int typ = slp_typ(dsdt, x);
    if (typ < 0) {
        Print(L"SMX-PROBE error=no-_S%c_\n", x);
        return -1;
    }
    UINT16 v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"((UINT16)pm1a_cnt));
    v = (UINT16)((v & ~(7u << PM1_SLP_TYP_SHIFT)) | (UINT16)typ << PM1_SLP_TYP_SHIFT);
    Print(L"SMX-PROBE event=sleep state=S%c pm1a_cnt=%x value=%x slp_typ=%d\n", x, pm1a_cnt,
          v | PM1_SLP_EN, typ);
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"((UINT16)pm1a_cnt));
    __asm__ volatile("outw %0, %1" : : "a"((UINT16)(v | PM1_SLP_EN)), "Nd"((UINT16)pm1a_cnt));
    return 0;
}

EFI_STATUS efi_main(EFI_HANDLE self, EFI_SYSTEM_TABLE *systab);
EFI_STATUS efi_main(EFI_HANDLE self, EFI_SYSTEM_TABLE *systab)
{
    UINT32 r[4], f1[4];
    char sig[13] = { 0 };

    InitializeLib(self, systab);
    cpuid(SMX_LEAF, r);
    CopyMem(sig, &r[1], 4);
    CopyMem(sig + 4, &r[2], 4);
    CopyMem(sig + 8, &r[3], 4);
    int smx = CompareMem(sig, "sleepmux-vmm", 12) == 0;
    cpuid(1, f1);
    Print(L"SMX-PROBE event=cpuid signature=%a vmx=%d\n", smx ? "sleepmux-vmm" : "none",
          (f1[2] & CPUID1_ECX_VMX) != 0);
    if (smx) {
        cpuid(SMX_LEAF_REGION, r);
        UINT64 base = r[0] | (UINT64)r[1] << 32, size = r[2] | (UINT64)r[3] << 32;
        const volatile UINT64 *p = (const volatile UINT64 *)(UINTN)base;
        UINT64 nonzero = 0;
        for (UINT64 i = 0; i < size / 8; i++)
            if (p[i])
                nonzero++;
        Print(L"SMX-PROBE event=region base=%lx size=%lx nonzero_words=%ld\n", base, size, nonzero);
    }

    /* The load options say which sleep to request: "s3" or "s5". */
    EFI_LOADED_IMAGE *li;
    char state = '5';
    if (!EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, self, &LoadedImageProtocol, (void **)&li)) &&
        li->LoadOptionsSize >= 4) {
        const CHAR16 *o = li->LoadOptions;
        for (UINTN i = 0; i + 1 < li->LoadOptionsSize / 2; i++)
            if (o[i] == L's' && (o[i + 1] == L'3' || o[i + 1] == L'5'))
                state = (char)o[i + 1];
    }
    sleep_now(state);
    /* Bochs resets (S3) or exits (S5) at the write; reaching here means
     * the write did not act. */
    Print(L"SMX-PROBE event=awake\n");
    return EFI_SUCCESS;
}
