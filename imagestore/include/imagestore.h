/* SPDX-License-Identifier: MIT */
/*
 * imagestore: the sealed image of a suspended OS's memory, and the
 * on-partition store that keeps two of them.
 *
 * The byte-level format and the reasoning behind it are in
 * docs/image-format.md. In short, an image is a byte stream:
 *
 *   header record   clear fields + sealed region table and CPU context
 *   chunk records   up to chunk_pages guest pages each: zero pages elided,
 *                   runs of other pages LZ4-compressed (or raw when that
 *                   does not pay), sealed with ChaCha20-Poly1305
 *   commit record   counts and a digest chained over every chunk, last
 *
 * Each record is sealed with a per-image key derived (HKDF-SHA256) from the
 * caller's 32-byte master key and the image id; its nonce is the record's
 * kind and index, and its associated data is its frame and the digest of
 * the header, so a record cannot be moved, repeated, or carried into
 * another image unnoticed.
 *
 * The library never allocates and keeps no state of its own: the caller
 * owns every structure below and the working memory, and does all I/O
 * through the small interfaces it passes in (a byte sink or source for the
 * stream, a block device for the store, a page map for restoring). Nothing
 * here blocks except inside those callbacks. The same code runs in the VMM
 * (freestanding, no SSE) and on the host.
 *
 * A reader never writes a byte of a chunk into the caller's pages before
 * that chunk has been authenticated. The commit record is what proves the
 * stream complete: a restore is good only when img_reader_next() has
 * reported the image done. On a partition the store also refuses to hand
 * out a slot that was not committed (see img_store_begin()).
 */
#ifndef IMAGESTORE_H
#define IMAGESTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- limits of format version 1 ---------------------------------------- */

#define IMG_FORMAT_VERSION 1
#define IMG_KEY_SIZE 32          /* master key, bytes */
#define IMG_ID_SIZE 16           /* image id and store id, bytes */
#define IMG_DIGEST_SIZE 32       /* SHA-256 */
#define IMG_PAGE_SIZE 4096       /* the only page size version 1 writes */
#define IMG_CHUNK_PAGES_MIN 8
#define IMG_CHUNK_PAGES_MAX 256  /* 1 MiB of pages per chunk at most */
#define IMG_CHUNK_PAGES_DEFAULT 64
#define IMG_REGIONS_MAX 1024
#define IMG_CPU_MAX 16384        /* CPU context blob, bytes */

/* Which OS an image holds. */
#define IMG_OS_A 0
#define IMG_OS_B 1

/* ---- errors --------------------------------------------------------------- */

/*
 * Every failure is one of these; the img_error next to it names the object
 * (image, chunk, superblock copy, slot) and the numbers involved.
 * The integrity classes are distinct on purpose: an operator must be able
 * to tell an interrupted write from tampering from a configuration mistake.
 */
enum img_err {
    IMG_OK = 0,
    IMG_E_IO,        /* the sink, source or block device reported a failure */
    IMG_E_NOT_IMAGE, /* no image (or no store) here: the magic is absent */
    IMG_E_VERSION,   /* a format version this code does not read */
    IMG_E_TRUNCATED, /* torn or truncated: the stream ends before its commit record */
    IMG_E_REORDERED, /* an authentic record of this image in the wrong place (swap, duplicate) */
    IMG_E_REPLAYED,  /* authentic, but not the image expected: other image id,
                        generation or OS, a record from another image, or
                        an image already restored */
    IMG_E_ALTERED,   /* bytes differ from what was written: checksum or authentication failure */
    IMG_E_KEY,       /* sealed under another master key */
    IMG_E_FORMAT,    /* authentic but breaks the format (only a faulty writer makes these) */
    IMG_E_LIMIT,     /* needs more than this code or the caller's buffers allow */
    IMG_E_REFUSED,   /* the caller's page map refused a range */
    IMG_E_ARG,       /* the caller broke the contract (bad config, pages out of order, ...) */
    IMG_E_NOSPACE,   /* the image does not fit in the slot / the device is too small */
    IMG_E_BUSY,      /* no slot can be overwritten without losing an unrestored image */
    IMG_E_EMPTY,     /* the slot holds no committed image */
    IMG_E_COUNT_
};

struct img_error {
    enum img_err code;
    const char *what;        /* static template: %a %b the numbers below, %x %y the same in hex */
    uint64_t a, b;
    uint8_t image[4];        /* first bytes of the image id, when has_image */
    bool has_image;
};

/* Short name of a code ("altered", "wrong key", ...). */
const char *img_err_name(enum img_err code);

