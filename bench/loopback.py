"""Serves a DemoApi over real loopback HTTP, with injected latency, for benchmarks."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from costtui.data.demo import DemoApi, DemoOrganization


class _Server(ThreadingHTTPServer):
    """A threaded server with a listen backlog for a wave of connections (the default is 5:
    a client opening a dozen at once would see SYNs dropped and retried a second later)."""

    request_queue_size = 128


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 answering every request through a DemoApi."""

    def __init__(self, api: DemoApi, latency_seconds: float = 0.0, remember: bool = False) -> None:
        self.api = api
        self.latency_seconds = latency_seconds
        self.remember = remember
        """Answer a path asked before from memory: the stand-in then costs what a fast API does."""
        self._answers: dict[str, httpx.Response] = {}
        self.request_count = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - the http.server naming
                with server._lock:
                    server.request_count += 1
                response = server._answers.get(self.path)
                if response is None:
                    request = httpx.Request(
                        "GET", f"http://127.0.0.1{self.path}", headers=dict(self.headers.items())
                    )
                    response = server.api.handle(request)
                    if server.remember and response.status_code == 200:
                        server._answers[self.path] = response
                time.sleep(server.latency_seconds)
                body = response.content
                self.send_response(response.status_code)
                for name, value in response.headers.items():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(name, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                """Stay quiet: the benchmark prints its own figures."""

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def start(self) -> None:
        """Start serving in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()


@contextmanager
def serving(api: DemoApi, latency_seconds: float = 0.0) -> Iterator[LoopbackServer]:
    """Serve the API on loopback for the duration of a with-block."""
    server = LoopbackServer(api, latency_seconds)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def serve(workspaces: int, latency: float, port_queue: Any, stop: Any) -> None:
    """Run a demo organisation's server in a child process, sending its URL, until told to stop."""
    server = LoopbackServer(DemoApi(DemoOrganization(workspace_count=workspaces)), latency,
                            remember=True)
    server.start()
    port_queue.put(server.base_url)
    stop.wait()
    server.stop()
