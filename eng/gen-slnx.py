#!/usr/bin/env python3
"""Regenerates OpenChoreo.slnx from the projects under src/, tests/ and bench/ (run after adding a project or merging)."""
import os
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
lines = ["<Solution>"]
for folder in ("src", "tests", "bench"):
    projects = []
    base = os.path.join(root, folder)
    if not os.path.isdir(base):
        continue
    for name in sorted(os.listdir(base)):
        csproj = os.path.join(base, name, name + ".csproj")
        if os.path.isfile(csproj):
            projects.append(f"{folder}/{name}/{name}.csproj")
    if projects:
        lines.append(f'  <Folder Name="/{folder}/">')
        lines += [f'    <Project Path="{p}" />' for p in projects]
        lines.append("  </Folder>")
lines.append("</Solution>")
open(os.path.join(root, "OpenChoreo.slnx"), "w").write("\n".join(lines) + "\n")
