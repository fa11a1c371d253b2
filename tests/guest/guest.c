/* SPDX-License-Identifier: MIT */
/*
 * sleepmux-guest: the test guests' whole user space (run by /init).
 *
 * The guest proves its own state: it fills a large buffer with a pattern
 * derived from its identity (A or B, baked into the initramfs), then loops:
 * announce, suspend to RAM, verify the whole buffer after resume. Every step
 * prints one machine-readable line on the console:
 *
 *   SLEEPMUX-GUEST os=A event=boot buffer=268435456 cycles=3 end=poweroff uptime=3.05
 *   SLEEPMUX-GUEST os=A event=filled mib=256 seconds=0.84 uptime=3.90
 *   SLEEPMUX-GUEST os=A cycle=1 event=suspend uptime=3.91
 *   SLEEPMUX-GUEST os=A cycle=1 pattern=ok seconds=0.52 uptime=4.49
 *   SLEEPMUX-GUEST os=A event=done cycles=3 ok=3 uptime=9.10
 *
 * Kernel command line (all optional):
 *   sleepmux.buffer=SIZE   bytes, with K/M/G suffix (default 256M)
 *   sleepmux.cycles=N      suspend cycles, 0 = forever (default 3)
 *   sleepmux.end=poweroff|idle|kbd-reset   what to do after the last cycle
 *                          (default idle; kbd-reset pulses the reset line
 *                          through the 8042 keyboard controller, command 0xfe)
 *   sleepmux.state=mem|freeze    what to write to /sys/power/state (default mem)
 *   sleepmux.probe=vmm     look for sleepmux (CPUID 0x40000000), then try to
 *                          read and overwrite the VMM's region and its wake
 *                          trampoline page through /dev/mem, and read back
 *                          what the writes left (event=vmm-tramp-read,
 *                          event=vmm-read, event=vmm-write)
 *   sleepmux.probe=other   read the other OS's private range (CPUID 0x40000004)
 *                          through /dev/mem: all of it once after filling
 *                          (event=other-read), one page in 64 after every
 *                          resume (other_nonzero= on the cycle line)
 *   sleepmux.idle=SECONDS  after filling, idle this long and report the VM
 *                          exits sleepmux counted meanwhile (event=idle)
 *   sleepmux.rtc=YYYY-MM-DDTHH:MM:SS  set the RTC (UTC) just before the first
 *                          suspend and again before powering off, so a wake
 *                          alarm a few seconds ahead is deterministic
 *   sleepmux.rtc_off=YYYY-MM-DDTHH:MM:SS  the RTC time to set before powering off
 *   sleepmux.clear_rtc_en=1  clear PM1_EN.RTC_EN (as Windows does on its way
 *                          down) just before each suspend and the power-off
 *   sleepmux.memmap=1      print the firmware memory map the kernel was handed
 *                          (/sys/firmware/memmap), one event=memmap line a range
 *   sleepmux.cpus=1        on every CPU in turn (pinned with sched_setaffinity):
 *                          look for sleepmux's CPUID signature and read the
 *                          VMM's region through /dev/mem, after filling and
 *                          after every resume (event=cpus: n=, signature=
 *                          CPUs that saw it, region_nonzero= bytes found)
 *                          With sleepmux.idle, each CPU's own exits while
 *                          idle too (CPUID 0x40000005; event=idle-cpus)
 *   sleepmux.hotplug=1     before every suspend, take each CPU but the first
 *                          offline and back online through sysfs, then probe
 *                          it as above (event=hotplug)
 *   sleepmux.airgap=BB:DD.F  the air gap (hide-pci): load the NIC drivers in
 *                          /lib/modules once, then, after booting and after
 *                          every resume, report what this OS finds of PCI
 *                          function BB:DD.F: in sysfs before and after a
 *                          rescan (event=airgap-sysfs), through the
 *                          configuration ports and the ECAM window at every
 *                          size and offset (airgap-ports, airgap-ecam; a
 *                          function that reads as absent is then written
 *                          to, as a rogue OS would, and read again), in its
 *                          memory BAR through /dev/mem (airgap-bar: where
 *                          sysfs says when it is visible, else where the
 *                          VMM says it sinks it, CPUID 0x40000006), and
 *                          its network interfaces, with a DHCP lease on
 *                          the first (airgap-net); /dev/mem needs
 *                          iomem=relaxed on the command line
 *   sleepmux.udpsend=ADDR,DEST:PORT,SECONDS   make bench's baseline for the
 *                          VMM's TFTP store: load the NIC drivers in
 *                          /lib/modules, give the first interface ADDR/24,
 *                          and send 1468-byte UDP datagrams (a TFTP block's
 *                          payload) to DEST:PORT as fast as the NIC takes
 *                          them for SECONDS, before the first suspend
 *                          (event=udpsend; the receiver counts what came)
 *   sleepmux.corrupt=N     self-test: on cycle N, flip one bit of the buffer
 *                          just before suspending, so the harness can prove
 *                          that verification catches a changed page
 *                          (reported as event=corrupted offset=0x...)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <linux/rtc.h>
#include <sys/ioctl.h>
#include <dirent.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/reboot.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

struct opts {
    char os[16];
    uint64_t buffer;
    unsigned cycles;
    bool poweroff, kbd_reset;
    char state[16];
    unsigned corrupt_cycle;
    bool probe_vmm, probe_other;
    unsigned idle;
    char rtc[32], rtc_off[32];
    bool clear_rtc_en;
    bool memmap;
    bool cpus, hotplug;
    bool airgap;
    unsigned ag_bus, ag_dev, ag_fn;
    char udp_addr[16], udp_dest[16];
    unsigned udp_port, udp_seconds;
};

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* sleepmux's CPUID leaves (vmm/core/cpuid.c). */
struct vmm_info {
    bool present;
    uint32_t sleeps;
    uint64_t exits, region_base, region_size;
    uint32_t trampoline; /* 0: the VMM does not say (leaf 0x40000003 absent) */
};

