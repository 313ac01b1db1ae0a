#!/usr/bin/env python3
"""Server-side figures for bench/compare.sh, from /proc only (python3 standard library).

  procstat.py sample PID
      One JSON line for PID's whole process tree: CPU time (utime+stime of every process, from
      /proc/P/stat), resident memory (VmRSS summed, from /proc/P/status) and the process count.
  procstat.py record --server S --scenario X --rep N --before JSON --after JSON --bench JSON
      One JSON line combining two samples and the load generator's result into per-unit figures:
      login: server CPU us per login; connections: server RSS KiB and CPU us per idle session.
  procstat.py report RESULTS.jsonl
      The markdown table: median and spread (min-max) per server, Starling's ratio to each peer.

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
    units = bench.get("established", 0)
    cpu_us = after["cpu_us"] - before["cpu_us"]
    rss_kib = after["rss_kib"] - before["rss_kib"]
    out = {"server": opts["--server"], "scenario": opts["--scenario"], "rep": int(opts["--rep"]),
           "ok": bool(bench.get("ok")), "units": units, "server_cpu_us": cpu_us,
           "server_rss_before_kib": before["rss_kib"], "server_rss_after_kib": after["rss_kib"],
           "client_cpu_seconds": bench.get("client_cpu_seconds"),
           "rate_per_second": bench.get("rate_per_second"), "wall_seconds": bench.get("wall_seconds")}
    if units:
        out["cpu_us_per_unit"] = round(cpu_us / units, 1)
        out["rss_kib_per_unit"] = round(rss_kib / units, 2)
    print(json.dumps(out, sort_keys=True))


# (scenario, field, label, format) rows of the table.
ROWS = [
    ("login", "cpu_us_per_unit", "SCRAM login: server CPU µs / login", "{:,.0f}"),
    ("login", "rate_per_second", "SCRAM login: logins/s (wall)", "{:,.0f}"),
    ("login", "client_cpu_seconds", "SCRAM login: load generator CPU s", "{:,.1f}"),
    ("connections", "rss_kib_per_unit", "idle sessions: server RSS KiB / session", "{:,.1f}"),
    ("connections", "cpu_us_per_unit", "idle sessions: server CPU µs / session set up", "{:,.0f}"),
    ("connections", "rate_per_second", "idle sessions: sessions/s during ramp (wall)", "{:,.0f}"),
]


def report(path):
    records = [json.loads(line) for line in open(path) if line.strip()]
    servers = [s for s in ("starling", "prosody", "ejabberd") if any(r["server"] == s for r in records)]
    servers += sorted({r["server"] for r in records} - set(servers))
    peers = [s for s in servers if s != "starling"]
    head = ["figure"] + [f"{s} median (min–max), n" for s in servers]
    head += [f"Starling ÷ {p}" for p in peers] if "starling" in servers else []
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    failures = [r for r in records if not r.get("ok")]
    for scenario, field, label, fmt in ROWS:
        medians, cells = {}, [label]
        units = {r["units"] for r in records if r["scenario"] == scenario}
        if not units:
            continue
        for server in servers:
            values = [r[field] for r in records
                      if r["server"] == server and r["scenario"] == scenario and r.get("ok")
                      and r.get(field) is not None]
            if not values:
                cells.append("—")
                continue
            medians[server] = statistics.median(values)
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
    if failures:
        print()
        print(f"**{len(failures)} run(s) failed and are excluded:** "
              + ", ".join(f"{r['server']}/{r['scenario']}/rep {r['rep']}" for r in failures))


def main(argv):
    if len(argv) >= 3 and argv[1] == "sample":
        print(json.dumps(sample(int(argv[2]))))
    elif len(argv) >= 2 and argv[1] == "record":
        record(argv[2:])
    elif len(argv) == 3 and argv[1] == "report":
        report(argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
