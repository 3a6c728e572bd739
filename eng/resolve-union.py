#!/usr/bin/env python3
"""Resolves git conflict blocks by keeping both sides (for list files like OpenChoreo.slnx). Usage: resolve-union.py FILE..."""
import sys
for path in sys.argv[1:]:
    out, seen = [], set()
    for line in open(path):
        if line.startswith(("<<<<<<<", "=======", ">>>>>>>")):
            continue
        key = line.strip()
        if key.startswith(("<Project ", "<PackageVersion ")):
            if key in seen:
                continue
            seen.add(key)
        out.append(line)
    open(path, "w").writelines(out)
