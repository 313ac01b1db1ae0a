#!/usr/bin/env python3
"""Server-side figures for bench/compare.sh, from /proc only (python3 standard library).

  procstat.py sample PID
      One JSON line for PID's whole process tree: CPU time (utime+stime of every process, from
      /proc/P/stat), resident memory (VmRSS summed, from /proc/P/status) and the process count.
  procstat.py record --server S --scenario X --rep N --before JSON --after JSON --bench JSON
      One JSON line combining two samples and the load generator's result into per-unit figures:
      login: server CPU us per login; connections: server RSS KiB and CPU us per idle session;
      fanout, subtree, latency: server CPU us per delivered notification; ingest: per acknowledged
      publish (the generator's "units").
  procstat.py merge OUT.0 OUT.1 ...
      One JSON result from the result lines of the shards of one run (counts and CPU summed, the
      longest measured phase, rates recomputed, ok only if every shard is ok).
  procstat.py report RESULTS.jsonl
      The markdown table: median and spread (min-max) per server, Starling's ratio to each peer,
      and the issue's targets checked against those ratios.

CPU times come in clock ticks (usually 10 ms), so runs are sized to take seconds of server CPU.
"""

import json
import os
import statistics
import sys

TICKS = os.sysconf("SC_CLK_TCK")


def children_map():
    """ppid -> [pid] for every process visible now."""
    tree = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # exited while we looked
        # comm may contain spaces and parentheses: fields start after the last ')'.
        fields = stat[stat.rindex(")") + 2:].split()
        tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def tree_pids(root):
    tree = children_map()
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(tree.get(pid, []))
    return pids


