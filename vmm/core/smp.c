/* SPDX-License-Identifier: MIT */
#include "smp.h"

#include <stddef.h>

#include "../arch/x86/apic.h"
#include "cpu_tables.h"
#include "fmt.h"
#include "init.h"
#include "log.h"
#include "mem.h"
#include "mmio.h"
#include "s3.h"
#include "time.h"
#include "vmm.h"

#define AP_STACK_SIZE (16u << 10)
/* Without the firmware's count of CPUs, APs that have not arrived this
 * long after the start-up IPIs are taken to be absent. */
#define AP_SETTLE_NS (200ull * 1000000)
/* INIT, wait, start-up, wait, start-up (Intel SDM vol. 3 §8.4.4.1). */
#define INIT_DELAY_NS (10ull * 1000000)
#define SIPI_DELAY_NS (200ull * 1000)
#define PARK_TIMEOUT_NS (2000ull * 1000000)
#define SIPI_VALID 0x100u

struct smp_ap_start smp_ap_start;

static volatile uint32_t arrived;
static unsigned slots;          /* AP stacks and control blocks prepared */
static uint8_t *ap_stacks;

__attribute__((noreturn)) void smx_on_stack(uint64_t top, void (*fn)(void *), void *arg); /* entry.S */

static void delay_ns(uint64_t ns)
{
    uint64_t end = smx_time_ns() + ns;
    while (smx_time_ns() < end)
        __builtin_ia32_pause();
}

static void kick(struct pcpu *t)
{
    __atomic_store_n(&t->kick, 1, __ATOMIC_RELEASE);
    apic_send(t->apic_id, APIC_DM_NMI);
}

/* Wait in the VMM for a start-up IPI, then enter the guest at its vector.
 * Runs on the CPU's own stack from the top: nothing of the guest's last
 * run is left on it. */
__attribute__((noreturn)) static void wait_for_sipi(void *arg)
{
    struct pcpu *c = arg;

    __atomic_store_n(&c->state, PCPU_WAITING, __ATOMIC_SEQ_CST);
    for (;;) {
        /* INITs that reach a waiting CPU change nothing. */
        c->init_done = __atomic_load_n(&c->init_seq, __ATOMIC_SEQ_CST);
        uint32_t s = __atomic_exchange_n(&c->sipi_vector, 0, __ATOMIC_SEQ_CST);
        if (s & SIPI_VALID) {
            /* Running from here: an INIT sent before this store found the
             * CPU waiting and did not kick it, so look once more. */
            __atomic_store_n(&c->state, PCPU_GUEST, __ATOMIC_SEQ_CST);
            if (__atomic_load_n(&c->init_seq, __ATOMIC_SEQ_CST) != c->init_done) {
                __atomic_store_n(&c->state, PCPU_WAITING, __ATOMIC_SEQ_CST);
                continue;
            }
            /* The OS running now: the boot CPU entered it last. */
            c->view = vmm.cpus[0].view;
            c->nmi_pending = 0;
            struct wake_entry we = { WAKE_REAL16, (uint64_t)(s & 0xff) << 12 };
            vmm.ops->run_wake(c, &we);
        }
        vmm.ops->idle(c, (volatile uint32_t *)&c->sipi_vector);
    }
}

/* The AP with this APIC ID: the one it was at an earlier start, else a new
 * slot. */
static struct pcpu *claim(uint32_t apic)
{
    for (unsigned i = 1; i < vmm.ncpus && i <= slots; i++)
        if (vmm.cpus[i].apic_id == apic)
            return &vmm.cpus[i];
    unsigned i = __atomic_fetch_add(&vmm.ncpus, 1, __ATOMIC_ACQ_REL);
    if (i > slots) {
        __atomic_fetch_sub(&vmm.ncpus, 1, __ATOMIC_ACQ_REL);
        return NULL;
    }
    vmm.cpus[i].apic_id = apic;
    return &vmm.cpus[i];
}

/* From the trampoline: long mode, the VMM's page tables, a stack of its
 * own (by order of arrival), nothing else yet. */
__attribute__((noreturn)) void smp_ap_entry(uint32_t arrival, uint64_t stack_top);
__attribute__((noreturn)) void smp_ap_entry(uint32_t arrival, uint64_t stack_top)
{
    (void)arrival;
    struct pcpu *c = claim(apic_id());

    if (!c)
        for (;;)
            __asm__ volatile("cli; hlt"); /* more CPUs than prepared: stays out */
    c->stack_top = stack_top;
    cpu_tables_load(c);
    vmm.ops->resume(c);
    c->init_done = c->init_seq;
    c->park = 0;
    c->sipi_vector = 0;
    c->kick = 0;
    __atomic_store_n(&c->state, PCPU_WAITING, __ATOMIC_RELEASE);
    __atomic_fetch_add(&arrived, 1, __ATOMIC_ACQ_REL);
    wait_for_sipi(c);
}

