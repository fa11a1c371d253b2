/* SPDX-License-Identifier: MIT */
/*
 * A progress bar on stderr, only when it is a terminal: label, bar (when
 * the size is known), bytes, rate, time left. Redrawn at most ten times a
 * second, on one line.
 */
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "host.h"

void progress_init(struct progress *p, const char *label, bool quiet)
{
    struct winsize ws;

    p->on = !quiet && isatty(2);
    p->label = label;
    p->start = host_now();
    p->last_draw = 0;
    p->width = ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 60 ? ws.ws_col : 80;
}

static void human(char *out, size_t n, double bytes)
{
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;

    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        u++;
    }
    snprintf(out, n, u ? "%.1f %s" : "%.0f %s", bytes, unit[u]);
}

void progress_update(struct progress *p, const struct xfer *x, bool final)
{
    const struct xfer_params *par = xfer_params(x);
    uint64_t done = xfer_stats(x)->bytes;
    xfer_time_t now = host_now();
    double secs = (double)(now - p->start) / 1e6, rate = secs > 0 ? (double)done / secs : 0;
    char b_done[32], b_total[32], b_rate[32], eta[32] = "", bar[128] = "";
    int barw = p->width - 62;

    if (!p->on || (!final && now - p->last_draw < 100000))
        return;
    p->last_draw = now;
    human(b_done, sizeof b_done, (double)done);
    human(b_rate, sizeof b_rate, rate);
    if (par->tsize_known && par->tsize) {
        double frac = (double)done / (double)par->tsize;
        int fill, i;

        if (frac > 1)
            frac = 1;
        if (barw > (int)sizeof bar - 3)
            barw = (int)sizeof bar - 3;
        if (barw < 10)
            barw = 10;
        fill = (int)(frac * barw);
        bar[0] = '[';
        for (i = 0; i < barw; i++)
            bar[1 + i] = i < fill ? '#' : '.';
        bar[1 + barw] = ']';
        bar[2 + barw] = 0;
        human(b_total, sizeof b_total, (double)par->tsize);
        if (rate > 0 && !final) {
            unsigned left = (unsigned)((double)(par->tsize - (done < par->tsize ? done : par->tsize)) / rate);

            snprintf(eta, sizeof eta, " ETA %u:%02u", left / 60, left % 60);
        }
        fprintf(stderr, "\r%-16.16s %s %3.0f%% %s/%s %s/s%s\033[K", p->label, bar, frac * 100, b_done, b_total,
                b_rate, eta);
    } else {
        fprintf(stderr, "\r%-16.16s %s %s/s\033[K", p->label, b_done, b_rate);
    }
    if (final)
        fputc('\n', stderr);
}
