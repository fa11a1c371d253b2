/* SPDX-License-Identifier: MIT */
/* A byte stream on one slot of the store: the writer's sink, the reader's source. */
#ifndef IMG_SLOTIO_H
#define IMG_SLOTIO_H

#include "imagestore.h"

void img_slot_sink_init(struct img_slot_stream *st, struct img_store *s, int slot);
/* Write the last partial block (zero-padded) and make the slot durable. */
enum img_err img_slot_sink_flush(struct img_slot_stream *st);
void img_slot_source_init(struct img_slot_stream *st, struct img_store *s, int slot);

#endif
