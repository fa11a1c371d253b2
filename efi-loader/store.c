/* SPDX-License-Identifier: MIT */
#include "store.h"

#include <efilib.h>
#include <efigpt.h>

#include "console.h"
#include "fmt.h"
#include "gpt_entry.h"
#include "imagestore.h"
#include "store_check.h"
#include "vars.h"

/* UEFI 2.10 §13.18: EFI_PARTITION_INFO_PROTOCOL (gnu-efi 3.0.15 lacks it). */
#define PARTITION_INFO_GUID { 0x8cf2f62c, 0xbc9b, 0x4821, { 0x80, 0x8d, 0xec, 0x9e, 0xc4, 0x21, 0xa1, 0xa0 } }
#define PARTITION_INFO_TYPE_GPT 2
struct partition_info {
    UINT32 revision;
    UINT32 type;
    UINT8 system;
    UINT8 reserved[7];
    union {
        UINT8 mbr[16];
        EFI_PARTITION_ENTRY gpt;
    } info;
} __attribute__((packed));
_Static_assert(sizeof(struct partition_info) == 16 + 128, "EFI_PARTITION_INFO_PROTOCOL layout");

/* UEFI 2.10 §10.3.4.21: NVM Express namespace device path (gnu-efi lacks it). */
#define MSG_NVME_NAMESPACE_DP 0x17
struct nvme_dp {
    EFI_DEVICE_PATH_PROTOCOL header;
    UINT32 nsid;
    UINT64 eui64;
} __attribute__((packed));

/* UEFI 2.10 §10.3.5.1: the hard drive node's signature is the partition's
 * unique GUID when SignatureType is 2 (and MBRType 2: a GPT disk). */
#define HD_SIGNATURE_GUID 0x02
#define HD_MBR_TYPE_GPT 0x02

struct found {
    EFI_HANDLE handle;
    EFI_BLOCK_IO *bio;
    EFI_DEVICE_PATH *dp;
    HARDDRIVE_DEVICE_PATH *hd;
};

static HARDDRIVE_DEVICE_PATH *hd_node(EFI_DEVICE_PATH *dp)
{
    for (; dp && !IsDevicePathEnd(dp); dp = NextDevicePathNode(dp))
        if (DevicePathType(dp) == MEDIA_DEVICE_PATH && DevicePathSubType(dp) == MEDIA_HARDDRIVE_DP)
            return (HARDDRIVE_DEVICE_PATH *)dp;
    return NULL;
}

/* The handle that carries `proto` on the device path `dp` cut before node
 * `at` (the disk above a partition, the PCI function above a disk). */
static EFI_HANDLE parent(EFI_DEVICE_PATH *dp, const void *at, EFI_GUID *proto)
{
    UINTN len = (UINTN)((const UINT8 *)at - (const UINT8 *)dp);
    UINT8 *copy = AllocatePool(len + 4);
    EFI_HANDLE h = NULL;

    if (!copy)
        return NULL;
    CopyMem(copy, dp, len);
    copy[len] = END_DEVICE_PATH_TYPE;
    copy[len + 1] = END_ENTIRE_DEVICE_PATH_SUBTYPE;
    copy[len + 2] = 4;
    copy[len + 3] = 0;
    EFI_DEVICE_PATH *p = (EFI_DEVICE_PATH *)copy;
    EFI_STATUS st = uefi_call_wrapper(BS->LocateDevicePath, 3, proto, &p, &h);
    /* LocateDevicePath stops at the longest prefix with the protocol: it
     * must be the whole of what we asked for. */
    if (EFI_ERROR(st) || !IsDevicePathEnd(p))
        h = NULL;
    FreePool(copy);
    return h;
}

static int disk_read(void *ctx, uint64_t lba, void *buf)
{
    EFI_BLOCK_IO *bio = ctx;
    return EFI_ERROR(uefi_call_wrapper(bio->ReadBlocks, 5, bio, bio->Media->MediaId, lba, bio->Media->BlockSize, buf))
               ? -1 : 0;
}

/* The partition's GPT type GUID from the disk's own table (UEFI 2.10 §5.3),
 * for firmware without EFI_PARTITION_INFO_PROTOCOL. */
