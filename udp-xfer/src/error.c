/* SPDX-License-Identifier: MIT */
/*
 * Errors as values, and their messages. A message names the transfer (what,
 * which file, which peer) and then the detail recorded when it failed:
 *   get "os-a.img" from 10.0.2.2:69: server error 1 (File not found): "..."
 */
#include "internal.h"

const char *xfer_err_name(enum xfer_err e)
{
    switch (e) {
    case XFER_OK: return "ok";
    case XFER_E_CONFIG: return "bad configuration";
    case XFER_E_REQUEST: return "bad request";
    case XFER_E_TIMEOUT: return "timeout";
    case XFER_E_PEER: return "peer error";
    case XFER_E_PROTOCOL: return "protocol violation";
    case XFER_E_OPTIONS: return "option negotiation failed";
    case XFER_E_SOURCE: return "data source failed";
    case XFER_E_SINK: return "data sink failed";
    case XFER_E_ABORTED: return "aborted";
    }
    return "unknown error";
}

/* RFC 1350 §Appendix, RFC 2347 (code 8). */
const char *xfer_tftp_code_text(unsigned code)
{
    static const char *const text[] = {
        "Not defined",
        "File not found",
        "Access violation",
        "Disk full or allocation exceeded",
        "Illegal TFTP operation",
        "Unknown transfer ID",
        "File already exists",
        "No such user",
        "Option negotiation refused",
    };

    return code < sizeof text / sizeof text[0] ? text[code] : "Unknown";
}

size_t xfer_format_error(const struct xfer *x, char *buf, size_t len)
{
    struct text t;

    xf_tx_init(&t, buf, len);
    if (x->server)
        xf_tx_str(&t, "serving ");
    xf_tx_str(&t, x->dir == XFER_PUT ? "put " : "get ");
    xf_tx_quoted(&t, x->name, sizeof x->name, sizeof x->name);
    if (x->server)
        xf_tx_str(&t, x->dir == XFER_PUT ? " from " : " to ");
    else
        xf_tx_str(&t, x->dir == XFER_PUT ? " to " : " from ");
    xf_tx_endpoint(&t, &x->peer);
    xf_tx_str(&t, ": ");
    if (x->err == XFER_OK)
        xf_tx_str(&t, x->phase == PH_FAILED ? "failed" : "no error");
    else
        xf_tx_str(&t, x->detail);
    return t.len;
}
