/* SPDX-License-Identifier: MIT */
/* A one-line progress bar on stderr, drawn only when stderr is a terminal. */
#ifndef SMX_IMAGE_PROGRESS_H
#define SMX_IMAGE_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
    const char *what;
    uint64_t total, done;
    double start, last;
    bool on;
};

void progress_start(struct progress *p, const char *what, uint64_t total);
void progress_set(struct progress *p, uint64_t done);
/* Erase the bar; the caller prints the result line. */
void progress_end(struct progress *p);
double progress_now(void);

#endif
