/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

double progress_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

void progress_start(struct progress *p, const char *what, uint64_t total)
{
    p->what = what;
    p->total = total ? total : 1;
    p->done = 0;
    p->start = p->last = progress_now();
    p->on = isatty(2);
}

static void draw(struct progress *p, double t)
{
    enum { W = 30 };
    char bar[W + 1];
    int fill = (int)(W * (double)p->done / (double)p->total);
    double mib = (double)p->done / 1048576.0, secs = t - p->start;

    for (int i = 0; i < W; i++)
        bar[i] = i < fill ? '#' : '-';
    bar[W] = 0;
    fprintf(stderr, "\r%-8s [%s] %3d%%  %.0f/%.0f MiB  %.0f MiB/s ", p->what, bar,
            (int)(100.0 * (double)p->done / (double)p->total), mib, (double)p->total / 1048576.0,
            secs > 0 ? mib / secs : 0.0);
}

void progress_set(struct progress *p, uint64_t done)
{
    double t;

    p->done = done;
    if (!p->on)
        return;
    /* Ten redraws a second are plenty and cost nothing next to the work. */
    t = progress_now();
    if (t - p->last < 0.1 && done < p->total)
        return;
    p->last = t;
    draw(p, t);
}

void progress_end(struct progress *p)
{
    if (p->on)
        fprintf(stderr, "\r\033[K");
}
