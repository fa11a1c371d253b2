/* SPDX-License-Identifier: MIT */
/*
 * The store on a partition: a superblock kept in two copies (bytes 0 and
 * 4096) and two image slots after them. Every update writes copy 0, waits
 * for it to be durable, then copy 1: a crash leaves at least one complete
 * copy, and the newest complete copy (highest sequence) is the state. Both
 * copies carry the same state once an update finishes, so losing either to
 * a bad sector later loses nothing. Each copy has a CRC-32C (torn or
 * damaged) and an HMAC-SHA256 under a key derived from the master key (a
 * forged superblock could otherwise make an old, authentic image look
 * current: a replay).
 */
#include <string.h>

#include "error.h"
#include "layout.h"
#include "seal.h"
#include "slotio.h"

static enum img_err fail(struct img_store *s, enum img_err code, const char *what, uint64_t a, uint64_t b)
{
    return img_fail(&s->err, code, NULL, what, a, b);
}

static bool dev_ok(const struct img_blockdev *d)
{
    uint32_t bs = d->block_size;

    return bs >= 512 && bs <= SB_AREA && (bs & (bs - 1)) == 0 && d->block_count <= UINT64_MAX / bs && d->read &&
           d->write && d->flush;
}

static void sb_encode(const struct img_store *s, uint8_t *p)
{
    memset(p, 0, SB_SIZE);
    memcpy(p + SB_O_MAGIC, SB_MAGIC, 8);
    put16(p + SB_O_VERSION, IMG_FORMAT_VERSION);
    put16(p + SB_O_SIZE, SB_SIZE);
    put64(p + SB_O_SEQUENCE, s->sequence);
    memcpy(p + SB_O_STORE_ID, s->store_id, IMG_ID_SIZE);
    memcpy(p + SB_O_KEY_ID, s->key_id, 16);
    put64(p + SB_O_LAST_GEN, s->last_generation);
    put64(p + SB_O_SLOT_OFFSET, s->slot_offset);
    put64(p + SB_O_SLOT_SIZE, s->slot_size);
    for (int i = 0; i < IMG_STORE_SLOTS; i++) {
        uint8_t *e = p + SB_O_SLOTS + i * SLOT_SIZE;
        const struct img_slot *sl = &s->slot[i];
        put32(e + SLOT_O_STATE, sl->state);
        put32(e + SLOT_O_OS, sl->os);
        put64(e + SLOT_O_GENERATION, sl->generation);
        memcpy(e + SLOT_O_IMAGE_ID, sl->image_id, IMG_ID_SIZE);
        put64(e + SLOT_O_BYTES, sl->stream_bytes);
        memcpy(e + SLOT_O_DIGEST, sl->header_digest, IMG_DIGEST_SIZE);
    }
    img_hmac_sha256(s->mac_key, p, SB_O_MAC, p + SB_O_MAC);
    put32(p + SB_O_CRC, img_crc32c(p, SB_O_CRC));
}

/* Check one copy and, if good, decode it into *s. Messages name the copy. */
static enum img_err sb_decode(struct img_store *s, const uint8_t *p, int copy, uint64_t dev_bytes)
{
    uint8_t mac[32];

    if (memcmp(p + SB_O_MAGIC, SB_MAGIC, 8) != 0)
        return fail(s, IMG_E_NOT_IMAGE, "superblock copy %a: no store here (magic is not SMXSTORE)", copy, 0);
    if (get32(p + SB_O_CRC) != img_crc32c(p, SB_O_CRC))
        return fail(s, IMG_E_ALTERED, "superblock copy %a: checksum does not match (torn or damaged)", copy, 0);
    if (get16(p + SB_O_VERSION) != IMG_FORMAT_VERSION)
        return fail(s, IMG_E_VERSION, "superblock copy %a: version %b", copy, get16(p + SB_O_VERSION));
    if (!img_equal_ct(p + SB_O_KEY_ID, s->key_id, 16))
        return fail(s, IMG_E_KEY, "superblock copy %a: store belongs to key %y", copy, id_prefix(p + SB_O_KEY_ID));
    img_hmac_sha256(s->mac_key, p, SB_O_MAC, mac);
    if (!img_equal_ct(mac, p + SB_O_MAC, 32))
        return fail(s, IMG_E_ALTERED, "superblock copy %a fails authentication", copy, 0);

