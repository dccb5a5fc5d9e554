#!/usr/bin/env python3
"""A TCP proxy in front of a Kafka broker, for fault tests.

Usage: cut_proxy.py LISTEN_PORT UPSTREAM_PORT BLACKHOLE_SECONDS DOWNTIME_SECONDS

Forwards 127.0.0.1:LISTEN_PORT to 127.0.0.1:UPSTREAM_PORT (start the broker advertising
LISTEN_PORT, so that clients reach it only through here). On SIGUSR1 it plays a broker that
crashed after writing: for BLACKHOLE_SECONDS requests still reach the broker but its replies
are dropped, then every connection is reset (both sides), and new connections are refused
until SIGUSR2, or for DOWNTIME_SECONDS if that comes first. Prints "listening", "cut" (when
connections are reset, so the broker has no client connection left), "refusing" and "open".
"""
import asyncio
import signal
import socket
import struct
import sys

listen_port, upstream_port = int(sys.argv[1]), int(sys.argv[2])
blackhole_s, downtime_s = float(sys.argv[3]), float(sys.argv[4])
connections = set()
state = {"blackhole": False, "server": None, "reopen": None}


def say(line):
    print(line, flush=True)


def reset(writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.close()


async def pump(reader, writer, replies):
    try:
        while True:
            data = await reader.read(1 << 16)
            if not data:
                break
            if replies and state["blackhole"]:
                continue
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def handle(client_reader, client_writer):
    try:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", upstream_port)
    except OSError:
        reset(client_writer)
        return
    pair = (client_writer, up_writer)
    connections.add(pair)
    try:
        await asyncio.gather(pump(client_reader, up_writer, False), pump(up_reader, client_writer, True))
    finally:
        connections.discard(pair)


async def serve():
    state["server"] = await asyncio.start_server(handle, "127.0.0.1", listen_port, reuse_address=True)


async def cut():
    state["blackhole"] = True
    await asyncio.sleep(blackhole_s)
    state["server"].close()
    for client, upstream in list(connections):
        reset(client)
        reset(upstream)
    connections.clear()
    state["blackhole"] = False
    say("cut")
    say("refusing")
    reopen = asyncio.get_running_loop().create_future()
    state["reopen"] = reopen
    try:
        await asyncio.wait_for(reopen, downtime_s)
    except asyncio.TimeoutError:
        pass
    await serve()
    say("open")


def reopen_now():
    if state["reopen"] is not None and not state["reopen"].done():
        state["reopen"].set_result(None)


async def main():
    # A child started from a thread that blocks these signals (Swift's worker threads do)
    # inherits the block: lift it, or the signals would wait forever.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1, signal.SIGUSR2})
    await serve()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, lambda: loop.create_task(cut()))
    loop.add_signal_handler(signal.SIGUSR2, reopen_now)
    say("listening")
    await asyncio.Event().wait()


asyncio.run(main())