/* Stacks, tables and control blocks for `n` APs, once, on the boot CPU
 * (the allocator is not for several CPUs). */
static bool prepare(unsigned n)
{
    if (n > SMX_CPUS_MAX - 1)
        n = SMX_CPUS_MAX - 1;
    ap_stacks = mem_alloc_pages((size_t)n * AP_STACK_SIZE / 4096);
    if (!ap_stacks)
        return false;
    for (unsigned i = 1; i <= n; i++) {
        struct pcpu *c = &vmm.cpus[i];
        c->self = c;
        c->id = i;
        c->apic_id = ~0u; /* no APIC has it: claim() matches only real IDs */
        c->tables = cpu_tables_alloc();
        if (!c->tables || vmm.ops->cpu_init(c))
            return false;
    }
    slots = n;
    return true;
}

void smp_start_aps(void)
{
    unsigned expect = vmm.bi->cpus ? vmm.bi->cpus - 1 : 0;

    if (vmm.bi->cpus == 1)
        return;
    if (!slots && !prepare(expect ? expect : SMX_CPUS_MAX - 1)) {
        smx_log("smp", "no memory for the application processors: they stay in the firmware's hands, "
                "outside the VMM");
        return;
    }
    smp_ap_start = (struct smp_ap_start){ (uint64_t)(uintptr_t)smp_ap_entry, (uint64_t)(uintptr_t)ap_stacks,
                                          AP_STACK_SIZE, slots };
    s3_trampoline_install();
    for (unsigned i = 1; i < vmm.ncpus; i++)
        __atomic_store_n(&vmm.cpus[i].state, PCPU_ABSENT, __ATOMIC_RELEASE);
    __atomic_store_n(&arrived, 0, __ATOMIC_RELEASE);

    uint64_t t0 = smx_time_ns();
    uint32_t vector = (uint32_t)(vmm.bi->trampoline_base >> 12);
    apic_send(0, APIC_DM_INIT | APIC_ICR_ASSERT | APIC_ICR_LEVEL | APIC_SH_OTHERS);
    delay_ns(INIT_DELAY_NS);
    for (int i = 0; i < 2; i++) {
        apic_send(0, APIC_DM_STARTUP | vector | APIC_SH_OTHERS);
        delay_ns(SIPI_DELAY_NS);
    }
    /* With the firmware's count, wait for all (a second at most);
     * without it, until no new AP arrived for the settle time. */
    uint64_t last = smx_time_ns(), seen = 0;
    for (;;) {
        uint32_t a = __atomic_load_n(&arrived, __ATOMIC_ACQUIRE);
        uint64_t now = smx_time_ns();
        if (a != seen)
            seen = a, last = now;
        if (expect ? a >= expect || now - t0 > 1000000000ull : now - last > AP_SETTLE_NS)
            break;
        __builtin_ia32_pause();
    }
    char ids[128];
    size_t at = 0;
    ids[0] = 0;
    for (unsigned i = 1; i < vmm.ncpus && at + 12 < sizeof ids; i++)
        if (vmm.cpus[i].state != PCPU_ABSENT)
            at += (size_t)smx_snprintf(ids + at, sizeof ids - at, "%s%u", at ? " " : "", vmm.cpus[i].apic_id);
    smx_log("smp", "%u of %u application processors in the VMM (APIC IDs %s) after %llu ms; each waits for "
            "the OS's start-up IPI", (unsigned)seen, expect ? expect : (unsigned)seen, at ? ids : "none",
            (unsigned long long)((smx_time_ns() - t0) / 1000000));
    if (expect && seen < expect)
        smx_log("smp", "%u CPU(s) did not arrive: the OS cannot start them", expect - (unsigned)seen);
}

void smp_after_exit(struct pcpu *c)
{
    if (__atomic_load_n(&c->init_seq, __ATOMIC_SEQ_CST) == c->init_done)
        return;
    if (__atomic_exchange_n(&c->park, 0, __ATOMIC_ACQ_REL)) { /* say what the OS left running */
        struct vcpu_context g;
        vmm.ops->guest_context(c, &g);
        if (g.rflags & (1u << 9))
            smx_log("smp", "cpu %u (APIC %u) was running OS code with interrupts on at rip %#llx: the OS did "
                    "not take it offline before sleeping; its state is lost", c->id, c->apic_id,
                    (unsigned long long)g.rip);
    }
    smx_on_stack(c->stack_top, wait_for_sipi, c);
}

static void deliver_init(struct pcpu *t, bool park)
{
    __atomic_store_n(&t->sipi_vector, 0, __ATOMIC_SEQ_CST);
    if (park)
        __atomic_store_n(&t->park, 1, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&t->init_seq, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&t->state, __ATOMIC_SEQ_CST) == PCPU_GUEST && t != this_cpu())
        kick(t);
}

