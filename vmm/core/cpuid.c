/* SPDX-License-Identifier: MIT */
/*
 * CPUID as the guest sees it: the hardware's answer, except that the
 * hypervisor range 0x40000000-0x400000ff describes sleepmux (the back end
 * then hides its own virtualization feature: sleepmux owns it):
 *
 *   0x40000000  EAX = highest sleepmux leaf, EBX:ECX:EDX = "sleepmux-vmm"
 *   0x40000001  EAX = interface version, EBX = sleep requests seen,
 *               EDX:ECX = VM exits so far
 *   0x40000002  EBX:EAX = VMM region base, EDX:ECX = region size
 *   0x40000003  EAX = the wake trampoline's page (below 1 MiB), hidden like
 *               the region; EBX, ECX, EDX = 0
 *
 * The region and the trampoline page are published so that a test guest
 * can prove it cannot see them (tests/guest, sleepmux.probe=vmm); an OS
 * learns nothing from them that its memory map does not already say.
 *   0x40000004  EBX:EAX = the other OS's private range, EDX:ECX = its size
 *               (0 when this VMM does not switch): what this OS must only
 *               ever read as zeros
 *   0x40000005  EAX = the VMM's number for the CPU executing CPUID (0: the
 *               boot CPU), EBX = its APIC ID, EDX:ECX = its own VM exits
 *               (so a guest pinned to each CPU in turn measures each one)
 *   0x40000006  ECX = i: the i-th range this OS's view sinks for a PCI
 *               function it hides (hide-pci): EBX:EAX base, EDX:ECX size,
 *               all 0 past the last; what a test guest reads to prove it
 *               finds nothing of the device there
 *
 * CPUID.1:ECX.hypervisor is left as the hardware reports it, so an OS on
 * bare metal keeps behaving as on bare metal.
 */
#include "exit.h"
#include "guest.h"
#include "pcihide.h"
#include "switch.h"
#include "vmm.h"

#define LEAF_BASE 0x40000000u
#define LEAF_LAST 0x40000006u
#define LEAF_OTHER_PRIVATE 0x40000004u
#define LEAF_THIS_CPU 0x40000005u
#define LEAF_HIDDEN_SINK 0x40000006u
#define INTERFACE_VERSION 1

void vmm_cpuid(uint32_t leaf, uint32_t sub, struct cpuid_regs *r)
{
    if (leaf >= LEAF_BASE && leaf <= LEAF_BASE + 0xff) {
        *r = (struct cpuid_regs){ 0 };
        switch (leaf) {
        case LEAF_BASE:
            r->eax = LEAF_LAST;
            r->ebx = 0x65656c73; /* "slee" */
            r->ecx = 0x78756d70; /* "pmux" */
            r->edx = 0x6d6d762d; /* "-vmm" */
            break;
        case LEAF_BASE + 1: {
            uint64_t exits = vmm_exits_total();
            r->eax = INTERFACE_VERSION;
            r->ebx = vmm.sleep_requests;
            r->ecx = (uint32_t)exits;
            r->edx = (uint32_t)(exits >> 32);
            break;
        }
        case LEAF_BASE + 2:
            r->eax = (uint32_t)vmm.bi->region_base;
            r->ebx = (uint32_t)(vmm.bi->region_base >> 32);
            r->ecx = (uint32_t)vmm.bi->region_size;
            r->edx = (uint32_t)(vmm.bi->region_size >> 32);
            break;
        case LEAF_BASE + 3:
            r->eax = (uint32_t)vmm.bi->trampoline_base;
            break;
        case LEAF_OTHER_PRIVATE:
            if (switching_enabled) {
                const struct guest *o = &guests[(switch_active_letter() - 'A') ^ 1];
                r->eax = (uint32_t)o->private_base;
                r->ebx = (uint32_t)(o->private_base >> 32);
                r->ecx = (uint32_t)o->private_size;
                r->edx = (uint32_t)(o->private_size >> 32);
            }
            break;
        case LEAF_HIDDEN_SINK: {
            uint64_t base, size;
            if (pcihide_sink((uint8_t)(switch_active_letter() - 'A'), sub, &base, &size)) {
                r->eax = (uint32_t)base;
                r->ebx = (uint32_t)(base >> 32);
                r->ecx = (uint32_t)size;
                r->edx = (uint32_t)(size >> 32);
            }
            break;
        }
        case LEAF_THIS_CPU: {
            const struct pcpu *c = this_cpu();
            uint64_t exits = 0;
            for (unsigned k = 0; k < EXIT_KINDS; k++)
                exits += c->exits[k];
            r->eax = c->id;
            r->ebx = c->apic_id;
            r->ecx = (uint32_t)exits;
            r->edx = (uint32_t)(exits >> 32);
            break;
        }
        }
        return;
    }
    *r = cpuid(leaf, sub);
}