/*
 * Format an error as one line naming the object, e.g.
 * "image 7f3a91c2: chunk 12 fails authentication (altered)". Always
 * NUL-terminates when size > 0; returns the length the full line needs.
 */
size_t img_error_format(const struct img_error *e, char *buf, size_t size);

/* ---- I/O interfaces the caller supplies ------------------------------------ */

/* Where a sealed stream goes (a file, a TFTP upload, a store slot).
 * write() takes all len bytes or fails; nonzero is an I/O error. */
struct img_sink {
    void *ctx;
    int (*write)(void *ctx, const void *buf, size_t len);
};

/* Where a sealed stream comes from. read() fills buf with up to len bytes
 * and sets *got; *got < len only at the end of the stream. Nonzero is an
 * I/O error. */
struct img_source {
    void *ctx;
    int (*read)(void *ctx, void *buf, size_t len, size_t *got);
};

/*
 * Where restored pages go. map() is called once per authenticated chunk,
 * before any byte of it is written, for the guest-physical range
 * [gpa, gpa + len): return len writable bytes, or NULL to stop the restore
 * (IMG_E_REFUSED). The VMM checks the range against the OS's memory and
 * returns the identity-mapped address; a tool returns a staging buffer.
 * done(), if set, is called after the range has been filled.
 */
struct img_memory {
    void *ctx;
    void *(*map)(void *ctx, uint64_t gpa, size_t len);
    void (*done)(void *ctx, uint64_t gpa, size_t len);
};

/* A run of guest-physical memory: base is page-aligned. */
struct img_region {
    uint64_t base;
    uint64_t pages;
};

/* What finish (writer) and the commit record (reader) report. */
struct img_summary {
    uint8_t image_id[IMG_ID_SIZE];
    uint8_t header_digest[IMG_DIGEST_SIZE]; /* SHA-256 of the header record */
    uint64_t generation;
    uint32_t os;
    uint64_t chunks;
    uint64_t pages;        /* all pages of all regions */
    uint64_t zero_pages;   /* elided */
    uint64_t raw_pages;    /* stored uncompressed because LZ4 did not pay */
    uint64_t stream_bytes; /* the whole stream, commit record included */
};

/* ---- writer ---------------------------------------------------------------- */

struct img_writer_config {
    const uint8_t *master_key;      /* IMG_KEY_SIZE bytes; not kept */
    uint8_t image_id[IMG_ID_SIZE];  /* random and never reused: it keys the image */
    uint64_t generation;            /* from the store, or the caller's own counter */
    uint32_t os;                    /* IMG_OS_A or IMG_OS_B */
    uint32_t chunk_pages;           /* 0 means IMG_CHUNK_PAGES_DEFAULT */
    const struct img_region *regions; /* ascending, disjoint; kept until finish */
    uint32_t region_count;
    const void *cpu;                /* opaque CPU context, sealed in the header */
    uint32_t cpu_size;
};

/* Working memory a writer needs for chunk_pages (0: default); a multiple of 64. */
size_t img_writer_work_size(uint32_t chunk_pages);

/* Private to the library, except what is marked readable. */
struct img_writer {
    uint8_t key[IMG_KEY_SIZE];
    uint8_t image_id[IMG_ID_SIZE];
    uint8_t header_digest[IMG_DIGEST_SIZE];
    uint8_t chain[IMG_DIGEST_SIZE];
    const struct img_sink *sink;
    uint8_t *buf;           /* record being built (sealed in place) */
    size_t buf_size;
    void *lz4;              /* LZ4 compression state */
    uint32_t chunk_pages;
    uint32_t chunk_n;       /* pages in the open chunk */
    size_t chunk_pos;       /* end of the open chunk's body in buf */
    uint64_t chunk_gpa;
    uint32_t region;        /* cursor: region index and the next page */
    uint64_t next_gpa;
    uint64_t left;          /* pages left in the cursor's region */
    const struct img_region *regions;
    uint32_t region_count;
    bool failed;
    struct img_summary sum;
    struct img_error err;   /* readable after a failure */
};

/*
 * Start an image: derives the image key, writes and seals the header
 * record. work must be img_writer_work_size(cfg->chunk_pages) bytes,
 * 16-byte aligned, and stay the writer's until finish or abort; so must
 * cfg->regions and the sink.
 */
enum img_err img_writer_begin(struct img_writer *w, const struct img_writer_config *cfg,
                              const struct img_sink *sink, void *work, size_t work_size);

/*
 * Push npages pages at guest-physical gpa from data (any alignment). Pages
 * must come in region order, without gaps, and one call may not cross a
 * region's end; pass as many pages per call as you can. Data is not kept
 * after the call returns. After a failure the writer only accepts abort.
 */