static void deliver_sipi(struct pcpu *t, uint32_t vector)
{
    /* A start-up IPI only starts a CPU that waits after INIT (SDM vol. 3
     * §8.4.4.1); a running one ignores it. */
    if (__atomic_load_n(&t->state, __ATOMIC_SEQ_CST) != PCPU_WAITING &&
        __atomic_load_n(&t->init_seq, __ATOMIC_SEQ_CST) == t->init_done)
        return;
    __atomic_store_n(&t->sipi_vector, SIPI_VALID | vector, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&t->state, __ATOMIC_SEQ_CST) == PCPU_WAITING)
        kick(t); /* wakes it from its HLT */
}

bool smp_guest_ipi(struct pcpu *from, uint32_t icr, uint32_t dest)
{
    static bool said_logical, said_boot;
    uint32_t dm = icr & APIC_ICR_DM_MASK, sh = icr & APIC_ICR_SH_MASK;

    if (dm != APIC_DM_INIT && dm != APIC_DM_STARTUP)
        return false;
    if (dm == APIC_DM_INIT && !(icr & APIC_ICR_ASSERT))
        return true; /* INIT level de-assert: ignored since the Pentium 4 (SDM vol. 3 §11.6.1) */
    if (sh == APIC_SH_NONE && (icr & APIC_ICR_LOGICAL)) {
        if (!said_logical)
            smx_log("smp", "an INIT or start-up IPI in logical destination mode is not delivered");
        said_logical = true;
        return true;
    }
    for (unsigned i = 0; i < vmm.ncpus; i++) {
        struct pcpu *t = &vmm.cpus[i];
        bool hit = sh == APIC_SH_ALL || (sh == APIC_SH_SELF && t == from) ||
                   (sh == APIC_SH_OTHERS && t != from) || (sh == APIC_SH_NONE && t->apic_id == dest);
        if (!hit || t->state == PCPU_ABSENT)
            continue;
        if (smp_is_boot_cpu(t)) {
            if (!said_boot)
                smx_log("smp", "INIT or start-up IPI to the boot CPU from cpu %u: ignored", from->id);
            said_boot = true;
            continue;
        }
        if (dm == APIC_DM_INIT)
            deliver_init(t, false);
        else
            deliver_sipi(t, icr & APIC_ICR_VECTOR);
    }
    return true;
}

void smp_park_others(const char *why)
{
    struct pcpu *self = this_cpu();
    unsigned n = 0;

    for (unsigned i = 1; i < vmm.ncpus; i++) {
        struct pcpu *t = &vmm.cpus[i];
        if (t != self && __atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == PCPU_GUEST) {
            deliver_init(t, true);
            n++;
        }
    }
    if (!n)
        return;
    uint64_t t0 = smx_time_ns();
    for (;;) {
        unsigned left = 0;
        for (unsigned i = 1; i < vmm.ncpus; i++)
            if (&vmm.cpus[i] != self && __atomic_load_n(&vmm.cpus[i].state, __ATOMIC_ACQUIRE) == PCPU_GUEST)
                left++;
        if (!left)
            break;
        if (smx_time_ns() - t0 > PARK_TIMEOUT_NS) {
            smx_log("smp", "%s: %u CPU(s) did not leave the guest within %llu ms", why, left,
                    (unsigned long long)(PARK_TIMEOUT_NS / 1000000));
            return;
        }
        __builtin_ia32_pause();
    }
    smx_log("smp", "%s: %u CPU(s) taken out of the guest in %llu us", why, n,
            (unsigned long long)((smx_time_ns() - t0) / 1000));
}

/* The guest's xAPIC ICR writes: the page is read-only in every view, so
 * every APIC write lands here; all but INIT and start-up go through. */
static bool apic_write(struct pcpu *c, struct mmio_access *a, void *ctx)
{
    (void)ctx;
    if (!a->write || (a->gpa & 0xfff) != APIC_REG_ICR_LO || a->size != 4)
        return false;
    uint32_t dest = (uint32_t)mmio_hw_read(apic_base() + APIC_REG_ICR_HI, 4) >> APIC_XAPIC_DEST_SHIFT;
    return smp_guest_ipi(c, (uint32_t)a->value, dest);
}

static int smp_init(const struct smx_bootinfo *bi)
{
    apic_init();
    if (bi->cpus == 1)
        return 0; /* nobody to start: the APIC page stays a plain mapping */
    /* x2APIC: the back end traps writes to the ICR MSR instead. */
    if (!apic_x2() && !mmio_trap_add("local APIC", apic_base(), 4096, HOLE_TRAP_WRITE, apic_write, NULL))
        return SMX_START_NO_MEMORY;
    return 0;
}
SMX_INIT("50", smp_init);