static void cpuid(uint32_t leaf, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

static struct vmm_info vmm_info(void)
{
    struct vmm_info v = { 0 };
    uint32_t r[4];
    char sig[13];

    cpuid(0x40000000u, r);
    memcpy(sig, &r[1], 4);
    memcpy(sig + 4, &r[2], 4);
    memcpy(sig + 8, &r[3], 4);
    sig[12] = 0;
    uint32_t max = r[0];
    if (strcmp(sig, "sleepmux-vmm") || max < 0x40000002u)
        return v;
    v.present = true;
    cpuid(0x40000001u, r);
    v.sleeps = r[1];
    v.exits = r[2] | (uint64_t)r[3] << 32;
    cpuid(0x40000002u, r);
    v.region_base = r[0] | (uint64_t)r[1] << 32;
    v.region_size = r[2] | (uint64_t)r[3] << 32;
    if (v.present && max >= 0x40000003u) {
        cpuid(0x40000003u, r);
        v.trampoline = r[0];
    }
    return v;
}

#define VMM_MARKER "sleepmux-vmm-region-marker"

/* What the guest writes over the VMM's memory: different at every offset,
 * and different for the trampoline page, so a read-back tells which write a
 * word came from. */
static uint64_t region_word(uint64_t off) { return 0xa5a5a5a5a5a5a5a5ull ^ off; }
static uint64_t tramp_word(uint64_t off) { return 0x5a5a5a5a5a5a5a5aull ^ (off << 20); }

static void *map_phys(int fd, uint64_t base, uint64_t size, const char *ev)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)base);
    if (p == MAP_FAILED) {
        report("event=%s error=mmap errno=%d", ev, errno);
        return NULL;
    }
    return p;
}

static uint64_t nonzero_bytes(const volatile uint8_t *p, uint64_t n)
{
    uint64_t c = 0;
    for (uint64_t i = 0; i < n; i++)
        c += p[i] != 0;
    return c;
}

/*
 * Read the VMM's region and its trampoline page through /dev/mem, then
 * write over both and read them back. The VMM hides both behind one sink
 * page, so: the reads find neither its marker nor any nonzero byte; after
 * the writes, at most one page of the region reads back what was written
 * there (the sink holds the last page written), and the trampoline page
 * reads back the region's last page, not its own pattern. The VMM's own
 * integrity check (at the next sleep) must find itself unchanged.
 */
static void probe_vmm_region(const struct vmm_info *v)
{
    int fd = open("/dev/mem", O_RDWR | O_SYNC);
    if (fd < 0) {
        report("event=vmm-read error=open-dev-mem errno=%d", errno);
        return;
    }
    volatile uint8_t *t = NULL;
    if (v->trampoline) {
        t = map_phys(fd, v->trampoline, 4096, "vmm-tramp-read");
        if (t)
            report("event=vmm-tramp-read base=0x%" PRIx32 " nonzero_bytes=%" PRIu64, v->trampoline,
                   nonzero_bytes(t, 4096));
    }
    volatile uint8_t *p = map_phys(fd, v->region_base, v->region_size, "vmm-read");
    if (!p) {
        close(fd);
        return;
    }
    uint64_t markers = 0;
    size_t mlen = strlen(VMM_MARKER);
    for (uint64_t i = 0; i + mlen <= v->region_size; i++)
        if (p[i] == 's' && !memcmp((const void *)(p + i), VMM_MARKER, mlen))
            markers++;
    report("event=vmm-read base=0x%" PRIx64 " size=0x%" PRIx64 " markers=%" PRIu64 " nonzero_bytes=%" PRIu64,
           v->region_base, v->region_size, markers, nonzero_bytes(p, v->region_size));

    /* The trampoline first, so the region's writes come after it. */
    if (t)
        for (uint64_t i = 0; i < 4096; i += 8)
            *(volatile uint64_t *)(t + i) = tramp_word(i);
    for (uint64_t i = 0; i < v->region_size; i += 8)
        *(volatile uint64_t *)(p + i) = region_word(i);
    uint64_t kept = 0, tkept = 0;
    for (uint64_t i = 0; i < v->region_size; i += 8)
        kept += *(volatile uint64_t *)(p + i) == region_word(i);
    if (t)
        for (uint64_t i = 0; i < 4096; i += 8)
            tkept += *(volatile uint64_t *)(t + i) == tramp_word(i);
    report("event=vmm-write bytes=%" PRIu64 " kept_words=%" PRIu64 " tramp_kept_words=%" PRIu64,
           v->region_size, kept, tkept);
    munmap((void *)p, v->region_size);
    if (t)
        munmap((void *)t, 4096);
    close(fd);
}

/* The other OS's private range as sleepmux reports it (0 size: none). */
static void other_range(uint64_t *base, uint64_t *size)
{
    uint32_t r[4];

    cpuid(0x40000000u, r);
    *base = *size = 0;
    if (r[0] < 0x40000004u)
        return;
    cpuid(0x40000004u, r);
    *base = r[0] | (uint64_t)r[1] << 32;
    *size = r[2] | (uint64_t)r[3] << 32;
}

/* Non-zero bytes in the other OS's private range, every `stride` bytes'
 * page; -1 when it cannot be read. */
static int64_t other_nonzero(uint64_t stride)
{
    uint64_t base, size;
    int64_t nonzero = 0;

    other_range(&base, &size);
    if (!size)
        return -1;
    int fd = open("/dev/mem", O_RDONLY | O_SYNC);
    if (fd < 0)
        return -1;
    for (uint64_t off = 0; off < size; off += stride) {
        uint64_t len = stride < (64ull << 20) ? 4096 : 64ull << 20;
        uint64_t *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)(base + off));
        if (p == MAP_FAILED) {
            close(fd);
            return -1;
        }
        for (uint64_t i = 0; i < len / 8; i++)
            nonzero += p[i] != 0;
        munmap(p, len);
    }
    close(fd);
    return nonzero;
}

