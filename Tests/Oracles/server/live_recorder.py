#!/usr/bin/env python3
"""Records the live SSE feed of a running server, for alert latency checks.

Usage: live_recorder.py --url http://127.0.0.1:PORT --seconds N [--assets bitcoin,ethereum]

Reads /api/v1/live for N seconds and prints one JSON object: {"ticks": [...], "alerts": [...]},
each tick {asset, source, price, collected_time_ms, recv_ms} and each alert its JSON plus
recv_ms: this process's wall clock when the event arrived (same machine as the server).
"""
import argparse
import json
import time
import urllib.request


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--assets", default="")
    args = parser.parse_args()
    query = f"?assets={args.assets}" if args.assets else ""
    ticks, alerts = [], []
    deadline = time.time() + args.seconds
    with urllib.request.urlopen(args.url + "/api/v1/live" + query, timeout=10) as response:
        event = None
        for raw in response:
            now_ms = int(time.time() * 1000)
            line = raw.decode("utf-8").rstrip("\n")
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "tick":
                t = json.loads(line[5:])
                ticks.append({"asset": t["asset"], "source": t["source"], "price": t["price"],
                              "collected_time_ms": t.get("collected_time_ms"), "recv_ms": now_ms})
            elif line.startswith("data:") and event == "alert":
                a = json.loads(line[5:])
                a["recv_ms"] = now_ms
                alerts.append(a)
            if time.time() > deadline:
                break
    print(json.dumps({"ticks": ticks, "alerts": alerts}))


if __name__ == "__main__":
    main()
