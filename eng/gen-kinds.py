#!/usr/bin/env python3
"""Regenerates src/OpenChoreo.Model/Kinds/kinds.json from the upstream v0.8 CRDs.

The platform does not ship upstream's CRD files; it ships this compact description of each kind (names, scope,
printer columns and the OpenAPI schema) derived from them. Run after the conformance CRDs change:
    python3 eng/gen-kinds.py ../shared/conformance/openchoreo-v0.8/crds > src/OpenChoreo.Model/Kinds/kinds.json
"""
import json, sys, os, yaml

def main(crd_dir):
    kinds = []
    for f in sorted(os.listdir(crd_dir)):
        if not f.endswith(".yaml"):
            continue
        crd = yaml.safe_load(open(os.path.join(crd_dir, f)))
        spec = crd["spec"]
        names = spec["names"]
        version = next(v for v in spec["versions"] if v.get("storage"))
        kinds.append({
            "group": spec["group"],
            "version": version["name"],
            "kind": names["kind"],
            "listKind": names.get("listKind", names["kind"] + "List"),
            "plural": names["plural"],
            "singular": names.get("singular", names["kind"].lower()),
            "shortNames": names.get("shortNames", []),
            "namespaced": spec["scope"] == "Namespaced",
            "statusSubresource": "status" in (version.get("subresources") or {}),
            "printerColumns": version.get("additionalPrinterColumns", []),
            "schema": version["schema"]["openAPIV3Schema"],
        })
    json.dump(kinds, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")

if __name__ == "__main__":
    main(sys.argv[1])