def sample(root):
    cpu_ticks = rss_kib = count = 0
    for pid in tree_pids(root):
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/status") as f:
                status = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        cpu_ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat(5))
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss_kib += int(line.split()[1])
        count += 1
    if count == 0:
        raise SystemExit(f"procstat: no process {root}")
    return {"pid": root, "processes": count, "cpu_ticks": cpu_ticks,
            "cpu_us": cpu_ticks * 1_000_000 // TICKS, "rss_kib": rss_kib}


def record(args):
    opts = dict(zip(args[0::2], args[1::2]))
    before, after = json.loads(opts["--before"]), json.loads(opts["--after"])
    bench = json.loads(opts["--bench"]) if opts.get("--bench") else {}
    units = bench.get("units", bench.get("established", 0))
    cpu_us = after["cpu_us"] - before["cpu_us"]
    rss_kib = after["rss_kib"] - before["rss_kib"]
    out = {"server": opts["--server"], "scenario": opts["--scenario"], "rep": int(opts["--rep"]),
           "ok": bool(bench.get("ok")), "units": units, "server_cpu_us": cpu_us,
           "server_rss_before_kib": before["rss_kib"], "server_rss_after_kib": after["rss_kib"],
           "client_cpu_seconds": bench.get("client_cpu_seconds"),
           "rate_per_second": bench.get("rate_per_second"), "wall_seconds": bench.get("wall_seconds")}
    for key in ("subscribers", "publishers", "items_per_publisher", "measured_client_cpu_seconds",
                "latency_p50_ms", "latency_p99_ms", "latency_max_ms", "first_error"):
        if bench.get(key) is not None:
            out[key] = bench[key]
    if units:
        out["cpu_us_per_unit"] = round(cpu_us / units, 1)
        out["rss_kib_per_unit"] = round(rss_kib / units, 2)
    print(json.dumps(out, sort_keys=True))


def merge(paths):
    """Sums the shards' JSON results of one run into one."""
    parts = []
    for path in paths:
        try:
            lines = [line for line in open(path) if line.strip().startswith("{")]
        except OSError:
            lines = []
        parts.append(json.loads(lines[-1]) if lines else {"ok": False, "first_error": f"no result in {path}"})
    if len(parts) == 1:
        return parts[0]
    out = dict(parts[0])
    for key in ("subscribers", "publishers", "sessions_requested", "established", "failed", "dropped",
                "expected_notifications", "notifications", "missing_notifications", "surplus_notifications",
                "expected_publishes", "published", "acknowledged", "publish_errors", "units"):
        out[key] = sum(p.get(key, 0) or 0 for p in parts)
    for key in ("client_cpu_seconds", "measured_client_cpu_seconds"):
        out[key] = round(sum(p.get(key, 0) or 0 for p in parts), 3)
    out["client_max_rss_kib"] = sum(p.get("client_max_rss_kib", 0) or 0 for p in parts)
    for key in ("measured_seconds", "wall_seconds", "setup_seconds"):
        out[key] = max(p.get(key, 0) or 0 for p in parts)
    measured = out.get("measured_seconds") or 0
    if measured:
        out["rate_per_second"] = round(out["units"] / measured, 1)
        out["notifications_per_second"] = round(out["notifications"] / measured, 1)
        out["items_per_second"] = round(out["acknowledged"] / measured, 1)
    for key in ("latency_p50_ms", "latency_p99_ms", "latency_max_ms"):
        values = [p[key] for p in parts if p.get(key) is not None]
        if values:  # shards' percentiles cannot be merged exactly; the worst shard is reported
            out[key] = max(values)
    out["shard"] = f"{len(parts)} shards"
    out["timed_out"] = any(p.get("timed_out") for p in parts)
    out["first_error"] = next((p["first_error"] for p in parts if p.get("first_error")), None)
    out["ok"] = all(p.get("ok") for p in parts)
    return out


# (scenario, field, label, format) rows of the table. A scenario "X-pg" is Starling on PostgreSQL,
# compared with the peers' "X".
ROWS = [
    ("login", "cpu_us_per_unit", "SCRAM login: server CPU µs / login", "{:,.0f}"),
    ("login", "rate_per_second", "SCRAM login: logins/s (wall)", "{:,.0f}"),
    ("login", "client_cpu_seconds", "SCRAM login: load generator CPU s", "{:,.1f}"),
    ("connections", "rss_kib_per_unit", "idle sessions: server RSS KiB / session", "{:,.1f}"),
    ("connections", "cpu_us_per_unit", "idle sessions: server CPU µs / session set up", "{:,.0f}"),
    ("connections", "rate_per_second", "idle sessions: sessions/s during ramp (wall)", "{:,.0f}"),
    ("fanout", "cpu_us_per_unit", "fan-out 1→{subscribers}: server CPU µs / notification", "{:,.1f}"),
    ("fanout", "rate_per_second", "fan-out 1→{subscribers}: notifications/s (wall)", "{:,.0f}"),
    ("fanout", "measured_client_cpu_seconds", "fan-out 1→{subscribers}: load generator CPU s", "{:,.1f}"),
    ("ingest", "cpu_us_per_unit", "ingest, {publishers} publishers (Starling: embedded SQLite): server CPU µs / publish", "{:,.1f}"),
    ("ingest", "rate_per_second", "ingest, {publishers} publishers (Starling: embedded SQLite): items/s (wall)", "{:,.0f}"),
    ("ingest-pg", "cpu_us_per_unit", "ingest, {publishers} publishers (Starling: PostgreSQL): server CPU µs / publish", "{:,.1f}"),
    ("ingest-pg", "rate_per_second", "ingest, {publishers} publishers (Starling: PostgreSQL): items/s (wall)", "{:,.0f}"),
    ("ingest", "measured_client_cpu_seconds", "ingest: load generator CPU s", "{:,.1f}"),
    ("latency", "latency_p50_ms", "latency, {subscribers} subscribers: p50 ms publish → notification", "{:,.2f}"),
    ("latency", "latency_p99_ms", "latency, {subscribers} subscribers: p99 ms", "{:,.2f}"),
    ("latency", "cpu_us_per_unit", "latency run: server CPU µs / notification", "{:,.1f}"),
    ("subtree", "cpu_us_per_unit", "subtree (XEP-0248) fan-out: server CPU µs / notification", "{:,.1f}"),
    ("subtree", "rate_per_second", "subtree (XEP-0248) fan-out: notifications/s (wall)", "{:,.0f}"),
]

# The targets: (starling scenario, field, peer, bound, sense, text). sense "le": ratio <= bound.
TARGETS = [
    ("fanout", "cpu_us_per_unit", "ejabberd", 0.2, "le", "fan-out CPU / notification ≤ 1/5 of ejabberd's"),
    ("fanout", "cpu_us_per_unit", "mosquitto", 1.5, "le", "fan-out CPU / notification within 1.5× of Mosquitto QoS 1"),
    ("ingest", "rate_per_second", "ejabberd", 10, "ge", "durable ingest (embedded) items/s ≥ 10× ejabberd's"),
    ("ingest", "cpu_us_per_unit", "ejabberd", 0.125, "le", "durable ingest (embedded) CPU / publish ≤ 1/8 of ejabberd's"),
    ("ingest-pg", "rate_per_second", "ejabberd", 10, "ge", "durable ingest (PostgreSQL) items/s ≥ 10× ejabberd's"),
    ("ingest-pg", "cpu_us_per_unit", "ejabberd", 0.125, "le", "durable ingest (PostgreSQL) CPU / publish ≤ 1/8 of ejabberd's"),
    ("login", "cpu_us_per_unit", "ejabberd", 0.2, "le", "SCRAM login CPU ≤ 1/5 of ejabberd's"),
]


def median_of(records, server, scenario, field):
    values = [r[field] for r in records
              if r["server"] == server and r["scenario"] == scenario and r.get("ok") and r.get(field) is not None]
    return (statistics.median(values), values) if values else (None, [])


def report(path):
    records = [json.loads(line) for line in open(path) if line.strip()]
    servers = [s for s in ("starling", "prosody", "ejabberd", "mosquitto") if any(r["server"] == s for r in records)]
    servers += sorted({r["server"] for r in records} - set(servers))
    peers = [s for s in servers if s != "starling"]
    head = ["figure"] + [f"{s} median (min–max), n" for s in servers]
    head += [f"Starling ÷ {p}" for p in peers] if "starling" in servers else []
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    failures = [r for r in records if not r.get("ok")]
    for scenario, field, label, fmt in ROWS:
        medians = {}
        mine = [r for r in records if r["scenario"] == scenario]
        if not mine:
            continue
        sizes = {key: "/".join(str(v) for v in sorted({r.get(key) for r in mine if r.get(key) is not None}))
                 for key in ("subscribers", "publishers")}
        cells = [label.format(**{k: v or "?" for k, v in sizes.items()})]
        base = scenario[:-3] if scenario.endswith("-pg") else scenario
        for server in servers:
            # Starling's row uses its own scenario; the peers' values come from the base scenario.
            median, values = median_of(records, server, scenario if server == "starling" else base, field)
            if median is None:
                cells.append("—")
                continue
            medians[server] = median
            cells.append(f"{fmt.format(medians[server])} ({fmt.format(min(values))}–{fmt.format(max(values))}), {len(values)}")
        if "starling" in servers:
            for peer in peers:
                if medians.get("starling") is not None and medians.get(peer):
                    cells.append(f"{medians['starling'] / medians[peer]:.2f}")
                else:
                    cells.append("—")
        print("| " + " | ".join(cells) + " |")
    sizes = {}
    for r in records:
        sizes.setdefault(r["scenario"], set()).add(r["units"])
    print()
    print("Units per run: " + ", ".join(f"{k} = {sorted(v)}" for k, v in sorted(sizes.items())) + ".")
    if "starling" in servers:
        checks = []
        for scenario, field, peer, bound, sense, text in TARGETS:
            mine, _ = median_of(records, "starling", scenario, field)
            theirs, _ = median_of(records, peer, scenario[:-3] if scenario.endswith("-pg") else scenario, field)
            if mine is None or not theirs:
                continue
            ratio = mine / theirs
            met = ratio <= bound if sense == "le" else ratio >= bound
            checks.append(f"- {text}: Starling ÷ {peer} = {ratio:.2f} ({'met' if met else '**not met**'})")
        if checks:
            print()
            print("Targets (issue 4), from the medians above:")
            print("\n".join(checks))
    if failures:
        print()
        print(f"**{len(failures)} run(s) failed and are excluded:** "
              + ", ".join(f"{r['server']}/{r['scenario']}/rep {r['rep']}" for r in failures))


def main(argv):
    if len(argv) >= 3 and argv[1] == "sample":
        print(json.dumps(sample(int(argv[2]))))
    elif len(argv) >= 2 and argv[1] == "record":
        record(argv[2:])
    elif len(argv) >= 3 and argv[1] == "merge":
        print(json.dumps(merge(argv[2:]), sort_keys=True))
    elif len(argv) == 3 and argv[1] == "report":
        report(argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
