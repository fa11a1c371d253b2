# SPDX-License-Identifier: MIT
# Third-party code, fetched by mk/deps.sh from Debian's source packages into
# third_party/src (never committed), compiled here for the worlds that cannot
# use Debian's binary packages. The file lists are explicit so that they are
# known before the sources are fetched.

TP := third_party/src

# LZ4 1.9.4, block API only. LZ4_FREESTANDING drops its libc use; the three
# primitives it then needs are the compiler's builtins (memcpy & co, which the
# VMM provides).
LZ4_DEFS := -DLZ4_FREESTANDING=1 -DLZ4_memcpy=__builtin_memcpy \
            -DLZ4_memset=__builtin_memset -DLZ4_memmove=__builtin_memmove
LIBS += lz4
lz4.srcs := $(TP)/lz4/lib/lz4.c
lz4.worlds := fs efi

# BearSSL 0.6: the AEAD (ChaCha20 + Poly1305) and HKDF-SHA256 only. No SSE2,
# AES-NI or POWER8 paths and no OS randomness or clock in the freestanding
# worlds.
BEARSSL_DEFS := -DBR_SSE2=0 -DBR_AES_X86NI=0 -DBR_POWER8=0 -DBR_RDRAND=0 \
                -DBR_USE_URANDOM=0 -DBR_USE_GETENTROPY=0 -DBR_USE_WIN32_RAND=0 \
                -DBR_USE_UNIX_TIME=0 -DBR_USE_WIN32_TIME=0
LIBS += bearssl
bearssl.srcs := $(addprefix $(TP)/bearssl/src/, \
    symcipher/chacha20_ct.c symcipher/poly1305_ctmulq.c symcipher/poly1305_ctmul.c \
    hash/sha2small.c mac/hmac.c kdf/hkdf.c \
    codec/ccopy.c codec/dec32be.c codec/enc32be.c codec/dec32le.c codec/enc32le.c \
    codec/dec64be.c codec/enc64be.c codec/dec64le.c codec/enc64le.c)
bearssl.worlds := fs efi
bearssl.inc := -I$(TP)/bearssl/inc -I$(TP)/bearssl/src

# lwIP 2.1.3: core, IPv4 and Ethernet, configured by udp-xfer/lwip/lwipopts.h
# (NO_SYS=1). Built for the VMM and for the hosted TAP test binding.
LIBS += lwip
lwip.srcs := $(addprefix $(TP)/lwip/src/, \
    core/init.c core/def.c core/inet_chksum.c core/ip.c core/mem.c core/memp.c \
    core/netif.c core/pbuf.c core/timeouts.c core/udp.c core/stats.c core/sys.c \
    core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4.c core/ipv4/ip4_addr.c \
    core/ipv4/ip4_frag.c core/ipv4/dhcp.c core/ipv4/autoip.c \
    netif/ethernet.c)
lwip.worlds := fs host asan fuzz

LWIP_INC := -I$(TP)/lwip/src/include -Iudp-xfer/lwip

# Where third-party headers come from in each world: the fetched sources for
# the freestanding ones, Debian's -dev packages (/usr/include) for the rest.
CFLAGS_fs += -I$(TP)/lz4/lib -I$(TP)/bearssl/inc $(LZ4_DEFS) $(LWIP_INC)
CFLAGS_efi += -I$(TP)/lz4/lib -I$(TP)/bearssl/inc $(LZ4_DEFS)
CFLAGS_host += $(LWIP_INC)
CFLAGS_asan += $(LWIP_INC)
CFLAGS_fuzz += $(LWIP_INC)

$(B)/fs/$(TP)/bearssl/%.o $(B)/efi/$(TP)/bearssl/%.o: XFLAGS := $(BEARSSL_DEFS) -I$(TP)/bearssl/src
