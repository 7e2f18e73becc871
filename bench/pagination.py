#!/usr/bin/env python3
"""Deep-page cost, measured as a ratio to the same server's trivial endpoint in the same run.

Starts a release `assay serve` on a fresh database, provisions a school, bulk-loads N users (default
1,000,000) straight into the database, then times, with one keep-alive HTTP client:

  trivial      GET /api/diagnostics/version                     (the ceiling)
  first page   GET /api/v1/accounts/self/users?per_page=100
  deep page    the same list, `page=bookmark:` after row N-100    (what `next` links carry)
  deep offset  the same list, `page=<N/100 - 1>`                  (numbered pages skip rows: for contrast)

Usage:  cargo build --release && python3 bench/pagination.py [--rows N] [--requests K]
        [--postgres postgres://USER@HOST/DB]   (an empty database or schema the bench may fill)
Only the standard library is used; results are printed and written to bench/results/pagination.json.
"""
import argparse, base64, http.client, json, os, socket, sqlite3, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "assay")


def run(*args):
    out = subprocess.run([BIN, *args], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bulk_load(db_url, school, rows):
    if db_url.startswith("sqlite://"):
        con = sqlite3.connect(db_url[len("sqlite://"):])
        con.execute(
            f"""WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
            INSERT INTO users (root_account_id, account_id, name, sortable_name, sort_key, short_name,
                               workflow_state, created_at, updated_at)
            SELECT {school}, {school}, 'Bulk ' || printf('%07d', i), 'Bulk ' || printf('%07d', i),
                   'bulk ' || printf('%07d', i), 'B', 'registered', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' FROM n""")
        con.commit()
        (last_id,) = con.execute(f"SELECT id FROM users WHERE sort_key = 'bulk {rows - 100:07d}'").fetchone()
        con.close()
        return last_id
    sql = (f"INSERT INTO users (root_account_id, account_id, name, sortable_name, sort_key, short_name, workflow_state,"
           f" created_at, updated_at) SELECT {school}, {school}, 'Bulk ' || lpad(i::text, 7, '0'),"
           f" 'Bulk ' || lpad(i::text, 7, '0'), 'bulk ' || lpad(i::text, 7, '0'), 'B', 'registered', now(), now()"
           f" FROM generate_series(1, {rows}) AS i; ANALYZE users;")
    subprocess.run(["psql", db_url, "-qc", sql], check=True)
    out = subprocess.run(["psql", db_url, "-tAc", f"SELECT id FROM users WHERE sort_key = 'bulk {rows - 100:07d}'"],
                         check=True, capture_output=True, text=True)
    return int(out.stdout.strip())


def time_requests(port, path, token, n):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    samples = []
    for i in range(n + n // 10):  # the first tenth warms up and is discarded
        start = time.perf_counter()
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        resp.read()
        elapsed = time.perf_counter() - start
        if resp.status != 200:
            sys.exit(f"{path} answered {resp.status}")
        if i >= n // 10:
            samples.append(elapsed)
    conn.close()
    samples.sort()
    return {"median_us": round(statistics.median(samples) * 1e6, 1), "p95_us": round(samples[int(len(samples) * 0.95)] * 1e6, 1)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--postgres")
    args = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")
    tmp = tempfile.mkdtemp(prefix="assay-bench-")
    db_url = args.postgres or f"sqlite://{os.path.join(tmp, 'bench.db')}"
    out = run("admin", "--database-url", db_url, "create-school", "Bench School")
    school = int(out.split("school_id=")[1].split()[0])
    admin = out.split("admin_user_id=")[1].strip()
    token = run("admin", "--database-url", db_url, "create-token", "--user", admin)
    t0 = time.time()
    last_id = bulk_load(db_url, school, args.rows)
    print(f"loaded {args.rows} users in {time.time() - t0:.1f}s", file=sys.stderr)

    port = free_port()
    server = subprocess.Popen([BIN, "serve", "--bind", f"127.0.0.1:{port}", "--database-url", db_url, "--log-level", "warn"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        bookmark = base64.urlsafe_b64encode(json.dumps([args.rows // 100, None, f"bulk {args.rows - 100:07d}", last_id]).encode()).decode().rstrip("=")
        cases = {
            "trivial": ("/api/diagnostics/version", None),
            "first_page": ("/api/v1/accounts/self/users?per_page=100", token),
            "deep_page_bookmark": (f"/api/v1/accounts/self/users?per_page=100&page=bookmark:{bookmark}", token),
            "deep_page_offset": (f"/api/v1/accounts/self/users?per_page=100&page={args.rows // 100 - 1}", token),
        }
        results = {}
        for name, (path, tok) in cases.items():
            n = args.requests if name != "deep_page_offset" else max(20, args.requests // 20)
            results[name] = time_requests(port, path, tok, n)
        base = results["trivial"]["median_us"]
        for r in results.values():
            r["ratio_to_trivial"] = round(r["median_us"] / base, 2)
        report = {"backend": "postgres" if args.postgres else "sqlite", "rows": args.rows, "results": results}
        print(json.dumps(report, indent=2))
        os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
        with open(os.path.join(ROOT, "bench", "results", f"pagination-{report['backend']}.json"), "w") as f:
            json.dump(report, f, indent=2)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
