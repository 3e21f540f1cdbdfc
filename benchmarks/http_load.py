"""What the API benchmarks share: starting and stopping `klimatmatch serve`, reading process
memory, and two load generators for GET shortlist (Python threads; wrk when installed)."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np


def memory_mib(pid: int) -> dict[str, float]:
    """Resident (VmRSS) and peak resident (VmHWM) memory of a process, from /proc."""
    fields = {}
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith(("VmRSS", "VmHWM")):
                name, value = line.split(":")
                fields[name] = round(int(value.split()[0]) / 1024, 1)
    return fields


def server_memory(pid: int) -> str:
    fields = memory_mib(pid)
    return f"RSS {fields.get('VmRSS', 0):,.0f} MiB, peak {fields.get('VmHWM', 0):,.0f} MiB"


def load(
    base: str, token: str, seconds: float, concurrency: int, challenges: int = 4
) -> list[float]:
    latencies: list[float] = []
    errors: list[int] = []
    deadline = time.perf_counter() + seconds

    def worker(offset: int) -> None:
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            i = offset
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                response = client.get(
                    f"/challenges/{1 + i % challenges}/shortlist",
                    params={"k": 10, "explain": "false"},
                )
                latencies.append(time.perf_counter() - start)
                if response.status_code != 200:
                    errors.append(response.status_code)
                i += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        print(f"  errors: {len(errors)} ({sorted(set(errors))})")
    return latencies


def pages(base: str, token: str, sign_in: tuple[str, str], repeats: int = 10) -> dict[str, float]:
    """What a coordinator waits for on the pages: the queue (one shortlist per challenge on the
    page, for the unreviewed counts) and a shortlist page (with explanations and history).
    `sign_in`: the coordinator's e-mail and password."""
    email, password = sign_in
    with httpx.Client(base_url=base, timeout=60, follow_redirects=True) as client:
        form = client.get("/ui/sign-in").text  # the form's pre-session token, as a browser
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', form)
        fields = {"email": email, "password": password, "csrf": csrf.group(1) if csrf else ""}
        client.post("/ui/sign-in", data=fields).raise_for_status()
        count = len(
            httpx.get(f"{base}/challenges", headers={"Authorization": f"Bearer {token}"}).json()[
                "data"
            ]
        )
        figures = {}
        for key, label, path in [
            (
                "queue",
                f"page: review queue ({count} challenges, unreviewed counts)",
                "/ui/challenges",
            ),
            ("shortlist", "page: a shortlist with explanations, k=10", "/ui/challenges/1"),
        ]:
            timings = []
            for _ in range(repeats):
                start = time.perf_counter()
                response = client.get(path)
                timings.append(time.perf_counter() - start)
                assert response.status_code == 200, response.text[:300]
            figures[f"page_{key}_first_ms"] = round(timings[0] * 1000, 1)
            figures[f"page_{key}_p50_ms"] = round(float(np.percentile(timings, 50)) * 1000, 1)
            print(
                f"{label}: first {timings[0] * 1000:.0f} ms (nothing cached yet), "
                f"p50 {np.percentile(timings, 50) * 1000:.0f} ms"
            )
        return figures


def start_service(
    env: dict[str, str], port: int, workers: int = 1, token: str | None = None
) -> tuple[subprocess.Popen, float, dict]:
    """`klimatmatch serve` until /health answers; returns (process, seconds, health): with a
    coordinator's `token`, health's details (counts, index source), else up/down only."""
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    command = [sys.executable, "-m", "klimatmatch.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    start = time.perf_counter()
    while True:
        try:
            health = httpx.get(f"http://127.0.0.1:{port}/health", headers=auth, timeout=2).json()
            return server, time.perf_counter() - start, health
        except httpx.HTTPError:
            if server.poll() is not None or time.perf_counter() - start > 900:
                raise SystemExit("the server did not start") from None
            time.sleep(0.1)


def stop_service(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=60)


def worker_memory(pid: int) -> list[float]:
    """RSS MiB of each worker process under a `--workers N` server."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [memory_mib(int(child)).get("VmRSS", 0.0) for child in children]


def wait_for_snapshot(folder: Path, seconds: float = 600) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if folder.is_dir() and any((f / "manifest.json").exists() for f in folder.iterdir()):
            return True
        time.sleep(0.5)
    return False


def shortlist_figures(base: str, token: str, seconds: float, concurrency: int, label: str) -> dict:
    latencies = np.array(load(base, token, seconds, concurrency)) * 1000
    rate = len(latencies) / seconds
    print(
        f"GET shortlist k=10, {label}, {concurrency} connection(s): {rate:6.1f} req/s  "
        f"p50 {np.percentile(latencies, 50):6.1f} ms  p99 {np.percentile(latencies, 99):6.1f} ms"
    )
    return {
        "req_per_s": round(rate, 1),
        "p50_ms": round(float(np.percentile(latencies, 50)), 1),
        "p99_ms": round(float(np.percentile(latencies, 99)), 1),
    }


WRK_SCRIPT = """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/challenges/" .. (1 + counter % CHALLENGES) ..
                    "/shortlist?k=10&explain=false")
end
"""


def wrk_figures(
    base: str, token: str, seconds: float, concurrency: int, label: str, challenges: int
) -> dict:
    """The same requests from wrk (C, one thread): a client that takes a few percent of a core,
    so on a small machine the server's processes get the cores (Debian: apt install wrk)."""
    script = Path("var") / "bench-api-wrk.lua"
    script.write_text(WRK_SCRIPT.replace("CHALLENGES", str(challenges)))
    output = subprocess.run(
        [
            *("wrk", "-t1", f"-c{concurrency}", f"-d{int(seconds)}s", "--latency"),
            *("-H", f"Authorization: Bearer {token}", "-s", str(script), base),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    percentiles = {
        p: _milliseconds(v) for p, v in re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)$", output, re.M)
    }
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    print(
        f"GET shortlist k=10 (wrk), {label}, {concurrency} connection(s): {rate:6.1f} req/s  "
        f"p50 {percentiles['50']:6.1f} ms  p99 {percentiles['99']:6.1f} ms"
        + (f"  errors {errors.group(1)}" if errors else "")
    )
    return {"req_per_s": round(rate, 1), "p50_ms": percentiles["50"], "p99_ms": percentiles["99"]}


def _milliseconds(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return round(float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit], 1)
