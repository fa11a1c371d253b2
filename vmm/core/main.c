/* SPDX-License-Identifier: MIT */
/*
 * The VMM's start (DESIGN.md, "Boot flow" step 4): check the CPU, find the
 * platform's sleep registers, claim the few I/O ports sleepmux needs, build
 * the nested page tables, and turn the loader's own CPU state into the
 * first guest. Everything that can fail happens before anything visible
 * changes, so a refusal returns to the loader with the machine as it was.
 */
#include <stddef.h>

#include "bootinfo.h"
#include "uart.h"
#include "calibrate.h"
#include "cpu_tables.h"
#include "init.h"
#include "guest.h"
#include "integrity.h"
#include "iotrap.h"
#include "log.h"
#include "mem.h"
#include "smp.h"
#include "../arch/x86/apic.h"
#include "switch.h"
#include "time.h"
#include "version.h"
#include "vmm.h"

struct vmm_state vmm;

static void uart_sink(void *ctx, const char *s, size_t n)
{
    smx_uart_write((uint16_t)(uintptr_t)ctx, s, n);
}

extern smx_init_fn *const __smx_init_start[], *const __smx_init_end[];

int smx_run_inits(const struct smx_bootinfo *bi)
{
    for (smx_init_fn *const *f = __smx_init_start; f < __smx_init_end; f++) {
        int e = (*f)(bi);
        if (e)
            return e;
    }
    return 0;
}

enum smx_start_error vmm_start(struct smx_bootinfo *bi);

enum smx_start_error vmm_start(struct smx_bootinfo *bi)
{
    if (!bi || bi->magic != SMX_BOOTINFO_MAGIC || bi->version != SMX_BOOTINFO_VERSION || bi->size != sizeof *bi)
        return SMX_START_BAD_BOOTINFO;
    vmm.bi = bi;
    if (!pol_config_check(&bi->config) || bi->os > POL_OS_B)
        return SMX_START_BAD_CONFIG;
    if (bi->log_port && smx_uart_init(bi->log_port))
        smx_log_add_sink(uart_sink, (void *)(uintptr_t)bi->log_port);
    uint64_t hz = calibrate_tsc_hz();
    smx_time_init(hz);
    smx_log("vmm", "sleepmux vmm %s (loader %s), TSC %llu MHz; OS %c (%s) is booting", SMX_VERSION,
            bi->loader_version, (unsigned long long)(hz / 1000000), bi->os == POL_OS_A ? 'A' : 'B',
            bi->config.os[bi->os].name);
    smx_log("vmm", "region %#llx-%#llx (%llu MiB, image %llu KiB), trampoline %#llx, RSDP %#llx",
            (unsigned long long)bi->region_base, (unsigned long long)(bi->region_base + bi->region_size),
            (unsigned long long)(bi->region_size >> 20), (unsigned long long)(bi->image_size >> 10),
            (unsigned long long)bi->trampoline_base, (unsigned long long)bi->rsdp);
    mem_init(bi->region_base, bi->free_base, bi->region_base + bi->region_size);
    if (mem_low_alias_init())
        return SMX_START_NO_MEMORY;

    vmm.ops = vcpu_pick();
    if (!vmm.ops)
        return SMX_START_UNSUPPORTED_CPU;
    enum smx_start_error e = vmm.ops->probe();
    if (e)
        return e;
    e = (enum smx_start_error)smx_run_inits(bi);
    if (e)
        return e;
    e = vmm.ops->init(bi);
    if (e)
        return e;
    if (!guests_init(bi))
        return SMX_START_NO_MEMORY;
    struct pcpu *bsp = &vmm.cpus[0];
    bsp->self = bsp;
    bsp->apic_id = apic_id();
    vmm.ncpus = 1;
    e = vmm.ops->cpu_init(bsp);
    if (e)
        return e;
    bsp->view = guests[bi->os].view;
    e = vmm.ops->resume(bsp);
    if (e)
        return e;
    /* Nothing can fail from here on: the loader's tables give way to ours. */
    cpu_tables_load(bsp);
    smp_start_aps();
    integrity_init();
    smx_log("vmm", "active: %s back end, %u trapped port ranges, %llu KiB free; the firmware continues as guest",
            vmm.ops->name, io_trap_count(), (unsigned long long)(mem_free_bytes() >> 10));
    switch_start();
    vmm.ops->run_boot(bsp, &bi->guest);
}
