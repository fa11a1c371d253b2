/* SPDX-License-Identifier: MIT */
#include "s3.h"

#include <stddef.h>
#include <string.h>

#include "../arch/x86/cpu.h"
#include "uart.h"
#include "cpu_tables.h"
#include "init.h"
#include "integrity.h"
#include "log.h"
#include "mem.h"
#include "platform.h"
#include "sleep.h"
#include "smp.h"
#include "time.h"
#include "vmm.h"

/* Layout of the data block at the end of arch/x86/trampoline.S. */
struct __attribute__((packed)) trampoline_data {
    uint64_t gdt[3];
    uint16_t gdtr_limit;
    uint32_t gdtr_base;
    uint16_t pad0;
    uint32_t far_offset;
    uint16_t far_sel;
    uint16_t pad1;
    uint32_t cr3_lo, cr3_hi;
    uint64_t resume;
    uint64_t stack;
    uint64_t ap_entry;
    uint64_t ap_stacks;
    uint64_t ap_stack_size;
    uint32_t ap_max;
    uint32_t ap_next;
};

extern const char smx_trampoline_start[], smx_trampoline_end[], smx_trampoline_data[], smx_trampoline_long[];
void smx_vmm_wake(void);
__attribute__((noreturn)) void vmm_wake(void);

static s3_wake_fn *wake_to; /* set by the sleep it wakes from */
static uint8_t wake_stack[16384] __attribute__((aligned(16)));

uint32_t s3_trampoline_vector(void)
{
    return (uint32_t)vmm.bi->trampoline_base;
}

/* Copy the trampoline into its page and fill in its data. Done at start
 * and again before every sleep: the page is hidden from the guest, but
 * firmware could have touched it, and copying 200 bytes costs nothing. */
void s3_trampoline_install(void)
{
    uint64_t page = vmm.bi->trampoline_base;
    size_t len = (size_t)(smx_trampoline_end - smx_trampoline_start);
    size_t data_off = (size_t)(smx_trampoline_data - smx_trampoline_start);
    uint8_t *dst = phys_ptr(page);

    memcpy(dst, smx_trampoline_start, len);
    struct trampoline_data *d = (struct trampoline_data *)(dst + data_off);
    d->gdtr_base = (uint32_t)(page + data_off + offsetof(struct trampoline_data, gdt));
    d->far_offset = (uint32_t)(page + (size_t)(smx_trampoline_long - smx_trampoline_start));
    d->cr3_lo = (uint32_t)vmm.bi->host_cr3;
    d->cr3_hi = 0;
    d->resume = (uint64_t)(uintptr_t)smx_vmm_wake;
    d->stack = (uint64_t)(uintptr_t)&wake_stack[sizeof wake_stack];
    /* The same page starts the APs (smp.c): a start-up IPI's vector is a
     * page number, and the code tells the boot CPU from an AP. */
    d->ap_entry = smp_ap_start.entry;
    d->ap_stacks = smp_ap_start.stacks;
    d->ap_stack_size = smp_ap_start.stack_size;
    d->ap_max = smp_ap_start.max;
    d->ap_next = 0;
}

static int s3_init(const struct smx_bootinfo *bi)
{
    if (bi->host_cr3 >> 32 || bi->trampoline_base >= 0x100000 || bi->trampoline_base & 0xfff) {
        smx_log("s3", "trampoline page %#llx or page tables %#llx unusable for a real-mode wake",
                (unsigned long long)bi->trampoline_base, (unsigned long long)bi->host_cr3);
        return SMX_START_BAD_BOOTINFO;
    }
    s3_trampoline_install();
    return 0;
}
SMX_INIT("20", s3_init);

static void s3_sleep(void (*write_sleep_registers)(void *ctx), void *ctx, s3_wake_fn *on_wake)
{
    struct acpi_waking_vector ours = { .fw = s3_trampoline_vector(), .x = 0, .ospm_flags = 0 };
    struct acpi_error err;

    wake_to = on_wake;
    s3_trampoline_install();
    /* A VMM whose memory changed must not be what the platform wakes into:
     * the FACS keeps the OS's vector and the OS resumes without the VMM. */
    if (!integrity_check("sleep")) {
        smx_log("s3", "THE VMM WAS MODIFIED: S3 passes through without the VMM; the OS resumes at its own "
                "waking vector, outside sleepmux");
        write_sleep_registers(ctx);
        return;
    }
    if (acpi_facs_set(&platform, &platform_io, &ours, &err) != ACPI_OK) {
        smx_log("s3", "cannot install the wake trampoline (%s): not sleeping", platform_error_text(&err));
        return;
    }
    smx_log("s3", "platform wakes into the VMM at %#x", ours.fw);
    smx_time_suspend();
    /* The OS flushed its caches before asking to sleep (ACPI 6.5 §16.1.6);
     * what the VMM wrote since must reach memory too. */
    wbinvd();
    write_sleep_registers(ctx);
    /* Still here: the platform did not enter S3. */
    smx_time_resume();
    smx_log("s3", "the platform did not sleep");
}

void s3_sleep_os(void (*write_sleep_registers)(void *ctx), void *ctx, s3_wake_fn *on_wake)
{
    s3_sleep(write_sleep_registers, ctx, on_wake);
}

void s3_sleep_vmm(s3_wake_fn *on_wake)
{
    s3_sleep(sleep_enter_platform, (void *)(uintptr_t)3, on_wake);
}

/* From the trampoline: long mode, VMM page tables, fresh stack. */
void vmm_wake(void)
{
    struct pcpu *bsp = &vmm.cpus[0];

    cpu_tables_load(bsp);
    if (vmm.bi->log_port)
        smx_uart_init(vmm.bi->log_port); /* firmware reset it on the way up */
    smx_time_resume();
    vmm.wakes++;
    smx_log("s3", "wake %u: back in the VMM", vmm.wakes);
    if (!integrity_check("wake"))
        smx_log("s3", "entering the OS anyway: it has no other way back; its next S3 goes to the firmware "
                "without the VMM");
    vmm.ops->resume(bsp);
    smp_start_aps(); /* the platform reset them: they come back into the VMM */
    struct wake_entry we = { 0 };
    if (wake_to)
        wake_to(&we);
    else
        smx_panic("s3: woke up with nobody to wake");
    smx_log("s3", "entering the OS at its waking vector %#llx (%s)", (unsigned long long)we.vector,
            we.mode == WAKE_REAL16 ? "real mode" : "32-bit protected mode");
    vmm.ops->run_wake(bsp, &we);
}
