/* SPDX-License-Identifier: MIT */
/*
 * A freestanding image built the way vmm.elf is (fs world, vmm/vmm.ld) that
 * uses the third-party code the VMM will carry: LZ4 block compression, the
 * lwIP raw UDP API and BearSSL's ChaCha20-Poly1305 and HKDF. check.sh proves
 * that everything it needs from outside is something the VMM provides.
 */
#include <stddef.h>
#include <stdint.h>

#include "bearssl.h"
#include "lwip/init.h"
#include "lwip/udp.h"
#include "lz4.h"

void smx_vmm_entry(void);

static char in[4096], out[LZ4_COMPRESSBOUND(4096)], back[4096];

static void udp_rx(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port)
{
    pbuf_free(p);
}

__attribute__((section(".text.entry"))) void smx_vmm_entry(void)
{
    int n = LZ4_compress_default(in, out, (int)sizeof in, (int)sizeof out);
    LZ4_decompress_safe(out, back, n, (int)sizeof back);

    lwip_init();
    struct udp_pcb *pcb = udp_new();
    udp_bind(pcb, IP_ANY_TYPE, 69);
    udp_recv(pcb, udp_rx, NULL);

    br_hkdf_context kdf;
    unsigned char key[32], nonce[12] = { 0 }, tag[16];
    br_hkdf_init(&kdf, &br_sha256_vtable, "salt", 4);
    br_hkdf_inject(&kdf, in, 32);
    br_hkdf_flip(&kdf);
    br_hkdf_produce(&kdf, "info", 4, key, sizeof key);
    br_poly1305_ctmulq_run(key, nonce, in, sizeof in, NULL, 0, tag, br_chacha20_ct_run, 1);

    for (;;)
        __asm__ volatile("hlt");
}
