"""Fails when two modules of the library import each other, directly or through others.

    python3 scripts/module_cycles.py

Reads every file under src/ but the binary, drops unit-test modules (`#[cfg(test)] mod tests`)
and comments, and takes each top-level module's `crate::NAME` paths as its dependencies; prints
the strongly connected components of more than one module (Tarjan, 1972) and exits 1 if there is
one. ARCHITECTURE.md gives the allowed directions.
"""

import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")


def dependencies():
    deps = {}
    for dirpath, _, files in os.walk(ROOT):
        if os.path.join(ROOT, "bin") in dirpath:
            continue
        for f in files:
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), ROOT)
            top = rel.split(os.sep)[0].removesuffix(".rs")
            if top in ("lib", "testing"):
                continue
            with open(os.path.join(dirpath, f), encoding="utf-8") as fh:
                text = re.split(r"#\[cfg\(test\)\]\s*mod tests", fh.read())[0]
            text = re.sub(r"//.*", "", text)
            deps.setdefault(top, set()).update(
                d for d in re.findall(r"crate::(\w+)", text) if d != top)
    return deps


def cycles(deps):
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in deps.get(v, ()):
            if w not in deps:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(deps):
        if v not in index:
            visit(v)
    return out


if __name__ == "__main__":
    deps = dependencies()
    found = cycles(deps)
    for comp in found:
        print("modules importing each other:", ", ".join(comp))
        for v in comp:
            print(f"  {v} -> {', '.join(sorted(d for d in deps[v] if d in comp))}")
    if found:
        sys.exit(1)
    print(f"no cycle among {len(deps)} modules")
