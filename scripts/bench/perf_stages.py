#!/usr/bin/env python3
"""CPU samples of a `perf record -g` of `mlaudit run` by stage (issue 13; docs/benchmarks.md).

usage: perf_stages.py PERF_DATA

A sample belongs to the stage whose module appears in its call chain (Ingest's parser thread
apart); a sample without one (libsqlite3 has no frame pointers, so its frames lose their callers)
belongs to the stage of the last attributed sample before it; the background checkpoint's
thread is counted apart. Prints samples, share, the kernel's
part and the stage's wall span, then each stage's top leaf symbols. Needs the `perf` tool only.
"""
import sys, subprocess, collections
f = sys.argv[1]
out = subprocess.run(["perf","script","-i",f,"-F","comm,tid,time,ip,sym"], capture_output=True, text=True).stdout
samples=[]; cur=[]
for line in out.split("\n"):
    if not line.strip():
        if cur: samples.append(cur); cur=[]
        continue
    cur.append(line.strip())
if cur: samples.append(cur)
rules=[("ingest-parser","SnapshotProducer"),("ingest","6Ingest"),("validate","8Validate"),("profile","7Profile"),("compare","7Compare"),("render","6Render")]
# The background checkpoint's thread (docs/warehouse.md): its frames are libsqlite3's, which
# lose their callers, so the whole thread is counted once one of its samples names it.
ckpt={s[0].split()[1] for s in samples if "BackgroundCheckpoint" in " ".join(s[1:])}
c=collections.Counter(); leaf=collections.defaultdict(collections.Counter); kern=collections.Counter()
last="startup"; spans={}
for s in samples:
    hdr=s[0].split(); t=float(hdr[2].rstrip(':'))
    stack=" ".join(s[1:])
    st="checkpoint" if hdr[1] in ckpt else None
    for name,pat in ([] if st else rules):
        if pat in stack: st=name; break
    if st is None: st=last+"*"
    elif st not in ("ingest-parser","checkpoint"): last=st
    base=st.rstrip("*")
    if base not in spans: spans[base]=[t,t]
    spans[base][1]=t
    c[base]+=1
    sym=" ".join(s[1].split()[1:])[:100] if len(s)>1 else "?"
    leaf[base][sym]+=1
    if len(s)>1 and s[1].split()[0].startswith("ffffffff"): kern[base]+=1
tot=sum(c.values())
print("total samples",tot, "(x", sys.argv[2] if len(sys.argv)>2 else "1/499", "s)")
for k,v in c.most_common(): print(f"{k:16s} {v:6d} {100*v/tot:5.1f}%  kernel {100*kern[k]/max(v,1):4.1f}%  span {spans[k][1]-spans[k][0]:6.2f}s")
for k,_ in c.most_common():
    print("==",k)
    for sym,v in leaf[k].most_common(15): print(f"   {100*v/tot:5.2f}% {sym}")
