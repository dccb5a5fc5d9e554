"""Benchmark of `cryptoviz up --demo` as a user runs it (a test tool, not part of the product).

Measures, from outside the process:
  - start-up: exec → port open → first non-empty /api/v1/quotes/latest;
  - live freshness: for every tick on the SSE feed /api/v1/live, arrival time minus the tick's
    source_time_ms (source → visible in the live API) and minus collected_time_ms
    (collector → visible), p50/p95;
  - lake freshness: the processor's source → committed p50/p95 from /api/v1/stats/pipeline;
  - ingest: ticks/s seen on the feed; resident memory (VmRSS) sampled each second, and peak (VmHWM);
  - shutdown: SIGTERM → exit.

Usage: bench_up.py BINARY [--seconds 60] [--assets 100] [--interval 1]
"""
import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None


def quantile(values, q):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def follow_live(port, stop, latencies_source, latencies_collected, counter):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/api/v1/live")
    response = conn.getresponse()
    buffer = b""
    while not stop.is_set():
        try:
            chunk = response.read1(65536)
        except (socket.timeout, TimeoutError):
            continue
        if not chunk:
            break
        buffer += chunk
        while b"\n\n" in buffer:
            event, buffer = buffer.split(b"\n\n", 1)
            now = time.time() * 1000
            for line in event.split(b"\n"):
                if line.startswith(b"data: "):
                    try:
                        tick = json.loads(line[6:])
                    except ValueError:
                        continue
                    if "source_time_ms" in tick:
                        latencies_source.append(now - tick["source_time_ms"])
                        latencies_collected.append(now - tick["collected_time_ms"])
                        counter[0] += 1
    conn.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--assets", type=int, default=100)
    parser.add_argument("--interval", type=float, default=1)
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="cryptoviz-bench-up-")
    port = free_port()
    started = time.time()
    process = subprocess.Popen([args.binary, "up", "--demo", "--demo-assets", str(args.assets), "--assets", str(args.assets),
                                "--interval", str(args.interval), "--data", data, "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    listening = first_quote = None
    while time.time() - started < 120 and first_quote is None:
        if listening is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                listening = time.time()
            except OSError:
                time.sleep(0.02)
                continue
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/quotes/latest", timeout=2) as r:
                if json.load(r).get("quotes"):
                    first_quote = time.time()
        except OSError:
            pass
        time.sleep(0.05)

    stop = threading.Event()
    source_latency, collected_latency, counter = [], [], [0]
    follower = threading.Thread(target=follow_live, args=(port, stop, source_latency, collected_latency, counter), daemon=True)
    follower.start()
    rss = []
    measure_start = time.time()
    while time.time() - measure_start < args.seconds:
        value = proc_status(process.pid, "VmRSS")
        if value:
            rss.append(value)
        time.sleep(1)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/stats/pipeline", timeout=5) as r:
        body = json.load(r)
        stats = body.get("pipeline", body)
    peak = proc_status(process.pid, "VmHWM")
    stop.set()
    stopping = time.time()
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=120)
    stopped = time.time()

    elapsed = time.time() - measure_start
    report = {
        "assets": args.assets, "interval_s": args.interval, "measured_s": round(args.seconds),
        "startup_listening_s": round(listening - started, 3) if listening else None,
        "startup_first_quote_s": round(first_quote - started, 3) if first_quote else None,
        "live_ticks": counter[0], "live_ticks_per_s": round(counter[0] / elapsed, 1),
        "ticks_total_reported": stats.get("ticks_total"),
        "live_source_to_visible_ms": {"p50": quantile(source_latency, 0.5), "p95": quantile(source_latency, 0.95)},
        "live_collected_to_visible_ms": {"p50": quantile(collected_latency, 0.5), "p95": quantile(collected_latency, 0.95)},
        "lake_source_to_committed_ms": {"p50": stats.get("freshness_p50_ms"), "p95": stats.get("freshness_p95_ms")},
        "rss_mb": {"median": quantile(rss, 0.5), "max_sampled": max(rss) if rss else None, "peak_vmhwm": peak},
        "shutdown_s": round(stopped - stopping, 3), "exit_status": process.returncode,
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