/* A digest of the memory map this OS runs with (/proc/iomem's top level:
 * RAM, reserved and ACPI ranges), so a test can see it never changes. */
static uint64_t memmap_digest(void)
{
    char line[256];
    uint64_t h = 0xcbf29ce484222325ull;
    FILE *f = fopen("/proc/iomem", "r");

    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (line[0] != ' ')
            for (const char *p = line; *p; p++)
                h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
    fclose(f);
    return h;
}

static char os_id[16] = "?";

/* --- the air gap ------------------------------------------------------- */

/* finit_module's flag for a compressed module (Linux 6.4+, MODULE_DECOMPRESS). */
#define MODULE_INIT_COMPRESSED_FILE 4

static void load_modules(void)
{
    DIR *d = opendir("/lib/modules");
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d))) {
        char path[300];
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/lib/modules/%s", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        int flags = strstr(e->d_name, ".xz") ? MODULE_INIT_COMPRESSED_FILE : 0;
        long r = fd < 0 ? -1 : syscall(SYS_finit_module, fd, "", flags);
        report("event=module name=%s result=%s", e->d_name, r ? strerror(errno) : "loaded");
        if (fd >= 0)
            close(fd);
    }
    closedir(d);
}

/* sysfs: how many PCI functions, and whether ours is one of them. */
static void airgap_sysfs(const struct opts *o, unsigned cycle, const char *when)
{
    char want[32];
    unsigned n = 0, present = 0;
    DIR *d = opendir("/sys/bus/pci/devices");
    struct dirent *e;

    snprintf(want, sizeof want, "0000:%02x:%02x.%x", o->ag_bus, o->ag_dev, o->ag_fn);
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        n++;
        present += !strcmp(e->d_name, want);
    }
    if (d)
        closedir(d);
    report("cycle=%u event=airgap-sysfs when=%s functions=%u present=%u", cycle, when, n, present);
}

static uint32_t conf1_address(const struct opts *o, unsigned reg)
{
    return 0x80000000u | o->ag_bus << 16 | o->ag_dev << 11 | o->ag_fn << 8 | (reg & 0xfc);
}

/* Mechanism #1 directly (as `setpci -A intel-conf1` does): every dword of
 * the 256-byte header at each size and offset CONFIG_DATA allows. */
static bool airgap_ports(const struct opts *o, unsigned cycle)
{
    unsigned reads = 0, not_ones = 0;
    uint32_t id;

    if (ioperm(0xcf8, 8, 1)) {
        report("cycle=%u event=airgap-ports error=%s", cycle, strerror(errno));
        return false;
    }
    outl(conf1_address(o, 0), 0xcf8);
    id = inl(0xcfc);
    for (unsigned reg = 0; reg < 256; reg += 4) {
        outl(conf1_address(o, reg), 0xcf8);
        not_ones += inl(0xcfc) != 0xffffffffu, reads++;
        for (unsigned off = 0; off < 4; off += 2)
            not_ones += inw((uint16_t)(0xcfc + off)) != 0xffff, reads++;
        for (unsigned off = 0; off < 4; off++)
            not_ones += inb((uint16_t)(0xcfc + off)) != 0xff, reads++;
    }
    bool absent = (id & 0xffff) == 0xffff;
    unsigned after = 0;
    if (absent) {
        /* A rogue OS: turn on decoding and bus mastering, move BAR0. */
        outl(conf1_address(o, 4), 0xcf8);
        outw(0x0007, 0xcfc);
        outl(conf1_address(o, 0x10), 0xcf8);
        outl(0xfffffff0u, 0xcfc);
        for (unsigned reg = 0; reg < 256; reg += 4) {
            outl(conf1_address(o, reg), 0xcf8);
            after += inl(0xcfc) != 0xffffffffu;
        }
    }
    report("cycle=%u event=airgap-ports id=%08x reads=%u not_all_ones=%u wrote=%u after_write_not_all_ones=%u",
           cycle, id, reads, not_ones, absent, after);
    ioperm(0xcf8, 8, 0);
    return absent;
}

/* The ECAM window from the MCFG (PCI Firmware 3.3 §4.1.2): the function's
 * 4 KiB at every size and offset, through /dev/mem. */
static void airgap_ecam(const struct opts *o, unsigned cycle)
{
    uint8_t t[64];
    int fd = open("/sys/firmware/acpi/tables/MCFG", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, t, sizeof t) : -1;

    if (fd >= 0)
        close(fd);
    if (n < 60) {
        report("cycle=%u event=airgap-ecam error=no-mcfg", cycle);
        return;
    }
    uint64_t base;
    memcpy(&base, t + 44, 8);
    uint64_t page = base + ((uint64_t)(o->ag_bus - t[54]) << 20) + (o->ag_dev << 15) + (o->ag_fn << 12);
    fd = open("/dev/mem", O_RDWR | O_SYNC);
    volatile uint8_t *p = fd < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)page);
    if (p == MAP_FAILED) {
        report("cycle=%u event=airgap-ecam error=%s", cycle, strerror(errno));
        if (fd >= 0)
            close(fd);
        return;
    }
    unsigned reads = 0, not_ones = 0, after = 0;
    uint32_t id = *(volatile uint32_t *)p;
    for (unsigned off = 0; off < 4096; off++, reads++)
        not_ones += p[off] != 0xff;
    for (unsigned off = 0; off < 4096; off += 2, reads++)
        not_ones += *(volatile uint16_t *)(p + off) != 0xffff;
    for (unsigned off = 0; off < 4096; off += 4, reads++)
        not_ones += *(volatile uint32_t *)(p + off) != 0xffffffffu;
    for (unsigned off = 0; off < 4096; off += 8, reads++)
        not_ones += *(volatile uint64_t *)(p + off) != ~0ull;
    bool absent = (id & 0xffff) == 0xffff;
    if (absent) {
        *(volatile uint16_t *)(p + 4) = 0x0007;
        *(volatile uint32_t *)(p + 0x14) = 0xfffffff0u;
        for (unsigned off = 0; off < 4096; off += 4)
            after += *(volatile uint32_t *)(p + off) != 0xffffffffu;
    }
    report("cycle=%u event=airgap-ecam page=0x%" PRIx64 " id=%08x reads=%u not_all_ones=%u wrote=%u "
           "after_write_not_all_ones=%u", cycle, page, id, reads, not_ones, absent, after);
    munmap((void *)p, 4096);
    close(fd);
}