static int gpt_type(const struct found *f, EFI_GUID *type)
{
    EFI_HANDLE disk = parent(f->dp, f->hd, &BlockIoProtocol);
    EFI_BLOCK_IO *bio;

    if (!disk || EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, disk, &BlockIoProtocol, (void **)&bio)))
        return 0;
    struct gpt_reader r = { bio, bio->Media->BlockSize, disk_read };
    UINT8 *buf = AllocatePool(r.block_size);
    if (!buf)
        return 0;
    const char *err = gpt_entry_type(&r, f->hd->PartitionNumber, f->hd->PartitionStart, buf, (uint8_t *)type);
    FreePool(buf);
    if (err)
        loader_log("store: partition %u at LBA %llu: %s", f->hd->PartitionNumber,
                   (unsigned long long)f->hd->PartitionStart, err);
    return !err;
}

static int type_guid(const struct found *f, EFI_GUID *type)
{
    EFI_GUID pi_guid = PARTITION_INFO_GUID;
    struct partition_info *pi;

    if (!EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, f->handle, &pi_guid, (void **)&pi)) &&
        pi->type == PARTITION_INFO_TYPE_GPT) {
        CopyMem(type, &pi->info.gpt.PartitionTypeGUID, sizeof *type);
        return 1;
    }
    return gpt_type(f, type);
}

static int find(const struct pol_store *want, struct found *out)
{
    UINTN n = 0;
    EFI_HANDLE *hs = NULL;
    int hit = 0;

    if (EFI_ERROR(LibLocateHandle(ByProtocol, &BlockIoProtocol, NULL, &n, &hs)))
        return 0;
    for (UINTN i = 0; i < n && !hit; i++) {
        struct found f = { .handle = hs[i] };
        EFI_GUID g;
        if (EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, hs[i], &BlockIoProtocol, (void **)&f.bio)) ||
            !f.bio->Media->LogicalPartition || !f.bio->Media->MediaPresent)
            continue;
        f.dp = DevicePathFromHandle(hs[i]);
        f.hd = hd_node(f.dp);
        if (!f.hd || f.hd->MBRType != HD_MBR_TYPE_GPT || f.hd->SignatureType != HD_SIGNATURE_GUID)
            continue;
        if (want->kind == POL_STORE_PART_GUID)
            hit = !CompareMem(f.hd->Signature, want->guid.b, 16);
        else
            hit = type_guid(&f, &g) && !CompareMem(&g, want->guid.b, 16);
        if (hit)
            *out = f;
    }
    FreePool(hs);
    return hit;
}

/* Firmware that boots fast connects only the boot device (UEFI 2.10 §3.1.3):
 * connect everything once before saying the partition is not there. */
static void connect_all(void)
{
    UINTN n = 0;
    EFI_HANDLE *hs = NULL;

    if (EFI_ERROR(LibLocateHandle(AllHandles, NULL, NULL, &n, &hs)))
        return;
    for (UINTN i = 0; i < n; i++)
        uefi_call_wrapper(BS->ConnectController, 4, hs[i], NULL, NULL, TRUE);
    FreePool(hs);
}

/* The controller behind the partition: the last PCI node before the
 * messaging node that names a SATA port or an NVMe namespace. */
static void controller(const struct found *f, struct smx_store_info *info)
{
    EFI_DEVICE_PATH *dp, *msg = NULL;

    for (dp = f->dp; !IsDevicePathEnd(dp) && (void *)dp != (void *)f->hd; dp = NextDevicePathNode(dp)) {
        if (DevicePathType(dp) != MESSAGING_DEVICE_PATH)
            continue;
        if (DevicePathSubType(dp) == MSG_SATA_DP) {
            info->ctrl = SMX_CTRL_AHCI;
            info->unit = ((SATA_DEVICE_PATH *)dp)->HBAPortNumber;
        } else if (DevicePathSubType(dp) == MSG_NVME_NAMESPACE_DP) {
            info->ctrl = SMX_CTRL_NVME;
            info->unit = (uint16_t)((struct nvme_dp *)dp)->nsid;
        }
        if (info->ctrl) {
            msg = dp;
            break;
        }
    }
    /* The PCI function itself (its bus number is not in the path). */
    EFI_HANDLE pci = parent(f->dp, msg ? (void *)msg : (void *)f->hd, &PciIoProtocol);
    EFI_PCI_IO *io;
    UINTN seg, bus, dev, fn;
    if (pci && !EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, pci, &PciIoProtocol, (void **)&io)) &&
        !EFI_ERROR(uefi_call_wrapper(io->GetLocation, 5, io, &seg, &bus, &dev, &fn))) {
        info->pci_segment = (uint16_t)seg;
        info->pci_bus = (uint8_t)bus;
        info->pci_devfn = (uint8_t)(dev << 3 | fn);
    }
}

struct bdev {
    EFI_BLOCK_IO *bio;
};

