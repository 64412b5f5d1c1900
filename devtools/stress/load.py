"""Load: many simulated clients, each from its own loopback address, asking back to back."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    retry_after_missing: int = 0

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def client_ip(n: int) -> str:
    """A distinct loopback source address per simulated client (the rate limit is per address)."""
    return f"127.0.{1 + n // 250}.{1 + n % 250}"


def http_client(base_url: str, ip: str | None, timeout: float) -> Any:
    import httpx

    transport = httpx.HTTPTransport(local_address=ip) if ip else None
    return httpx.Client(base_url=base_url, timeout=timeout, transport=transport)


def run_load(base_url: str, clients: int, per_client: int, questions: list[str], *, backend: str | None = None,
             first_ip: int = 0, timeout: float = 60.0, ok_statuses: tuple[int, ...] = (200,)) -> LoadResult:
    """`clients` threads, each its own address, asking `per_client` questions back to back."""
    barrier = threading.Barrier(clients)
    lock = threading.Lock()
    result = LoadResult(clients * per_client, 0, 0.0)

    def worker(n: int) -> None:
        with http_client(base_url, client_ip(first_ip + n), timeout) as http:
            barrier.wait()
            for i in range(per_client):
                body = {"question": questions[(n + i) % len(questions)]}
                if backend:
                    body["backend"] = backend
                started = time.perf_counter()
                try:
                    response = http.post("/api/ask", json=body)
                    status = response.status_code
                    missing = status == 429 and not response.headers.get("retry-after", "").isdigit()
                except Exception:
                    status, missing = 0, False
                elapsed = time.perf_counter() - started
                with lock:
                    result.statuses[status] += 1
                    result.retry_after_missing += missing
                    if status in ok_statuses:
                        result.latencies.append(elapsed)
                    else:
                        result.errors += 1

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result