/* BAR0 through /dev/mem: where sysfs says (visible), else the first range
 * the VMM sinks for this OS. e1000e's registers (Intel 82574 datasheet
 * §10.2): CTRL 0x0, STATUS 0x8, RAL0/RAH0 0x5400/0x5404 hold the MAC. A
 * visible device is read only there (other registers clear on read); a
 * sunk range is read whole. */
static void airgap_bar(const struct opts *o, unsigned cycle)
{
    char path[96], line[128];
    uint64_t base = 0, size = 0;
    const char *src = "sysfs";

    snprintf(path, sizeof path, "/sys/bus/pci/devices/0000:%02x:%02x.%x/resource", o->ag_bus, o->ag_dev, o->ag_fn);
    FILE *f = fopen(path, "r");
    if (f && fgets(line, sizeof line, f)) {
        uint64_t end;
        if (sscanf(line, "%" SCNx64 " %" SCNx64, &base, &end) == 2 && end > base)
            size = end - base + 1;
    }
    if (f)
        fclose(f);
    if (!size) {
        uint32_t r[4];
        src = "vmm";
        cpuid(0x40000000u, r);
        if (r[0] >= 0x40000006u) {
            __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(0x40000006u), "c"(0));
            base = r[0] | (uint64_t)r[1] << 32;
            size = r[2] | (uint64_t)r[3] << 32;
        }
    }
    if (!size) {
        report("cycle=%u event=airgap-bar source=none", cycle);
        return;
    }
    int fd = open("/dev/mem", O_RDONLY | O_SYNC);
    volatile uint32_t *p = fd < 0 ? MAP_FAILED : mmap(NULL, size, PROT_READ, MAP_SHARED, fd, (off_t)base);
    if (p == MAP_FAILED) {
        report("cycle=%u event=airgap-bar source=%s base=0x%" PRIx64 " error=%s", cycle, src, base, strerror(errno));
        if (fd >= 0)
            close(fd);
        return;
    }
    uint64_t nonzero = 0;
    if (!strcmp(src, "vmm"))
        for (uint64_t i = 0; i < size / 4; i++)
            nonzero += p[i] != 0;
    uint32_t ctrl = p[0], status = size > 8 ? p[2] : 0;
    uint32_t ral = size > 0x5404 ? p[0x5400 / 4] : 0, rah = size > 0x5404 ? p[0x5404 / 4] : 0;
    report("cycle=%u event=airgap-bar source=%s base=0x%" PRIx64 " size=0x%" PRIx64 " ctrl=%08x status=%08x "
           "ral=%08x rah=%08x nonzero_words=%" PRIu64, cycle, src, base, size, ctrl, status, ral, rah, nonzero);
    munmap((void *)p, size);
    close(fd);
}

static void airgap_net(unsigned cycle)
{
    char ifaces[128] = "", first[IFNAMSIZ] = "";
    DIR *d = opendir("/sys/class/net");
    struct dirent *e;
    size_t n = 0;

    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "lo"))
            continue;
        if (!first[0])
            snprintf(first, sizeof first, "%.15s", e->d_name);
        n += (size_t)snprintf(ifaces + n, sizeof ifaces - n, "%s%s", n ? "," : "", e->d_name);
        if (n >= sizeof ifaces)
            n = sizeof ifaces - 1;
    }
    if (d)
        closedir(d);
    if (!first[0]) {
        report("cycle=%u event=airgap-net ifaces=none", cycle);
        return;
    }
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr = { 0 };
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", first);
    if (s >= 0 && !ioctl(s, SIOCGIFFLAGS, &ifr)) {
        ifr.ifr_flags |= IFF_UP;
        ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    if (s >= 0)
        close(s);
    /* busybox udhcpc: "lease of 10.0.2.15 obtained from 10.0.2.2, ..." */
    char cmd[128], out[256], lease[32] = "none";
    snprintf(cmd, sizeof cmd, "udhcpc -i %s -f -q -n -t 10 -T 1 -s /bin/true 2>&1", first);
    FILE *pp = popen(cmd, "r");
    while (pp && fgets(out, sizeof out, pp)) {
        char *at = strstr(out, "lease of ");
        if (at)
            sscanf(at + 9, "%31s", lease);
    }
    if (pp)
        pclose(pp);
    report("cycle=%u event=airgap-net ifaces=%s lease=%s", cycle, ifaces, lease);
}

static void airgap(const struct opts *o, unsigned cycle)
{
    if (!o->airgap)
        return;
    airgap_sysfs(o, cycle, "now");
    int fd = open("/sys/bus/pci/rescan", O_WRONLY);
    if (fd >= 0) {
        (void)!write(fd, "1", 1);
        close(fd);
    }
    airgap_sysfs(o, cycle, "after-rescan");
    airgap_net(cycle);
    airgap_ports(o, cycle);
    airgap_ecam(o, cycle);
    airgap_bar(o, cycle);
}

