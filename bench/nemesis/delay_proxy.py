#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 that can slow a connection down: the nemesis run's
slow network to the database where the kernel has no tc netem (sch_netem).

    delay_proxy.py LISTEN_PORT TARGET_PORT CONTROL_FILE DELAY_MS

Forwards every connection to 127.0.0.1:TARGET_PORT. While CONTROL_FILE exists,
each chunk of bytes, either way, waits DELAY_MS before it is passed on, so a
query's round trip costs 2 x DELAY_MS more. Stops on SIGTERM."""
import asyncio
import os
import signal
import sys


async def pipe(reader, writer, control, delay):
    try:
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                break
            if os.path.exists(control):
                await asyncio.sleep(delay)
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def main():
    listen_port, target_port, control, delay_ms = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    delay = delay_ms / 1000.0

    async def serve(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, server_writer, control, delay),
                             pipe(server_reader, client_writer, control, delay))

    server = await asyncio.start_server(serve, "127.0.0.1", listen_port)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print(f"delay proxy 127.0.0.1:{listen_port} -> 127.0.0.1:{target_port}", flush=True)
    async with server:
        await stop.wait()


asyncio.run(main())
