/* SPDX-License-Identifier: MIT */
/* 16550-compatible UART on an I/O port base (COM1 0x3f8, COM2 0x2f8). */
#ifndef SMX_UART_H
#define SMX_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Programs 115200 8N1, FIFOs on, interrupts off. False if no UART answers. */
bool smx_uart_init(uint16_t base);
void smx_uart_write(uint16_t base, const char *s, size_t n);

#endif