static double uptime(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_BOOTTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One line, written with a single write() so kernel messages cannot split it. */
static void report(const char *fmt, ...)
{
    char line[512];
    int n = snprintf(line, sizeof line, "SLEEPMUX-GUEST os=%s ", os_id);
    va_list ap;

    va_start(ap, fmt);
    n += vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof line - 2)
        n = (int)sizeof line - 2;
    n += snprintf(line + n, sizeof line - (size_t)n, " uptime=%.2f\n", uptime());
    if (n > (int)sizeof line - 1)
        n = (int)sizeof line - 1;
    (void)!write(1, line, (size_t)n);
    /* Out of the UART before going on: a kernel message printed by what
     * comes next (a suspend, a CPU going offline) would otherwise land in
     * the middle of this line. */
    tcdrain(1);
}

static uint64_t parse_size(const char *s)
{
    char *end;
    uint64_t v = strtoull(s, &end, 0);

    switch (*end) {
    case 'G': case 'g': v <<= 30; break;
    case 'M': case 'm': v <<= 20; break;
    case 'K': case 'k': v <<= 10; break;
    default: break;
    }
    return v;
}

static void read_file(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;

    buf[n > 0 ? n : 0] = '\0';
    if (fd >= 0)
        close(fd);
    buf[strcspn(buf, "\n")] = '\0';
}

/* The first network interface that is not lo, waiting up to 10 s for
 * its driver to register it. */
static bool first_iface(char name[IFNAMSIZ])
{
    for (int tries = 0; tries < 100; tries++) {
        DIR *d = opendir("/sys/class/net");
        struct dirent *e;
        name[0] = '\0';
        while (d && (e = readdir(d)))
            if (e->d_name[0] != '.' && strcmp(e->d_name, "lo")) {
                snprintf(name, IFNAMSIZ, "%.15s", e->d_name);
                break;
            }
        if (d)
            closedir(d);
        if (name[0])
            return true;
        usleep(100000);
    }
    return false;
}

/* The NIC's raw UDP rate as this OS drives it: make bench divides the
 * VMM's TFTP goodput over the same emulated NIC by what the receiver got
 * of this. A blocking socket: sendto waits while the socket's share of
 * the NIC's queue is full, so the NIC, not the sender, sets the pace. */
static void udpsend(const struct opts *o)
{
    char ifn[IFNAMSIZ], cmd[160], carrier[8] = "";
    load_modules();
    if (!first_iface(ifn)) {
        report("event=udpsend error=no-interface");
        return;
    }
    snprintf(cmd, sizeof cmd, "busybox ip addr add %s/24 dev %s && busybox ip link set %s up", o->udp_addr, ifn, ifn);
    if (system(cmd)) {
        report("event=udpsend iface=%s error=%s-failed", ifn, "ip");
        return;
    }
    snprintf(cmd, sizeof cmd, "/sys/class/net/%s/carrier", ifn);
    for (int tries = 0; tries < 100 && carrier[0] != '1'; tries++) {
        usleep(100000);
        read_file(cmd, carrier, sizeof carrier);
    }
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((uint16_t)o->udp_port) };
    if (s < 0 || inet_pton(AF_INET, o->udp_dest, &to.sin_addr) != 1 ||
        connect(s, (struct sockaddr *)&to, sizeof to)) {
        report("event=udpsend iface=%s error=socket:%s", ifn, strerror(errno));
        if (s >= 0)
            close(s);
        return;
    }
    static uint8_t payload[1468];
    uint64_t sent = 0, failed = 0;
    /* A one-byte datagram first, and a pause: the ARP exchange is not
     * timed (the receiver counts full-size datagrams only). */
    (void)!send(s, payload, 1, 0);
    usleep(500000);
    double t0 = now(), t = t0;
    while (t - t0 < o->udp_seconds) {
        for (int i = 0; i < 64; i++) {
            memcpy(payload, &sent, sizeof sent);
            if (send(s, payload, sizeof payload, 0) == (ssize_t)sizeof payload)
                sent++;
            else
                failed++;
        }
        t = now();
    }
    close(s);
    report("event=udpsend iface=%s carrier=%s datagrams=%" PRIu64 " failed=%" PRIu64 " bytes=%" PRIu64
           " seconds=%.3f", ifn, carrier[0] ? carrier : "?", sent, failed, sent * sizeof payload, t - t0);
}

static void parse_cmdline(struct opts *o)
{
    char cmd[4096];

    read_file("/proc/cmdline", cmd, sizeof cmd);
    for (char *tok = strtok(cmd, " "); tok; tok = strtok(NULL, " ")) {
        if (!strncmp(tok, "sleepmux.buffer=", 16))
            o->buffer = parse_size(tok + 16);
        else if (!strncmp(tok, "sleepmux.cycles=", 16))
            o->cycles = (unsigned)strtoul(tok + 16, NULL, 0);
        else if (!strncmp(tok, "sleepmux.end=", 13)) {
            o->poweroff = !strcmp(tok + 13, "poweroff");
            o->kbd_reset = !strcmp(tok + 13, "kbd-reset");
        }
        else if (!strncmp(tok, "sleepmux.rtc=", 13))
            snprintf(o->rtc, sizeof o->rtc, "%s", tok + 13);
        else if (!strncmp(tok, "sleepmux.rtc_off=", 17))
            snprintf(o->rtc_off, sizeof o->rtc_off, "%s", tok + 17);
        else if (!strcmp(tok, "sleepmux.clear_rtc_en=1"))
            o->clear_rtc_en = true;
        else if (!strcmp(tok, "sleepmux.memmap=1"))
            o->memmap = true;
        else if (!strcmp(tok, "sleepmux.cpus=1"))
            o->cpus = true;
        else if (!strcmp(tok, "sleepmux.hotplug=1"))
            o->hotplug = true;
        else if (!strcmp(tok, "sleepmux.probe=vmm"))
            o->probe_vmm = true;
        else if (!strcmp(tok, "sleepmux.probe=other"))
            o->probe_other = true;
        else if (!strncmp(tok, "sleepmux.idle=", 14))
            o->idle = (unsigned)strtoul(tok + 14, NULL, 0);
        else if (!strncmp(tok, "sleepmux.airgap=", 16))
            o->airgap = sscanf(tok + 16, "%x:%x.%x", &o->ag_bus, &o->ag_dev, &o->ag_fn) == 3;
        else if (!strncmp(tok, "sleepmux.udpsend=", 17))
            sscanf(tok + 17, "%15[0-9.],%15[0-9.]:%u,%u", o->udp_addr, o->udp_dest, &o->udp_port,
                   &o->udp_seconds);
        else if (!strncmp(tok, "sleepmux.corrupt=", 17))
            o->corrupt_cycle = (unsigned)strtoul(tok + 17, NULL, 0);
        else if (!strncmp(tok, "sleepmux.state=", 15))
            snprintf(o->state, sizeof o->state, "%s", tok + 15);
    }
}

