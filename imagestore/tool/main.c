/* SPDX-License-Identifier: MIT */
/*
 * sleepmux-image: make, inspect, verify and unpack sleepmux OS images, as
 * files or in a store (a partition or a file holding one).
 *
 *   sleepmux-image create  --key-file K [--os A|B] [--generation N] [--chunk-pages N]
 *                          [--cpu FILE] [--base ADDR] DUMP (-o IMAGE | --store DEV)
 *   sleepmux-image info    [--key-file K] (IMAGE | --store DEV)
 *   sleepmux-image verify  --key-file K (IMAGE | --store DEV [--slot N | --os A|B])
 *   sleepmux-image extract --key-file K (IMAGE | --store DEV [--slot N | --os A|B])
 *                          -o RAW [--cpu-out FILE]
 *   sleepmux-image mark-restored --key-file K --store DEV [--slot N | --os A|B]
 *   sleepmux-image format  --key-file K --store DEV [--force]
 *
 * Exit status: 0 good, 1 corrupt or rejected image, 2 usage, 3 wrong key,
 * 4 I/O error, 5 the store has no such image or no room (io.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "version.h"

static bool parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    *v = strtoull(s, &end, 0);
    return errno == 0 && *s && !*end;
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        { "key-file", required_argument, 0, 'k' }, { "os", required_argument, 0, 'O' },
        { "generation", required_argument, 0, 'g' }, { "chunk-pages", required_argument, 0, 'c' },
        { "cpu", required_argument, 0, 'C' }, { "cpu-out", required_argument, 0, 'X' },
        { "base", required_argument, 0, 'b' }, { "store", required_argument, 0, 's' },
        { "slot", required_argument, 0, 'S' }, { "block-size", required_argument, 0, 'B' },
        { "output", required_argument, 0, 'o' }, { "force", no_argument, 0, 'f' },
        { "version", no_argument, 0, 'V' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
    };
    struct opts o = { .generation = 1, .slot = -1 };
    uint64_t v;
    int c, rc;

    while ((c = getopt_long(argc, argv, "o:h", longs, NULL)) != -1) {
        switch (c) {
        case 'k': o.key_file = optarg; break;
        case 'O':
            if (strcmp(optarg, "A") && strcmp(optarg, "B"))
                return usage();
            o.os = optarg[0] == 'A' ? IMG_OS_A : IMG_OS_B;
            o.os_given = true;
            break;
        case 'g': if (!parse_u64(optarg, &o.generation)) return usage(); break;
        case 'c': if (!parse_u64(optarg, &v) || v > IMG_CHUNK_PAGES_MAX) return usage(); o.chunk_pages = (uint32_t)v; break;
        case 'C': o.cpu = optarg; break;
        case 'X': o.cpu_out = optarg; break;
        case 'b': if (!parse_u64(optarg, &o.base)) return usage(); break;
        case 's': o.store = optarg; break;
        case 'S': if (!parse_u64(optarg, &v) || v >= IMG_STORE_SLOTS) return usage(); o.slot = (int)v; break;
        case 'B': if (!parse_u64(optarg, &v) || v > 4096) return usage(); o.block_size = (uint32_t)v; break;
        case 'o': o.out = optarg; break;
        case 'f': o.force = true; break;
        case 'V': printf("sleepmux-image %s\n", SMX_VERSION); return 0;
        case 'h': return help();
        default: return usage();
        }
    }
    if (optind >= argc)
        return usage();
    o.cmd = argv[optind++];
    if (optind < argc)
        o.input = argv[optind++];
    if (optind < argc)
        return usage();
    /* A store's superblock is authenticated under the key: info needs it
     * for a store, not for an image file's clear header. */
    if (!strcmp(o.cmd, "info") && o.store && !o.key_file) {
        fprintf(stderr, "sleepmux-image: info --store needs --key-file (a store's superblock is sealed under "
                "the key; an image file's header is not)\n");
        return EXIT_USAGE;
    }
    bool key_needed = strcmp(o.cmd, "info") != 0;
    if (key_needed && !o.key_file) {
        fprintf(stderr, "sleepmux-image: %s needs --key-file\n", o.cmd);
        return EXIT_USAGE;
    }
    if (o.key_file && (rc = load_key(o.key_file, o.key)) != 0)
        return rc;

    if (!strcmp(o.cmd, "create"))
        return cmd_create(&o);
    if (!strcmp(o.cmd, "info"))
        return cmd_info(&o);
    if (!strcmp(o.cmd, "verify"))
        return cmd_read(&o, READ_VERIFY);
    if (!strcmp(o.cmd, "extract"))
        return cmd_read(&o, READ_EXTRACT);
    if (!strcmp(o.cmd, "mark-restored")) {
        o.restore = true;
        return cmd_read(&o, READ_MARK);
    }
    if (!strcmp(o.cmd, "format"))
        return cmd_format(&o);
    return usage();
}
