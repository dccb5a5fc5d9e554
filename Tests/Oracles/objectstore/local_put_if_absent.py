"""Races LocalFileStore's putIfAbsent from another process, with the same on-disk protocol.

Usage: local_put_if_absent.py ROOT WRITER_ID KEY_COUNT READY_FILE GO_FILE
Creates READY_FILE, waits for GO_FILE, then for each key race/NNNNN.json writes a temporary
file in the key's directory and hard-links it into place (link fails if the key exists).
Prints one line per key it won: the key.
"""
import os
import sys
import time

root, writer, count, ready, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
open(ready, "w").close()
deadline = time.time() + 60
while not os.path.exists(go):
    if time.time() > deadline:
        sys.exit("timed out waiting for the go file")
    time.sleep(0.001)

won = []
for i in range(count):
    key = f"race/{i:05d}.json"
    path = os.path.join(root, key)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = os.path.join(os.path.dirname(path), f".cryptoviz-tmp-py-{writer}-{i}")
    with open(tmp, "wb") as f:
        f.write(writer.encode())
        f.flush()
        os.fsync(f.fileno())
    try:
        os.link(tmp, path)
        won.append(key)
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
print("\n".join(won))
