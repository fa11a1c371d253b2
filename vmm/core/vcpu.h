/*
 * The one CPU back-end interface (BitVisor's vmctl): SVM today, VMX beside
 * it later. Nothing above arch/x86/{svm,vmx} knows which one runs; the back
 * end turns its exits into the vendor-neutral calls in exit.h.
 */
#ifndef SMX_VCPU_H
#define SMX_VCPU_H

#include <stdint.h>

#include "bootinfo.h"

/* How firmware enters an OS waking vector (ACPI 6.5 §5.2.10): real mode at
 * CS:IP = (vector >> 4):(vector & 0xf), or 32-bit flat protected mode with
 * paging off at the 64-bit X_ vector when the OS set it without 64BIT_WAKE_F. */
enum wake_mode { WAKE_REAL16, WAKE_PROT32 };

struct wake_entry {
    enum wake_mode mode;
    uint64_t vector;
};

struct vcpu_ops {
    const char *name;
    /* Can this CPU run this back end? No side effects. */
    enum smx_start_error (*probe)(void);
    /* Enable virtualization on this CPU and build the control structures. */
    enum smx_start_error (*init)(const struct smx_bootinfo *bi);
    /* Intercept guest accesses to [port, port + len). */
    void (*trap_io)(uint16_t port, unsigned len);
    /* Become the hypervisor: run the loader's captured state as the guest. */
    __attribute__((noreturn)) void (*run_boot)(const struct smx_guest_entry *ge);
    /* After S3: re-enable virtualization (the CPU was reset) ... */
    void (*resume)(void);
    /* ... and enter the OS at its waking vector as firmware would. */
    __attribute__((noreturn)) void (*run_wake)(const struct wake_entry *we);
    /* Inject an exception into the guest at the next entry. */
    void (*inject_exception)(uint8_t vector, int has_error, uint32_t error);
};

extern const struct vcpu_ops svm_ops;

#endif
