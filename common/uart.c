/* SPDX-License-Identifier: MIT */
#include "uart.h"

#include "io.h"

/* Register offsets and bits: PC16550D datasheet, "Register Summary". */
enum {
    UART_THR = 0, UART_DLL = 0, UART_IER = 1, UART_DLM = 1, UART_FCR = 2,
    UART_LCR = 3, UART_MCR = 4, UART_LSR = 5, UART_SCR = 7,
};
#define UART_LCR_DLAB 0x80
#define UART_LCR_8N1 0x03
#define UART_FCR_ENABLE_CLEAR 0x07
#define UART_MCR_DTR_RTS 0x03
#define UART_LSR_THRE 0x20
#define UART_CLOCK_DIV_115200 1

bool smx_uart_init(uint16_t base)
{
    /* The scratch register is plain storage on every 16550: if a value does
     * not read back, nothing is there and writing would only cost time. */
    outb(base + UART_SCR, 0x5a);
    if (inb(base + UART_SCR) != 0x5a)
        return false;
    outb(base + UART_IER, 0);
    outb(base + UART_LCR, UART_LCR_DLAB);
    outb(base + UART_DLL, UART_CLOCK_DIV_115200);
    outb(base + UART_DLM, 0);
    outb(base + UART_LCR, UART_LCR_8N1);
    outb(base + UART_FCR, UART_FCR_ENABLE_CLEAR);
    outb(base + UART_MCR, UART_MCR_DTR_RTS);
    return true;
}

void smx_uart_write(uint16_t base, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        /* Bounded wait: a wedged UART must not hang the VMM. */
        for (unsigned spin = 0; spin < 100000 && !(inb(base + UART_LSR) & UART_LSR_THRE); spin++)
            cpu_pause();
        outb(base + UART_THR, (uint8_t)s[i]);
    }
}
