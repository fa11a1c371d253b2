/* SPDX-License-Identifier: MIT */
/*
 * Starting a transfer: the caller's configuration checked (a refusal names
 * the field), the engine's state set, and the first datagram sent: the
 * client's request, or the server's OACK, first DATA or ACK 0.
 */
#include <string.h>

#include "internal.h"

static void copy_name(struct xfer *x, const char *name)
{
    size_t n = strlen(name);

    if (n >= sizeof x->name)
        n = sizeof x->name - 1;
    memcpy(x->name, name, n);
    x->name[n] = 0;
}

static enum xfer_err config_error(struct xfer *x, const char *what)
{
    struct text t;

    xf_tx_str(xf_detail(x, &t), what);
    x->err = XFER_E_CONFIG;
    x->phase = PH_FAILED;
    x->deadline = XFER_NEVER;
    return XFER_E_CONFIG;
}

enum xfer_err xfer_client_start(struct xfer *x, const struct xfer_client_cfg *c, xfer_time_t now)
{
    memset(x, 0, sizeof *x);
    x->dir = (uint8_t)c->dir;
    x->sender = c->dir == XFER_PUT;
    x->peer = c->server;
    copy_name(x, c->filename ? c->filename : "");
    if (c->dir != XFER_GET && c->dir != XFER_PUT)
        return config_error(x, "dir is neither XFER_GET nor XFER_PUT");
    if (!c->filename || !*c->filename)
        return config_error(x, "no file name");
    if (c->server.family != 4 && c->server.family != 6)
        return config_error(x, "server address family is neither 4 nor 6");
    if (!c->net.send || (x->sender ? !c->data.read : !c->data.write))
        return config_error(x, x->sender ? "net.send and data.read are required"
                                         : "net.send and data.write are required");
    if (c->blksize && (c->blksize < XFER_BLKSIZE_MIN || c->blksize > XFER_BLKSIZE_MAX))
        return config_error(x, "blksize is outside 8..65464 (RFC 2348)");
    if (c->fallback_blksize && (c->fallback_blksize < XFER_BLKSIZE_MIN || c->dir != XFER_GET))
        return config_error(x, "fallback_blksize is below 8, or given for a PUT");
    if (c->windowsize > XFER_WINDOW_MAX)
        return config_error(x, "windowsize is above XFER_WINDOW_MAX");
    if (x->sender && c->window_len < XFER_WINDOW_BYTES(c->blksize ? c->blksize : XFER_BLKSIZE_DEFAULT,
                                                       c->windowsize ? c->windowsize : 1))
        return config_error(x, "window buffer is smaller than XFER_WINDOW_BYTES(blksize, windowsize)");

    x->net = c->net;
    x->data = c->data;
    x->timing = c->timing;
    x->win = c->window;
    x->win_len = c->window_len;
    x->ask_blksize = c->blksize;
    x->ask_window = c->windowsize;
    x->ask_timeout = c->timeout_s;
    x->ask_tsize = c->tsize;
    x->ask_size = c->size;
    x->may_retry_plain = c->retry_without_options;
    x->origin = c->server;
    if (strlen(c->filename) < sizeof x->file) {
        memcpy(x->file, c->filename, strlen(c->filename) + 1);
        x->fallback_blksize = c->fallback_blksize;
    }
    x->params.blksize = XFER_BLKSIZE_DEFAULT;
    x->params.windowsize = 1;
    xf_timer_init(x);
    if (!xf_build_request(x, c->filename))
        return config_error(x, "the request does not fit in 512 bytes (file name too long)");
    x->phase = PH_NEGOTIATE;
    xf_send_ctl(x, false);
    x->timing_on = true;
    x->timed_at = now;
    x->progress_at = now;
    xf_timer_arm(x, now);
    return XFER_OK;
}

enum xfer_err xfer_client_fail(struct xfer *x, const struct xfer_client_cfg *c, const char *why)
{
    memset(x, 0, sizeof *x);
    x->dir = (uint8_t)c->dir;
    x->sender = c->dir == XFER_PUT;
    x->peer = c->server;
    copy_name(x, c->filename ? c->filename : "");
    return config_error(x, why);
}

enum xfer_err xfer_server_start(struct xfer *x, const struct xfer_server_cfg *c, xfer_time_t now)
{
    const struct xfer_request *r = c->req;

    memset(x, 0, sizeof *x);
    x->server = true;
    x->locked = true;
    x->peer = c->client;
    if (!r || (r->dir != XFER_GET && r->dir != XFER_PUT) || !r->filename)
        return config_error(x, "no parsed request");
    x->dir = (uint8_t)r->dir;
    x->sender = r->dir == XFER_GET;
    copy_name(x, r->filename);
    if (!c->net.send || (x->sender ? !c->data.read : !c->data.write))
        return config_error(x, x->sender ? "net.send and data.read are required"
                                         : "net.send and data.write are required");
    if (x->sender && c->window_len < XFER_WINDOW_BYTES(XFER_BLKSIZE_DEFAULT, 1))
        return config_error(x, "window buffer is smaller than one 512-byte block");
    x->net = c->net;
    x->data = c->data;
    x->timing = c->timing;
    x->win = c->window;
    x->win_len = c->window_len;
    xf_timer_init(x);
    xf_answer_options(x, c);
    x->progress_at = now;
    if (x->ctl_len) {
        /* RFC 2347: the OACK stands for DATA 0 (read) or ACK 0 (write). */
        xf_send_ctl(x, false);
        xf_timer_arm(x, now);
        if (x->sender) {
            x->phase = PH_NEGOTIATE;
            x->timing_on = true;
            x->timed_at = now;
        } else {
            x->phase = PH_DATA;
            xf_rcv_begin(x, now);
        }
    } else if (x->sender) {
        x->phase = PH_DATA;
        xf_snd_begin(x, now);
    } else {
        x->ctl_len = (uint16_t)xf_build_ack(x->ctl, 0);
        xf_send_ctl(x, false);
        xf_timer_arm(x, now);
        x->phase = PH_DATA;
        xf_rcv_begin(x, now);
    }
    return x->phase == PH_FAILED ? x->err : XFER_OK;
}