    s->sequence = get64(p + SB_O_SEQUENCE);
    memcpy(s->store_id, p + SB_O_STORE_ID, IMG_ID_SIZE);
    s->last_generation = get64(p + SB_O_LAST_GEN);
    s->slot_offset = get64(p + SB_O_SLOT_OFFSET);
    s->slot_size = get64(p + SB_O_SLOT_SIZE);
    if (get16(p + SB_O_SIZE) != SB_SIZE || s->slot_offset < 2 * SB_AREA || s->slot_offset % SLOT_ALIGN ||
        s->slot_size == 0 || s->slot_size % SLOT_ALIGN || s->slot_size > dev_bytes / 2 ||
        s->slot_offset > dev_bytes - 2 * s->slot_size)
        return fail(s, IMG_E_FORMAT, "superblock copy %a: slots do not fit the device's %b bytes", copy, dev_bytes);
    for (int i = 0; i < IMG_STORE_SLOTS; i++) {
        const uint8_t *e = p + SB_O_SLOTS + i * SLOT_SIZE;
        struct img_slot *sl = &s->slot[i];
        sl->state = get32(e + SLOT_O_STATE);
        sl->os = get32(e + SLOT_O_OS);
        sl->generation = get64(e + SLOT_O_GENERATION);
        memcpy(sl->image_id, e + SLOT_O_IMAGE_ID, IMG_ID_SIZE);
        sl->stream_bytes = get64(e + SLOT_O_BYTES);
        memcpy(sl->header_digest, e + SLOT_O_DIGEST, IMG_DIGEST_SIZE);
        if (sl->state > IMG_SLOT_SUPERSEDED || sl->os > IMG_OS_B || sl->stream_bytes > s->slot_size ||
            sl->generation > s->last_generation)
            return fail(s, IMG_E_FORMAT, "superblock copy %a: slot %b entry is malformed", copy, i);
    }
    return IMG_OK;
}

/* Write the state as a new sequence: copy 0, flush, copy 1, flush. */
static enum img_err sb_write(struct img_store *s)
{
    const struct img_blockdev *d = s->dev;

    s->sequence++;
    memset(s->io, 0, d->block_size);
    sb_encode(s, s->io);
    for (uint32_t c = 0; c < 2; c++) {
        if (d->write(d->ctx, (uint64_t)c * SB_AREA / d->block_size, 1, s->io) != 0 || d->flush(d->ctx) != 0)
            return fail(s, IMG_E_IO, "device failed writing superblock copy %a", c, 0);
    }
    s->bad_copies = 0;
    return IMG_OK;
}

static void keys(struct img_store *s, const uint8_t master_key[IMG_KEY_SIZE])
{
    img_seal_store_key(master_key, s->mac_key);
    img_key_id(master_key, s->key_id);
}

enum img_err img_store_format(struct img_store *s, const struct img_blockdev *dev,
                              const uint8_t master_key[IMG_KEY_SIZE],
                              const uint8_t store_id[IMG_ID_SIZE], void *io)
{
    uint64_t bytes;

    memset(s, 0, sizeof *s);
    s->dev = dev;
    s->io = io;
    if (!dev_ok(dev))
        return fail(s, IMG_E_ARG, "block size %a: must be a power of two from 512 to 4096", dev->block_size, 0);
    bytes = dev->block_count * dev->block_size;
    keys(s, master_key);
    memcpy(s->store_id, store_id, IMG_ID_SIZE);
    s->slot_offset = SLOT_ALIGN;
    s->slot_size = bytes > SLOT_ALIGN ? (bytes - SLOT_ALIGN) / 2 / SLOT_ALIGN * SLOT_ALIGN : 0;
    if (s->slot_size == 0)
        return fail(s, IMG_E_NOSPACE, "device of %a bytes: a store needs at least %b", bytes, 3 * SLOT_ALIGN);
    return sb_write(s);
}