/* CPUs the kernel knows (online or not): cpu0 .. cpuN-1. */
static unsigned cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_CONF);
    return n > 0 && n < 1024 ? (unsigned)n : 1;
}

static bool pin(unsigned cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0;
}

static void unpin(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    for (unsigned i = 0; i < cpu_count(); i++)
        CPU_SET(i, &set);
    sched_setaffinity(0, sizeof set, &set);
}

/* What one CPU sees: sleepmux's signature, and nonzero bytes in the first
 * MiB and the last page of the VMM's region (read through /dev/mem while
 * running on that CPU). -1: could not run there. */
static int64_t probe_cpu(unsigned cpu, bool *signature)
{
    *signature = false;
    if (!pin(cpu))
        return -1;
    struct vmm_info v = vmm_info();
    *signature = v.present;
    int64_t nz = 0;
    if (v.present) {
        int fd = open("/dev/mem", O_RDONLY | O_SYNC);
        uint64_t first = v.region_size < (1u << 20) ? v.region_size : 1u << 20;
        volatile uint8_t *p = fd < 0 ? MAP_FAILED : mmap(NULL, first, PROT_READ, MAP_SHARED, fd, (off_t)v.region_base);
        volatile uint8_t *q = fd < 0 ? MAP_FAILED
                                     : mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd,
                                            (off_t)(v.region_base + v.region_size - 4096));
        if (p == MAP_FAILED || q == MAP_FAILED)
            nz = -1;
        else
            nz = (int64_t)(nonzero_bytes(p, first) + nonzero_bytes(q, 4096));
        if (p != MAP_FAILED)
            munmap((void *)p, first);
        if (q != MAP_FAILED)
            munmap((void *)q, 4096);
        if (fd >= 0)
            close(fd);
    }
    return nz;
}

static bool cpu_online(unsigned cpu)
{
    char path[64], val[8];
    if (cpu == 0)
        return true;
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%u/online", cpu);
    read_file(path, val, sizeof val);
    return val[0] == '1';
}

/* One line for all CPUs: how many ran the probe, saw the signature, and
 * what they read of the VMM's region. */
static void probe_cpus(const char *prefix)
{
    unsigned n = cpu_count(), ran = 0, sig = 0;
    int64_t nz = 0;
    char list[256] = "";
    size_t at = 0;
    for (unsigned i = 0; i < n; i++) {
        if (!cpu_online(i))
            continue;
        bool s;
        int64_t z = probe_cpu(i, &s);
        if (z < 0) {
            at += (size_t)snprintf(list + at, sizeof list - at, "%s%u:unpinned", at ? "," : "", i);
            continue;
        }
        ran++;
        sig += s;
        nz += z;
        at += (size_t)snprintf(list + at, sizeof list - at, "%s%u:%s", at ? "," : "", i, s ? "sig" : "nosig");
        if (at >= sizeof list)
            at = sizeof list - 1;
    }
    unpin();
    report("%sevent=cpus n=%u probed=%u signature=%u region_nonzero=%" PRId64 " list=%s", prefix, n, ran, sig, nz,
           list);
}

/* This CPU's own exit count (CPUID 0x40000005), pinned there. */
static bool cpu_exits(unsigned cpu, uint64_t *exits)
{
    uint32_t r[4];
    if (!pin(cpu))
        return false;
    cpuid(0x40000005u, r);
    *exits = r[2] | (uint64_t)r[3] << 32;
    return true;
}

/* Every CPU's exits per second while the guest idles: two reads per CPU
 * bracket the idle time (each read is one CPUID exit of its own). */
static void idle_cpus(unsigned seconds)
{
    unsigned n = cpu_count();
    uint64_t before[64] = { 0 }, after;
    char list[512] = "";
    size_t at = 0;
    if (n > 64)
        n = 64;
    for (unsigned i = 0; i < n; i++)
        if (!cpu_exits(i, &before[i]))
            before[i] = UINT64_MAX;
    unpin();
    double t0 = now();
    sleep(seconds);
    double dt = now() - t0;
    for (unsigned i = 0; i < n && at < sizeof list - 32; i++)
        if (before[i] != UINT64_MAX && cpu_exits(i, &after))
            at += (size_t)snprintf(list + at, sizeof list - at, "%s%u:%.2f", at ? "," : "", i,
                                   (double)(after - before[i] - 1) / dt);
    unpin();
    report("event=idle-cpus seconds=%.2f rates=%s", dt, list);
}

static bool write_online(unsigned cpu, char v)
{
    char path[64];
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%u/online", cpu);
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return false;
    bool ok = write(fd, &v, 1) == 1;
    close(fd);
    return ok;
}