enum img_err img_writer_pages(struct img_writer *w, uint64_t gpa, const void *data, uint64_t npages);

/* Seal the last chunk and write the commit record; fills *sum (may be NULL)
 * and wipes the key. Every page of every region must have been pushed. */
enum img_err img_writer_finish(struct img_writer *w, struct img_summary *sum);

/* Give up on an image: wipes the key. The stream written so far has no
 * commit record, so no reader accepts it. */
void img_writer_abort(struct img_writer *w);

/* ---- reader ---------------------------------------------------------------- */

/* What the caller knows the image must be (from the store's superblock or
 * its own records); a mismatch is IMG_E_REPLAYED. */
#define IMG_EXPECT_ID 1u
#define IMG_EXPECT_GENERATION 2u
#define IMG_EXPECT_OS 4u
#define IMG_EXPECT_DIGEST 8u
struct img_expect {
    uint32_t flags;
    uint8_t image_id[IMG_ID_SIZE];
    uint64_t generation;
    uint32_t os;
    uint8_t header_digest[IMG_DIGEST_SIZE];
};

/* Working memory a reader needs to read images of up to chunk_pages pages
 * per chunk (0: IMG_CHUNK_PAGES_MAX, which reads every valid image); a
 * multiple of 64. */
size_t img_reader_work_size(uint32_t chunk_pages);

/* What the header says; valid after img_reader_open() succeeded. */
struct img_info {
    uint32_t version;
    uint8_t image_id[IMG_ID_SIZE];
    uint8_t key_id[16];
    uint64_t generation;
    uint32_t os;
    uint32_t page_size;
    uint32_t chunk_pages;
    uint32_t region_count;
    uint32_t cpu_size;
    uint64_t pages;          /* total over the region table */
    uint8_t header_digest[IMG_DIGEST_SIZE];
};

/* Private to the library, except what is marked readable. */
struct img_reader {
    uint8_t key[IMG_KEY_SIZE];
    uint8_t chain[IMG_DIGEST_SIZE];
    const struct img_source *src;
    uint8_t *buf;
    size_t buf_size;
    struct img_region *regions; /* in the work area */
    uint32_t region;
    uint64_t next_gpa;
    uint64_t left;
    uint64_t index;         /* next chunk index */
    uint64_t offset;        /* stream bytes consumed */
    uint64_t pages_done;    /* readable: pages delivered so far (progress) */
    uint64_t zero_pages;
    uint64_t raw_pages;
    bool done;              /* readable: the commit record verified */
    bool failed;
    struct img_info info;   /* readable after open */
    struct img_summary sum; /* readable when done */
    struct img_error err;   /* readable after a failure */
};

/*
 * Read and authenticate the header. cpu/cpu_max receive the CPU context
 * (cpu may be NULL to skip it; a larger context is IMG_E_LIMIT). expect may
 * be NULL (any authentic image). On success r->info describes the image and
 * img_reader_region() its regions.
 */
enum img_err img_reader_open(struct img_reader *r, const struct img_source *src,
                             const uint8_t master_key[IMG_KEY_SIZE], const struct img_expect *expect,
                             void *work, size_t work_size, void *cpu, size_t cpu_max);

const struct img_region *img_reader_region(const struct img_reader *r, uint32_t i);

/*
 * Read, authenticate and deliver the next record: one chunk into mem, or
 * the commit record, after which r->done is true and r->sum holds the
 * totals. Returns IMG_OK for either; call until done.
 */
enum img_err img_reader_next(struct img_reader *r, const struct img_memory *mem);

/* Wipe the key (also done when the reader finishes or fails). */
void img_reader_close(struct img_reader *r);

/* Only the header's clear part, without a key: for tools that describe an
 * image they cannot open. buf holds the first IMG_HEADER_CLEAR bytes. */
#define IMG_HEADER_CLEAR 128
enum img_err img_peek_header(const void *buf, size_t len, struct img_info *info, struct img_error *err);

/* The key id an image records for a master key (to tell keys apart). */
void img_key_id(const uint8_t master_key[IMG_KEY_SIZE], uint8_t key_id[16]);

/* ---- the store: a partition with two superblock copies and two slots ------- */

/*
 * A block device. block_size is a power of two from 512 to 4096. read and
 * write move n whole blocks; flush returns only when every write before it
 * is durable. Nonzero from any of them is an I/O error.
 */
struct img_blockdev {
    void *ctx;
    uint32_t block_size;
    uint64_t block_count;
    int (*read)(void *ctx, uint64_t lba, uint32_t n, void *buf);
    int (*write)(void *ctx, uint64_t lba, uint32_t n, const void *buf);
    int (*flush)(void *ctx);
};

