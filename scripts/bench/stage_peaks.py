#!/usr/bin/env python3
"""Peak RSS of `mlaudit run -v` by stage (docs/benchmarks.md, session 9).

usage: stage_peaks.py LOG -- CMD...   runs CMD (stderr+stdout to LOG), samples VmRSS every 20 ms,
prints each log line with the peak RSS (MiB) seen since the previous line, then CPU s and ru_maxrss."""
import sys, subprocess, time, os, resource
i = sys.argv.index("--"); log = sys.argv[1]; cmd = sys.argv[i+1:]
f = open(log, "w")
p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT)
peak = 0; seen = 0; out = []
def rss():
    try:
        for l in open(f"/proc/{p.pid}/status"):
            if l.startswith("VmRSS:"): return int(l.split()[1]) // 1024
    except Exception: return 0
    return 0
def lines():
    global seen
    try: data = open(log).read().split("\n")
    except Exception: return []
    new = data[seen:-1]; seen += len(new); return new
while p.poll() is None:
    peak = max(peak, rss())
    for l in lines():
        print(f"{peak:6d} MiB | {l[:170]}", flush=True); peak = rss()
    time.sleep(0.02)
for l in lines(): print(f"{peak:6d} MiB | {l[:170]}"); peak = 0
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"exit {p.returncode}  user {r.ru_utime:.2f} sys {r.ru_stime:.2f} cpu {r.ru_utime+r.ru_stime:.2f}  maxrss {r.ru_maxrss/1024:.0f} MiB  load {os.getloadavg()}")
