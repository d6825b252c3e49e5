/* A Modbus TCP server built on libmodbus (Debian: libmodbus-dev), for the driver's tests.
 *
 *     libmodbus_server PORT FIRST_REFUSED END_REFUSED
 *
 * Holding and input registers 0..999 hold (address * 7) % 65536; a read or write that
 * touches [FIRST_REFUSED, END_REFUSED) is answered with exception 2 (illegal data
 * address), like a PLC with an unmapped range. One client at a time; prints "ready"
 * once it listens. */
#include <errno.h>
#include <modbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define SIZE 1000

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s PORT FIRST_REFUSED END_REFUSED\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]), lo = atoi(argv[2]), hi = atoi(argv[3]);
    modbus_t *ctx = modbus_new_tcp("127.0.0.1", port);
    modbus_mapping_t *map = modbus_mapping_new(SIZE, SIZE, SIZE, SIZE);
    if (ctx == NULL || map == NULL) {
        fprintf(stderr, "cannot set up: %s\n", modbus_strerror(errno));
        return 1;
    }
    for (int a = 0; a < SIZE; a++) {
        map->tab_registers[a] = (uint16_t)((a * 7) % 65536);
        map->tab_input_registers[a] = (uint16_t)((a * 7) % 65536);
    }
    int listener = modbus_tcp_listen(ctx, 1);
    if (listener < 0) {
        fprintf(stderr, "cannot listen: %s\n", modbus_strerror(errno));
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    int header = modbus_get_header_length(ctx);
    uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
    for (;;) {
        if (modbus_tcp_accept(ctx, &listener) < 0)
            continue;
        for (;;) {
            int length = modbus_receive(ctx, query);
            if (length == 0)
                continue; /* a request for another unit */
            if (length < 0)
                break; /* the client went away */
            int function = query[header];
            int address = (query[header + 1] << 8) | query[header + 2];
            int count = 1;
            if (function >= 1 && function <= 4)
                count = (query[header + 3] << 8) | query[header + 4];
            else if (function == 15 || function == 16)
                count = (query[header + 3] << 8) | query[header + 4];
            int refused = (function == 3 || function == 4 || function == 6 || function == 16) &&
                          address < hi && lo < address + count;
            if (refused)
                modbus_reply_exception(ctx, query, MODBUS_EXCEPTION_ILLEGAL_DATA_ADDRESS);
            else
                modbus_reply(ctx, query, length, map);
        }
        modbus_close(ctx);
    }
}