enum img_err img_store_open(struct img_store *s, const struct img_blockdev *dev,
                            const uint8_t master_key[IMG_KEY_SIZE], void *io)
{
    struct img_store copy[2];
    enum img_err e[2];
    uint64_t bytes;
    int best;

    memset(s, 0, sizeof *s);
    s->dev = dev;
    s->io = io;
    if (!dev_ok(dev))
        return fail(s, IMG_E_ARG, "block size %a: must be a power of two from 512 to 4096", dev->block_size, 0);
    bytes = dev->block_count * dev->block_size;
    keys(s, master_key);
    for (int c = 0; c < 2; c++) {
        copy[c] = *s;
        if (dev->read(dev->ctx, (uint64_t)c * SB_AREA / dev->block_size, 1, io) != 0)
            e[c] = fail(&copy[c], IMG_E_IO, "device failed reading superblock copy %a", c, 0);
        else
            e[c] = sb_decode(&copy[c], io, c, bytes);
    }
    if (e[0] != IMG_OK && e[1] != IMG_OK) {
        /* Report the copy that says most: a key mismatch or damage over
         * an absent magic, the first copy when they agree. */
        best = (e[0] == IMG_E_NOT_IMAGE && e[1] != IMG_E_NOT_IMAGE) ? 1 : 0;
        s->err = copy[best].err;
        img_wipe(copy, sizeof copy);
        return e[best];
    }
    best = e[0] != IMG_OK ? 1 : e[1] != IMG_OK ? 0 : copy[1].sequence > copy[0].sequence ? 1 : 0;
    *s = copy[best];
    s->bad_copies = (e[0] != IMG_OK ? 1u : 0) | (e[1] != IMG_OK ? 2u : 0);
    s->err = copy[best ^ 1].err;
    img_wipe(copy, sizeof copy);
    return IMG_OK;
}

int img_store_latest(const struct img_store *s, uint32_t os)
{
    int best = -1;

    for (int i = 0; i < IMG_STORE_SLOTS; i++)
        if (s->slot[i].state == IMG_SLOT_COMMITTED && s->slot[i].os == os &&
            (best < 0 || s->slot[i].generation > s->slot[best].generation))
            best = i;
    return best;
}

static bool takeable(const struct img_slot *sl)
{
    return sl->state != IMG_SLOT_COMMITTED;
}

enum img_err img_store_begin(struct img_store *s, uint32_t os, int slot,
                             struct img_slot_stream *st, uint64_t *generation)
{
    struct img_slot *sl;
    enum img_err e;

    if (os > IMG_OS_B)
        return fail(s, IMG_E_ARG, "OS %a is neither A (0) nor B (1)", os, 0);
    if (slot >= IMG_STORE_SLOTS || slot < -1)
        return fail(s, IMG_E_ARG, "no slot %a", (uint64_t)slot, 0);
    if (slot < 0) {
        for (int i = 0; i < IMG_STORE_SLOTS; i++)
            if (takeable(&s->slot[i]) && (slot < 0 || s->slot[i].generation < s->slot[slot].generation))
                slot = i;
        if (slot < 0)
            return fail(s, IMG_E_BUSY, "both slots hold unrestored images (generations %a and %b)",
                        s->slot[0].generation, s->slot[1].generation);
    } else if (!takeable(&s->slot[slot]))
        return fail(s, IMG_E_BUSY, "slot %a holds an unrestored image (generation %b)", slot,
                    s->slot[slot].generation);

