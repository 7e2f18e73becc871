#!/usr/bin/env python3
"""Authentication cost per request, as a ratio to the same server's trivial endpoint in the same run.

Starts a release `assay serve --demo` on a fresh SQLite database (or `--postgres URL`, an empty database) and
times, with one keep-alive client (median of N requests after a warm-up):

  trivial            GET /api/diagnostics/version           (no authentication, rate-limit exempt)
  bearer             GET /api/v1/users/self                 (personal token: token + user + roles + limits)
  api_key            GET /api/v1/accounts/self/users?per_page=1 ... with Api-Key (reviewer principal)
  unauthenticated    GET /api/v1/users/self without a credential (401, per-address limits only)
  password_grant     POST /api/token                       (argon2 verification: deliberately slow)

Usage: cargo build --release && python3 bench/auth.py [--requests N] [--postgres URL]
Results are printed and written to bench/results/auth-<backend>.json.
"""
import argparse, http.client, json, os, re, socket, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "assay")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(port, method, path, headers, body, n):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    samples = []
    for i in range(n + n // 10):
        start = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        if i >= n // 10:
            samples.append(time.perf_counter() - start)
    conn.close()
    samples.sort()
    return {"median_us": round(statistics.median(samples) * 1e6, 1), "p95_us": round(samples[int(len(samples) * 0.95)] * 1e6, 1), "last_status": resp.status}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--postgres")
    args = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")
    tmp = tempfile.mkdtemp(prefix="assay-bench-")
    db = args.postgres or f"sqlite://{os.path.join(tmp, 'bench.db')}"
    port = free_port()
    # The per-credential and per-address limits would throttle a benchmark loop: measure with generous ones.
    server = subprocess.Popen(
        [BIN, "serve", "--demo", "--bind", f"127.0.0.1:{port}", "--database-url", db, "--log-level", "warn",
         "--rate-limit-credential-per-second", "100000", "--rate-limit-credential-burst", "100000",
         "--rate-limit-school-per-minute", "10000000", "--rate-limit-ip-endpoint", "second=100000",
         "--rate-limit-login-failures-per-15min", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        banner = ""
        while "(shown once)" not in banner:
            banner += server.stdout.readline()
        token = re.search(r"Bearer (assay_[\w-]+)", banner).group(1)
        api_key = re.search(r"Api-Key ([\w.-]+)'", banner).group(1)
        form = "grant_type=password&username=admin%40demo.assay.invalid&password=demo-password"
        n = args.requests
        results = {
            "trivial": timed(port, "GET", "/api/diagnostics/version", {}, None, n),
            "bearer": timed(port, "GET", "/api/v1/users/self", {"Authorization": f"Bearer {token}"}, None, n),
            "api_key": timed(port, "GET", "/api/v1/accounts/self/users?per_page=1", {"Authorization": f"Api-Key {api_key}"}, None, n),
            "unauthenticated": timed(port, "GET", "/api/v1/users/self", {}, None, n),
            "password_grant": timed(port, "POST", "/api/token", {"Content-Type": "application/x-www-form-urlencoded"}, form, max(20, n // 50)),
            # The baseline again at the end: the first loop also pays for warming the process up.
            "trivial_again": timed(port, "GET", "/api/diagnostics/version", {}, None, n),
        }
        base = min(results["trivial"]["median_us"], results["trivial_again"]["median_us"])
        for r in results.values():
            r["ratio_to_trivial"] = round(r["median_us"] / base, 2)
        report = {"backend": "postgres" if args.postgres else "sqlite", "results": results}
        print(json.dumps(report, indent=2))
        os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
        with open(os.path.join(ROOT, "bench", "results", f"auth-{report['backend']}.json"), "w") as f:
            json.dump(report, f, indent=2)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