static int bread(void *ctx, uint64_t lba, uint32_t n, void *buf)
{
    EFI_BLOCK_IO *bio = ((struct bdev *)ctx)->bio;
    return EFI_ERROR(uefi_call_wrapper(bio->ReadBlocks, 5, bio, bio->Media->MediaId, lba,
                                       (UINTN)n * bio->Media->BlockSize, buf)) ? -1 : 0;
}

/* The loader only reads the store: a write would be a bug. */
static int bwrite(void *ctx, uint64_t lba, uint32_t n, const void *buf)
{
    (void)ctx, (void)lba, (void)n, (void)buf;
    return -1;
}

static int bflush(void *ctx)
{
    (void)ctx;
    return -1;
}

/* A GUID as written in sleepmux.conf (UEFI 2.10 Appendix A byte order). */
static const char *guid_str(const uint8_t *b, char *out, UINTN len)
{
    smx_snprintf(out, len, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[3], b[2], b[1],
                 b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    return out;
}

void loader_store_read(const struct pol_config *cfg, const uint8_t key[32], struct smx_store_info *info,
                       int *stored)
{
    struct found f;
    char line[320];

    SetMem(info, sizeof *info, 0);
    info->slot_of[0] = info->slot_of[1] = 0xff;
    *stored = 0;
    if (cfg->store.kind == POL_STORE_TFTP) {
        loader_log("store: on a TFTP server: the VMM reads it, the loader cannot");
        info->vmm_reads = 1;
        return;
    }
    if (!find(&cfg->store, &f)) {
        connect_all();
        if (!find(&cfg->store, &f)) {
            /* Nothing can be waiting on a partition that is not there:
             * this boot runs without switching. */
            loader_log("store: no GPT partition with %s %s: no switching this boot",
                       cfg->store.kind == POL_STORE_PART_GUID ? "unique GUID" : "type GUID",
                       guid_str(cfg->store.guid.b, line, sizeof line));
            return;
        }
    }
    info->block_size = f.bio->Media->BlockSize;
    info->first_lba = f.hd->PartitionStart;
    info->lba_count = f.hd->PartitionSize;
    controller(&f, info);

    uint64_t floor = 0;
    EFI_STATUS st = loader_var_get(L"SleepmuxGeneration", &floor, sizeof floor);
    if (EFI_ERROR(st) && st != EFI_NOT_FOUND) {
        loader_log("store: the UEFI variable SleepmuxGeneration is unreadable or not sleepmux's (%s): "
                   "the store cannot be trusted", efi_status_str(st));
        *stored = -1;
        return;
    }
    if (EFI_ERROR(st))
        floor = 0;

    static struct img_store s;
    struct store_verdict v;
    struct bdev ctx = { f.bio };
    struct img_blockdev dev = { &ctx, info->block_size, info->lba_count, bread, bwrite, bflush };
    EFI_PHYSICAL_ADDRESS io = 0;
    if (info->block_size < 512 || info->block_size > 4096 ||
        EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiLoaderData, 1, &io))) {
        loader_log("store: partition at LBA %llu: block size %u or no page for I/O: cannot read it",
                   (unsigned long long)info->first_lba, info->block_size);
        *stored = -1;
        return;
    }
    store_judge(&dev, key, floor, (void *)(uintptr_t)io, &s, &v, line, sizeof line);
    uefi_call_wrapper(BS->FreePages, 2, io, 1);
    *stored = v.stored;
    if (v.stored < 0) {
        loader_log("store: partition at LBA %llu: %s", (unsigned long long)info->first_lba, line);
        return;
    }
    if (v.raise) {
        st = loader_var_set(L"SleepmuxGeneration", &v.floor, sizeof v.floor);
        if (EFI_ERROR(st))
            loader_log("store: cannot raise SleepmuxGeneration to %llu: %s", (unsigned long long)v.floor,
                       efi_status_str(st));
    }
    info->found = 1;
    info->generation_floor = v.floor;
    info->slot_of[0] = v.slot_of[0];
    info->slot_of[1] = v.slot_of[1];
    loader_log("store: partition at LBA %llu, %llu blocks of %u, controller %s %02x:%02x.%x unit %u: %s",
               (unsigned long long)info->first_lba, (unsigned long long)info->lba_count, info->block_size,
               info->ctrl == SMX_CTRL_AHCI ? "AHCI" : info->ctrl == SMX_CTRL_NVME ? "NVMe" : "other",
               info->pci_bus, info->pci_devfn >> 3, info->pci_devfn & 7, info->unit, line);
}