    sl = &s->slot[slot];
    memset(sl, 0, sizeof *sl);
    sl->state = IMG_SLOT_WRITING;
    sl->os = os;
    sl->generation = ++s->last_generation;
    if ((e = sb_write(s)) != IMG_OK)
        return e;
    *generation = sl->generation;
    img_slot_sink_init(st, s, slot);
    return IMG_OK;
}

enum img_err img_store_commit(struct img_store *s, struct img_slot_stream *st, const struct img_summary *sum)
{
    struct img_slot *sl;
    enum img_err e;

    if (st->store != s || st->slot < 0 || st->slot >= IMG_STORE_SLOTS)
        return fail(s, IMG_E_ARG, "commit of a stream this store did not begin", 0, 0);
    sl = &s->slot[st->slot];
    if (sl->state != IMG_SLOT_WRITING || sum->generation != sl->generation || sum->os != sl->os ||
        sum->stream_bytes != st->pos)
        return fail(s, IMG_E_ARG, "slot %a: the summary is not of the image written there (generation %b)",
                    (uint64_t)st->slot, sum->generation);
    if ((e = img_slot_sink_flush(st)) != IMG_OK)
        return e;
    sl->state = IMG_SLOT_COMMITTED;
    memcpy(sl->image_id, sum->image_id, IMG_ID_SIZE);
    sl->stream_bytes = sum->stream_bytes;
    memcpy(sl->header_digest, sum->header_digest, IMG_DIGEST_SIZE);
    for (int i = 0; i < IMG_STORE_SLOTS; i++)
        if (i != st->slot && s->slot[i].state == IMG_SLOT_COMMITTED && s->slot[i].os == sl->os)
            s->slot[i].state = IMG_SLOT_SUPERSEDED;
    return sb_write(s);
}

enum img_err img_store_read(struct img_store *s, int slot, bool allow_restored,
                            struct img_slot_stream *st, struct img_expect *expect)
{
    const struct img_slot *sl;

    if (slot < 0 || slot >= IMG_STORE_SLOTS)
        return fail(s, IMG_E_ARG, "no slot %a", (uint64_t)slot, 0);
    sl = &s->slot[slot];
    if (sl->state == IMG_SLOT_RESTORED && !allow_restored)
        return img_fail(&s->err, IMG_E_REPLAYED, sl->image_id,
                        "slot %a: generation %b was restored already and must not run again", slot,
                        sl->generation);
    if (sl->state == IMG_SLOT_SUPERSEDED && !allow_restored)
        return img_fail(&s->err, IMG_E_REPLAYED, sl->image_id,
                        "slot %a: generation %b was superseded by a newer image of its OS", slot, sl->generation);
    if (sl->state != IMG_SLOT_COMMITTED && !(allow_restored && sl->state != IMG_SLOT_EMPTY &&
                                             sl->state != IMG_SLOT_WRITING))
        return fail(s, IMG_E_EMPTY, "slot %a holds no committed image", slot, 0);
    memset(expect, 0, sizeof *expect);
    expect->flags = IMG_EXPECT_ID | IMG_EXPECT_GENERATION | IMG_EXPECT_OS | IMG_EXPECT_DIGEST;
    memcpy(expect->image_id, sl->image_id, IMG_ID_SIZE);
    expect->generation = sl->generation;
    expect->os = sl->os;
    memcpy(expect->header_digest, sl->header_digest, IMG_DIGEST_SIZE);
    img_slot_source_init(st, s, slot);
    return IMG_OK;
}

enum img_err img_store_mark_restored(struct img_store *s, int slot)
{
    if (slot < 0 || slot >= IMG_STORE_SLOTS || s->slot[slot].state != IMG_SLOT_COMMITTED)
        return fail(s, IMG_E_ARG, "slot %a holds no committed image to mark restored", (uint64_t)slot, 0);
    s->slot[slot].state = IMG_SLOT_RESTORED;
    return sb_write(s);
}