/* Every CPU but the first offline and online again: the OS's INIT and
 * start-up IPIs go through the VMM each time. */
static void hotplug_cpus(unsigned cycle)
{
    unsigned n = cpu_count(), tried = 0, ok = 0;
    char level[64];
    /* The kernel's CPU up/down messages would interleave with this
     * program's lines on the console: quiet it meanwhile. */
    read_file("/proc/sys/kernel/printk", level, sizeof level);
    int pf = open("/proc/sys/kernel/printk", O_WRONLY);
    if (pf >= 0 && write(pf, "1", 1) != 1)
        report("event=printk error=%s", strerror(errno));
    double t0 = now();
    for (unsigned i = 1; i < n; i++) {
        tried++;
        if (write_online(i, '0') && !cpu_online(i) && write_online(i, '1') && cpu_online(i))
            ok++;
    }
    if (pf >= 0) {
        close(pf);
        usleep(100000);
        char first[8] = "7";
        sscanf(level, "%7s", first);
        pf = open("/proc/sys/kernel/printk", O_WRONLY); /* a sysctl takes one write at offset 0 */
        if (pf >= 0 && write(pf, first, strlen(first)) < 0)
            report("event=printk error=%s", strerror(errno));
        if (pf >= 0)
            close(pf);
    }
    report("cycle=%u event=hotplug cpus=%u ok=%u seconds=%.2f", cycle, tried, ok, now() - t0);
}

/* The map the kernel got from its EFI stub (the firmware's, as e820 ranges):
 * what a test checks the loader's reservations against. */
static void print_memmap(void)
{
    char path[64], start[32], end[32], type[64];

    for (unsigned i = 0;; i++) {
        snprintf(path, sizeof path, "/sys/firmware/memmap/%u/start", i);
        read_file(path, start, sizeof start);
        if (!start[0])
            break;
        snprintf(path, sizeof path, "/sys/firmware/memmap/%u/end", i);
        read_file(path, end, sizeof end);
        snprintf(path, sizeof path, "/sys/firmware/memmap/%u/type", i);
        read_file(path, type, sizeof type);
        for (char *c = type; *c; c++)
            if (*c == ' ')
                *c = '_';
        report("event=memmap start=%s end=%s type=%s", start, end, type);
    }
}

/*
 * The pattern: word i of the buffer is a 64-bit mix of the guest's identity
 * and i, so a page swapped in from the other guest, a page from an earlier
 * offset, or a zeroed page all fail verification.
 */
static uint64_t seed_of(const char *id)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

    for (const char *p = "sleepmux-guest-"; *p; p++)
        h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
    for (const char *p = id; *p; p++)
        h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
    return h;
}

static inline uint64_t word_at(uint64_t seed, uint64_t i)
{
    uint64_t z = seed + i * 0x9e3779b97f4a7c15ull;

    z = (z ^ (z >> 31)) * 0xbf58476d1ce4e5b9ull;
    return z ^ (z >> 29);
}

static void fill(uint64_t *buf, uint64_t words, uint64_t seed)
{
    for (uint64_t i = 0; i < words; i++)
        buf[i] = word_at(seed, i);
}

/* Returns the index of the first bad word, or `words` if all are good. */
static uint64_t verify(const uint64_t *buf, uint64_t words, uint64_t seed, uint64_t *bad_count)
{
    uint64_t first = words;

    *bad_count = 0;
    for (uint64_t i = 0; i < words; i++) {
        if (buf[i] != word_at(seed, i)) {
            if (first == words)
                first = i;
            ++*bad_count;
        }
    }
    return first;
}

static int suspend(const char *state)
{
    int fd = open("/sys/power/state", O_WRONLY);

    if (fd < 0)
        return errno;
    /* The write returns once the machine has resumed (or failed to sleep). */
    ssize_t n = write(fd, state, strlen(state));
    int err = n < 0 ? errno : 0;
    close(fd);
    return err;
}