enum img_slot_state {
    IMG_SLOT_EMPTY = 0,
    IMG_SLOT_WRITING = 1,   /* a write began and has not committed */
    IMG_SLOT_COMMITTED = 2, /* holds a complete image not yet restored */
    IMG_SLOT_RESTORED = 3,  /* its image was restored: it must not run again */
    IMG_SLOT_SUPERSEDED = 4,/* a newer image of the same OS committed after it */
};

struct img_slot {
    uint32_t state;         /* enum img_slot_state */
    uint32_t os;
    uint64_t generation;
    uint8_t image_id[IMG_ID_SIZE];
    uint64_t stream_bytes;
    uint8_t header_digest[IMG_DIGEST_SIZE];
};

#define IMG_STORE_SLOTS 2

/* The store's state as read from the newest valid superblock copy. */
struct img_store {
    const struct img_blockdev *dev;
    uint8_t *io;            /* one block of the caller's memory */
    uint8_t mac_key[IMG_KEY_SIZE];
    uint8_t key_id[16];
    uint8_t store_id[IMG_ID_SIZE];
    uint64_t sequence;      /* superblock updates so far */
    uint64_t last_generation;
    uint64_t slot_offset;   /* bytes from the device start */
    uint64_t slot_size;     /* bytes */
    uint32_t bad_copies;    /* bit i: copy i was unreadable at open (healed by the next update) */
    struct img_slot slot[IMG_STORE_SLOTS];
    struct img_error err;
};

/* Initialise a store on dev (destroys what the device held). io is one
 * block of memory the store keeps using. */
enum img_err img_store_format(struct img_store *s, const struct img_blockdev *dev,
                              const uint8_t master_key[IMG_KEY_SIZE],
                              const uint8_t store_id[IMG_ID_SIZE], void *io);

/* Read both superblock copies and keep the newest valid one. */
enum img_err img_store_open(struct img_store *s, const struct img_blockdev *dev,
                            const uint8_t master_key[IMG_KEY_SIZE], void *io);

/* The slot holding os's newest committed (not yet restored) image, or -1. */
int img_store_latest(const struct img_store *s, uint32_t os);

/* A stream sink or source bound to one slot. Private fields. It stages
 * partial blocks in the store's io block, so finish with one stream before
 * making any other call on the same store. */
struct img_slot_stream {
    struct img_store *store;
    union {
        struct img_sink sink;
        struct img_source source;
    } u;
    int slot;
    uint64_t pos;           /* stream bytes so far */
    uint64_t end;           /* source: stream length; sink: slot size */
    uint32_t fill;          /* sink: bytes staged in store->io */
    uint64_t cached;        /* source: lba held in store->io, or UINT64_MAX */
};

/*
 * Begin writing an image for os into a slot that holds no committed image
 * (empty, interrupted, restored or superseded); slot -1 lets the store
 * choose. A committed image is never overwritten: while one OS's image
 * waits in one slot, the other slot is the only place to write, and when
 * both hold committed images the result is IMG_E_BUSY. The slot is first
 * marked WRITING (durably), so a crash never leaves a superblock that
 * vouches for half-written data, and the generation is reserved:
 * *generation is what to give the writer. Then write the image to
 * &st->u.sink and call img_store_commit(). When the writer reports
 * IMG_E_IO, s->err says what the slot or the device reported (a full slot
 * is IMG_E_NOSPACE). After any I/O error, reopen the store before using it
 * again: its in-memory state may be ahead of the device.
 */
enum img_err img_store_begin(struct img_store *s, uint32_t os, int slot,
                             struct img_slot_stream *st, uint64_t *generation);

/* Flush the image and commit it in the superblock; in the same update
 * the OS's previous committed image (if any) becomes SUPERSEDED, so an
 * older image of an OS can never be restored after a newer one. sum is
 * what img_writer_finish() returned. */
enum img_err img_store_commit(struct img_store *s, struct img_slot_stream *st,
                              const struct img_summary *sum);

/* Open a committed slot for reading: &st->u.source is the stream and
 * *expect what the superblock says it must be (pass it to the reader). A
 * restored or superseded slot is IMG_E_REPLAYED unless allow_restored,
 * which is for inspection only: such an image must never run again. */
enum img_err img_store_read(struct img_store *s, int slot, bool allow_restored,
                            struct img_slot_stream *st, struct img_expect *expect);

/* Record that slot's image has been restored, so it never runs twice.
 * Call it after the reader reported the image done and before the OS
 * resumes; if it fails, do not resume the OS. */
enum img_err img_store_mark_restored(struct img_store *s, int slot);

#endif
