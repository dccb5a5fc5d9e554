"""An HTTP proxy in front of a real S3 server that answers the first N requests with an S3
throttling error instead of forwarding them, to exercise a client's retries.

Usage: fault_proxy.py PORT UPSTREAM_URL FAILURES STATUS CODE COUNT_FILE
  e.g. fault_proxy.py 9100 http://127.0.0.1:9000 2 503 SlowDown /tmp/count
Every request (failed or forwarded) is counted; the count is rewritten to COUNT_FILE after each.
"""
import http.client
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

port, upstream, failures, status, code = int(sys.argv[1]), urlsplit(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
count_file = sys.argv[6]
lock = threading.Lock()
count = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        global count
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with lock:
            count += 1
            fail = count <= failures
            with open(count_file, "w") as f:
                f.write(str(count))
        if fail:
            error = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>Please reduce your request rate.</Message></Error>".encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(error)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(error)
            return
        connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection",)}
        connection.request(self.command, self.path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        # A HEAD answer announces the object's length without sending it.
        upstream_length = response.getheader("Content-Length")
        self.send_header("Content-Length", upstream_length if self.command == "HEAD" and upstream_length else str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        connection.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
