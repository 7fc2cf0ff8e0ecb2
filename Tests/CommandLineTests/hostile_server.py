"""A mirror that misbehaves, for `dnn download`'s tests: python3 hostile_server.py PORT FOLDER.

/endless/NAME  200, no Content-Length, zeros without end
/liar/NAME     200, Content-Length of 10 GB
/gzip/NAME     the file gzipped again, with Content-Encoding: gzip
/stall/NAME    200, the first 100 bytes, then nothing
/missing/NAME  404
"""
import gzip
import http.server
import os
import sys
import time

FOLDER = sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        _, mode, name = self.path.split("/", 2)
        path = os.path.join(FOLDER, name)
        body = open(path, "rb").read() if os.path.exists(path) else b""
        try:
            if mode == "endless":
                self.send_response(200)
                self.send_header("Connection", "close")
                self.end_headers()
                chunk = b"\0" * 65536
                while True:
                    self.wfile.write(chunk)
            elif mode == "liar":
                self.send_response(200)
                self.send_header("Content-Length", str(10 << 30))
                self.end_headers()
                self.wfile.write(body)
                time.sleep(30)
            elif mode == "gzip":
                data = gzip.compress(body)
                self.send_response(200)
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            elif mode == "stall":
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[:100])
                self.wfile.flush()
                time.sleep(60)
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
        except (BrokenPipeError, ConnectionResetError):
            pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
