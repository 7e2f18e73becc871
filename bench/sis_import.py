#!/usr/bin/env python3
"""How long a whole school's roster takes to import through `POST /api/v1/accounts/self/sis_imports`.

Generates a Canvas SIS CSV zip (default: 50,000 users without passwords, 200 courses each with one section,
200,000 enrollments: 1,000 per course, in its section), starts a release `assay serve` on a fresh database,
posts the zip, polls the Progress until the import ends, and reports the wall time from the POST to the end.
Then posts the same zip again and times the second, idempotent run (which must change nothing).

Usage:  cargo build --release && python3 bench/sis_import.py [--users N] [--courses N] [--per-course N]
        [--postgres postgres://USER@HOST/DB]   (an empty database the bench may fill)
Only the standard library is used; results are printed and written to bench/results/sis_import-<backend>.json.
Target: under 10 s for the first run on SQLite.
"""
import argparse, http.client, io, json, os, socket, subprocess, sys, tempfile, time, zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "assay")


def run(*args):
    out = subprocess.run([BIN, *args], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def roster(users, courses, per_course):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("terms.csv", "term_id,name,status,start_date,end_date\nT1,Bench term,active,2026-09-01T00:00:00Z,2027-06-30T00:00:00Z\n")
        rows = ["user_id,login_id,first_name,last_name,email,status"]
        rows += [f"u{i},user{i}@bench.example,Given{i},Family{i},user{i}@bench.example,active" for i in range(users)]
        z.writestr("users.csv", "\n".join(rows) + "\n")
        rows = ["course_id,short_name,long_name,account_id,term_id,status"]
        rows += [f"c{c},C{c},Course {c},,T1,active" for c in range(courses)]
        z.writestr("courses.csv", "\n".join(rows) + "\n")
        rows = ["section_id,course_id,name,status"]
        rows += [f"s{c},c{c},Section {c},active" for c in range(courses)]
        z.writestr("sections.csv", "\n".join(rows) + "\n")
        rows = ["course_id,user_id,role,section_id,status"]
        for c in range(courses):
            for k in range(per_course):
                u = (c * per_course + k) % users
                role = "teacher" if k == 0 else "student"
                rows.append(f"c{c},u{u},{role},s{c},active")
        z.writestr("enrollments.csv", "\n".join(rows) + "\n")
    return out.getvalue()


def request(port, method, path, token, body=None, content_type=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    headers = {"Authorization": f"Bearer {token}"}
    if content_type:
        headers["Content-Type"] = content_type
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    if resp.status != 200:
        sys.exit(f"{method} {path} answered {resp.status}: {data[:500]!r}")
    return json.loads(data)


def import_once(port, token, data):
    start = time.perf_counter()
    created = request(port, "POST", "/api/v1/accounts/self/sis_imports?import_type=instructure_csv&extension=zip",
                      token, data, "application/zip")
    progress_id = created["progress_id"]
    while True:
        progress = request(port, "GET", f"/api/v1/progress/{progress_id}", token)
        if progress["workflow_state"] in ("completed", "failed"):
            break
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    result = request(port, "GET", f"/api/v1/accounts/self/sis_imports/{created['id']}", token)
    return elapsed, result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=50_000)
    ap.add_argument("--courses", type=int, default=200)
    ap.add_argument("--per-course", type=int, default=1_000)
    ap.add_argument("--postgres")
    args = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")
    data = roster(args.users, args.courses, args.per_course)
    tmp = tempfile.mkdtemp(prefix="assay-bench-")
    db_url = args.postgres or f"sqlite://{os.path.join(tmp, 'bench.db')}"
    out = run("admin", "--database-url", db_url, "create-school", "Bench School")
    admin = out.split("admin_user_id=")[1].strip()
    token = run("admin", "--database-url", db_url, "create-token", "--user", admin)

    port = free_port()
    server = subprocess.Popen(
        [BIN, "serve", "--bind", f"127.0.0.1:{port}", "--database-url", db_url, "--log-level", "warn",
         "--rate-limit-enabled", "false"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        runs = []
        for label in ("first", "second (idempotent)"):
            elapsed, result = import_once(port, token, data)
            runs.append({
                "run": label,
                "seconds": round(elapsed, 2),
                "workflow_state": result["workflow_state"],
                "counts": {k: v for k, v in result["data"]["counts"].items() if v},
                "total_state_changes": result["statistics"]["total_state_changes"],
                "errors": len(result["processing_errors"]),
            })
            print(f"{label}: {elapsed:.2f}s, {result['workflow_state']}, "
                  f"{result['statistics']['total_state_changes']} changes", file=sys.stderr)
        report = {
            "backend": "postgres" if args.postgres else "sqlite",
            "users": args.users, "courses": args.courses, "enrollments": args.courses * args.per_course,
            "zip_bytes": len(data), "cpus": os.cpu_count(), "runs": runs,
        }
        print(json.dumps(report, indent=2))
        os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
        with open(os.path.join(ROOT, "bench", "results", f"sis_import-{report['backend']}.json"), "w") as f:
            json.dump(report, f, indent=2)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
