"""A bounded mixed load on 127.0.0.1: reads and writes from every role for a fixed time.

    python -m benchmarks.load_mixed --seconds 60 --concurrency 4

Starts `klimatmatch serve` on a fresh SQLite copy of the sample (vectors from the cache after
the first run), then cities post and edit challenges, companies edit profiles, coordinators read
shortlists and review them, everyone lists. Prints per-operation counts, p50/p99 and every error;
exits non-zero if any request failed or returned 5xx.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx
import numpy as np

from klimatmatch.accounts.service import create_user
from klimatmatch.catalogue.importing import import_file
from models import Role, create_db_engine, crud, session_factory
from models.migrate import upgrade

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def prepare(path: Path) -> dict[str, str]:
    path.unlink(missing_ok=True)
    db = create_db_engine(f"sqlite:///{path}")
    upgrade(db)
    tokens = {}
    with session_factory(db)() as session:
        for name in ("challenges.csv", "companies.csv"):
            import_file(session=session, path=SAMPLE / name)
        for who, role, org in [
            ("city", Role.CITY, "Stockholm"),
            ("company", Role.COMPANY, "Voltgräv AB"),
            ("coordinator", Role.COORDINATOR, "Nordic Solutions for C40"),
        ]:
            _, tokens[who] = create_user(session=session, name=who, role=role, organisation=org)
        tokens["company_id"] = str(
            crud.company_by_external_id(session=session, external_id="CO-001").id
        )
        session.commit()
    db.dispose()
    return tokens


def worker(
    base: str,
    tokens: dict[str, str],
    deadline: float,
    seed: int,
    results: dict[str, list[float]],
    errors: list[str],
) -> None:
    rng = random.Random(seed)
    clients = {
        who: httpx.Client(
            base_url=base, timeout=60, headers={"Authorization": f"Bearer {tokens[who]}"}
        )
        for who in ("city", "company", "coordinator")
    }
    own: list[int] = []
    while time.perf_counter() < deadline:
        op = rng.choices(
            ["list", "shortlist", "review", "post", "patch", "profile"],
            weights=[30, 30, 15, 10, 10, 5],
        )[0]
        start = time.perf_counter()
        if op == "list":
            response = clients["city"].get("/challenges", params={"limit": 20})
        elif op == "shortlist":
            response = clients["coordinator"].get(
                f"/challenges/{rng.randint(1, 44)}/shortlist", params={"k": 10}
            )
        elif op == "review":
            response = clients["coordinator"].post(
                "/reviews",
                json={
                    "challenge_id": rng.randint(1, 44),
                    "company_id": rng.randint(1, 155),
                    "decision": rng.choice(["accepted", "rejected", "maybe"]),
                    "note": "load",
                },
            )
        elif op == "post":
            response = clients["city"].post(
                "/challenges",
                json={
                    "title": f"Lasttest {seed}-{len(own)}",
                    "description": "Eldrivna arbetsmaskiner och laddning på byggarbetsplatser.",
                },
            )
            if response.status_code == 201:
                own.append(response.json()["id"])
        elif op == "patch" and own:
            response = clients["city"].patch(
                f"/challenges/{rng.choice(own)}", json={"theme": f"t{rng.randint(0, 9)}"}
            )
        else:
            response = clients["company"].patch(
                f"/companies/{tokens['company_id']}", json={"employees": rng.randint(1, 500)}
            )
        results[op].append(time.perf_counter() - start)
        expected = {
            "list": {200},
            "shortlist": {200, 404},
            "review": {201},
            "post": {201},
            "patch": {200, 409},
            "profile": {200, 409},
        }[op]
        if response.status_code not in expected:
            errors.append(f"{op} -> {response.status_code} {response.text[:120]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--port", type=int, default=8124)
    args = parser.parse_args()
    path = Path("var") / "load-mixed.db"
    path.parent.mkdir(exist_ok=True)
    tokens = prepare(path)
    env = {
        **os.environ,
        "KLIMATMATCH_DATABASE_URL": f"sqlite:///{path}",
        "HF_HUB_OFFLINE": "1",
        "OPENBLAS_NUM_THREADS": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "klimatmatch.cli", "serve", "--port", str(args.port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/health", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(1)
        results: dict[str, list[float]] = defaultdict(list)
        errors: list[str] = []
        deadline = time.perf_counter() + args.seconds
        threads = [
            threading.Thread(target=worker, args=(base, tokens, deadline, n, results, errors))
            for n in range(args.concurrency)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        total = sum(len(v) for v in results.values())
        print(
            f"{total} requests in {args.seconds:.0f} s ({total / args.seconds:.1f}/s), "
            f"{args.concurrency} connections, {len(errors)} errors"
        )
        for op, samples in sorted(results.items()):
            values = np.array(samples) * 1000
            print(
                f"  {op:10s} {len(values):6d}  p50 {np.percentile(values, 50):7.1f} ms  "
                f"p99 {np.percentile(values, 99):7.1f} ms"
            )
        for error in errors[:20]:
            print("  error:", error)
        if errors:
            raise SystemExit(1)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
