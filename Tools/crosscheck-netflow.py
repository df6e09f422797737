#!/usr/bin/env python3
"""Independent readings of NetFlow/IPFIX exports, for OriginCheck's cross-check tests.

    crosscheck-netflow.py tshark CAPTURE --port PORT [--port PORT...]
        The flow records tshark's cflow dissector finds in a capture of export packets sent to
        PORT: a JSON list of {"src", "dst", "packets", "octets", "srcport", "dstport", "proto"}
        (null where the record has no such field), in capture order. Options records (no source
        address) are left out.

    crosscheck-netflow.py nfdump DIR --db COUNTRY.mmdb
        Reads what nfcapd stored in DIR with `nfdump -R DIR -o json` and counts flow records,
        packets, bytes and distinct sources per origin, the source address classified as
        Tools/crosscheck-analyze.py does (Python `ipaddress` for special-purpose space, then
        `maxminddb` for the country): {"totals": {...}, "countries": {CC: {...}},
        "special": {...}, "unknown": {...}}, each {"flows", "packets", "bytes", "sources"}.
"""

import argparse
import importlib.util
import json
import os
import subprocess
import sys


def flows_in(tree):
    """Every record object ("Flow N", v5 "pdu N/M") under a cflow layer, in order."""
    for key, value in tree.items():
        if isinstance(value, dict):
            if key.startswith("Flow ") or key.startswith("pdu "):
                yield value
            else:
                yield from flows_in(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    yield from flows_in(item)


def first(record, *names):
    for name in names:
        value = record.get(name)
        if isinstance(value, list):
            value = value[0]
        if value is not None:
            return value
    return None


def as_int(value):
    return None if value is None else int(value)


def tshark(capture, ports):
    arguments = ["tshark", "-r", capture, "-T", "json", "--no-duplicate-keys"]
    for port in ports:
        arguments += ["-d", f"udp.port=={port},cflow"]
    out = subprocess.run(arguments, check=True, capture_output=True, text=True).stdout
    records = []
    for frame in json.loads(out or "[]"):
        layers = frame["_source"]["layers"]
        cflows = layers.get("cflow")
        if cflows is None:
            continue
        for cflow in cflows if isinstance(cflows, list) else [cflows]:
            for flow in flows_in(cflow):
                src = first(flow, "cflow.srcaddr", "cflow.srcaddrv6")
                if src is None:
                    continue
                records.append({
                    "src": src,
                    "dst": first(flow, "cflow.dstaddr", "cflow.dstaddrv6"),
                    "packets": as_int(first(flow, "cflow.packets", "cflow.packets64", "cflow.total_packets64")),
                    "octets": as_int(first(flow, "cflow.octets", "cflow.octets64", "cflow.total_octets64")),
                    "srcport": as_int(first(flow, "cflow.srcport")),
                    "dstport": as_int(first(flow, "cflow.dstport")),
                    "proto": as_int(first(flow, "cflow.protocol")),
                })
    return records


def load_classifier(db):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "crosscheck-analyze.py")
    spec = importlib.util.spec_from_file_location("crosscheck_analyze", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Classifier(db)


def nfdump(directory, db):
    out = subprocess.run(["nfdump", "-R", directory, "-o", "json"], check=True, capture_output=True, text=True).stdout
    flows = json.loads(out) if out.strip().startswith("[") else []
    classifier = load_classifier(db)

    def zero():
        return {"flows": 0, "packets": 0, "bytes": 0, "sources": 0}

    result = {"totals": zero(), "countries": {}, "special": zero(), "unknown": zero()}
    seen = set()
    for flow in flows:
        if flow.get("type") != "FLOW":
            continue
        src = flow.get("src4_addr") or flow.get("src6_addr")
        kind, code = classifier.origin(src)
        bucket = result["countries"].setdefault(code, zero()) if kind == "country" else result[kind]
        for b in (bucket, result["totals"]):
            b["flows"] += 1
            b["packets"] += int(flow.get("in_packets", 0))
            b["bytes"] += int(flow.get("in_bytes", 0))
            if src not in seen:
                b["sources"] += 1
        seen.add(src)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("tshark")
    t.add_argument("capture")
    t.add_argument("--port", type=int, action="append", required=True)
    n = sub.add_parser("nfdump")
    n.add_argument("directory")
    n.add_argument("--db", required=True)
    args = parser.parse_args()
    if args.command == "tshark":
        json.dump(tshark(args.capture, args.port), sys.stdout)
    else:
        json.dump(nfdump(args.directory, args.db), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