/* Set the CMOS RTC (it keeps UTC here) through the kernel's rtc driver. */
static void set_rtc(const char *when)
{
    struct rtc_time tm = { 0 };
    int fd;

    if (sscanf(when, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
               &tm.tm_sec) != 6) {
        report("event=rtc-set error=bad-time value=%s", when);
        return;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    fd = open("/dev/rtc0", O_RDWR);
    if (fd < 0 || ioctl(fd, RTC_SET_TIME, &tm) < 0)
        report("event=rtc-set error=%s", strerror(errno));
    else
        report("event=rtc-set utc=%s", when);
    if (fd >= 0)
        close(fd);
}

/*
 * Clear PM1_EN.RTC_EN (ACPI 6.5 §4.8.3.1.2, bit 10) the way an OS on its way
 * down would: the register is the second half of the PM1a event block, whose
 * port and length the FADT gives (ACPI 6.5 §5.2.9: PM1a_EVT_BLK at offset 56,
 * PM1_EVT_LEN at offset 88).
 */
static void clear_rtc_en(void)
{
    uint8_t fadt[256];
    int fd = open("/sys/firmware/acpi/tables/FACP", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, fadt, sizeof fadt) : -1;

    if (fd >= 0)
        close(fd);
    if (n < 89) {
        report("event=rtc-en error=no-fadt");
        return;
    }
    uint32_t evt;
    memcpy(&evt, fadt + 56, 4);
    off_t port = (off_t)(evt + fadt[88] / 2);
    uint16_t before, after;
    fd = open("/dev/port", O_RDWR);
    if (fd < 0 || pread(fd, &before, 2, port) != 2) {
        report("event=rtc-en error=%s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return;
    }
    after = before & (uint16_t)~(1u << 10);
    if (pwrite(fd, &after, 2, port) != 2)
        report("event=rtc-en error=%s", strerror(errno));
    pread(fd, &after, 2, port);
    close(fd);
    report("event=rtc-en-cleared port=0x%x before=0x%04x after=0x%04x", (unsigned)port, before, after);
}

int main(void)
{
    struct opts o = { .buffer = 256ull << 20, .cycles = 3, .poweroff = false, .state = "mem" };

    read_file("/etc/sleepmux-os", os_id, sizeof os_id);
    if (!os_id[0])
        snprintf(os_id, sizeof os_id, "?");
    parse_cmdline(&o);

    uint64_t words = o.buffer / 8;
    report("event=boot buffer=%" PRIu64 " cycles=%u end=%s", o.buffer, o.cycles,
           o.poweroff ? "poweroff" : o.kbd_reset ? "kbd-reset" : "idle");
    if (o.memmap)
        print_memmap();

    uint64_t *buf = mmap(NULL, o.buffer, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (buf == MAP_FAILED) {
        /* PID 1 must not exit (the kernel would panic): report and idle. */
        report("event=error what=mmap errno=%d (%s)", errno, strerror(errno));
        for (;;)
            pause();
    }
    uint64_t seed = seed_of(os_id);
    double t = now();
    fill(buf, words, seed);
    report("event=filled mib=%" PRIu64 " seconds=%.2f memmap=%016" PRIx64, o.buffer >> 20, now() - t,
           memmap_digest());

    struct vmm_info v = vmm_info();
    if (v.present)
        report("event=vmm signature=sleepmux-vmm sleeps=%u exits=%" PRIu64 " region=0x%" PRIx64 "+0x%" PRIx64
               " trampoline=0x%" PRIx32, v.sleeps, v.exits, v.region_base, v.region_size, v.trampoline);
    else
        report("event=vmm signature=none");
    if (o.probe_vmm && v.present)
        probe_vmm_region(&v);
    if (o.cpus)
        probe_cpus("");
    if (o.probe_other) {
        uint64_t ob, os_;
        other_range(&ob, &os_);
        int64_t nz = other_nonzero(64ull << 20);
        report("event=other-read base=0x%" PRIx64 " size=0x%" PRIx64 " nonzero_words=%" PRId64, ob, os_, nz);
    }
    if (o.airgap) {
        load_modules();
        airgap(&o, 0);
    }
    if (o.udp_seconds)
        udpsend(&o);
    if (o.idle) {
        /* CPUID exits itself; the two reads bracket the idle time. */
        uint64_t before = vmm_info().exits;
        double t0 = now();
        sleep(o.idle);
        uint64_t after = vmm_info().exits;
        report("event=idle seconds=%.2f exits=%" PRIu64, now() - t0, v.present ? after - before - 1 : 0);
        if (o.cpus && v.present)
            idle_cpus(o.idle);
    }

    unsigned ok = 0, cycle;
    for (cycle = 1; o.cycles == 0 || cycle <= o.cycles; cycle++) {
        if (cycle == o.corrupt_cycle) {
            uint64_t at = (words / 2 + 12345) % words;
            buf[at] ^= 1ull << 17;
            report("cycle=%u event=corrupted offset=0x%" PRIx64, cycle, at * 8);
        }
        if (o.hotplug) {
            hotplug_cpus(cycle);
            if (o.cpus)
                probe_cpus("after-hotplug ");
        }
        if (cycle == 1 && o.rtc[0])
            set_rtc(o.rtc);
        if (o.clear_rtc_en)
            clear_rtc_en();
        report("cycle=%u event=suspend state=%s", cycle, o.state);
        int err = suspend(o.state);
        if (err) {
            report("cycle=%u event=suspend-failed errno=%d (%s)", cycle, err, strerror(err));
            sleep(1);
            continue;
        }
        t = now();
        uint64_t bad;
        uint64_t first = verify(buf, words, seed, &bad);
        if (first == words) {
            ok++;
            struct vmm_info vi = vmm_info();
            if (vi.present && o.probe_other)
                report("cycle=%u pattern=ok seconds=%.2f vmm_sleeps=%u vmm_exits=%" PRIu64 " other_nonzero=%" PRId64
                       " memmap=%016" PRIx64, cycle, now() - t, vi.sleeps, vi.exits, other_nonzero(64 * 4096),
                       memmap_digest());
            else if (vi.present)
                report("cycle=%u pattern=ok seconds=%.2f vmm_sleeps=%u vmm_exits=%" PRIu64, cycle, now() - t,
                       vi.sleeps, vi.exits);
            else
                report("cycle=%u pattern=ok seconds=%.2f", cycle, now() - t);
            if (o.cpus) {
                char pre[32];
                snprintf(pre, sizeof pre, "cycle=%u ", cycle);
                probe_cpus(pre);
            }
            airgap(&o, cycle);
        } else {
            report("cycle=%u pattern=bad first_bad_offset=0x%" PRIx64 " bad_words=%" PRIu64
                   " expected=0x%016" PRIx64 " found=0x%016" PRIx64,
                   cycle, first * 8, bad, word_at(seed, first), buf[first]);
        }
    }
    report("event=done cycles=%u ok=%u", cycle - 1, ok);
    if (o.poweroff) {
        if (o.rtc_off[0])
            set_rtc(o.rtc_off);
        if (o.clear_rtc_en)
            clear_rtc_en();
        report("event=poweroff");
        sync();
        reboot(RB_POWER_OFF);
    }
    if (o.kbd_reset) {
        int fd = open("/dev/port", O_WRONLY);
        uint8_t cmd = 0xfe;
        report("event=kbd-reset");
        sync();
        if (fd < 0 || pwrite(fd, &cmd, 1, 0x64) != 1)
            report("event=kbd-reset error=%s", strerror(errno));
    }
    for (;;)
        pause();
}
