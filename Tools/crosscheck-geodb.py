#!/usr/bin/env python3
"""Checks a country database built by `origincheck geodb build` against its Tor geoip sources.

Two independent readers answer for every probe address: Python's `maxminddb` and libmaxminddb's
`mmdblookup` command. Both must give the country the Tor source range says (after the same code
normalisation the builder documents: UK is GB; `??`, EU, AP and withdrawn codes have no country).

Probes: N uniformly random addresses per family (IPv6: half uniform over 2000::/3, half inside
source ranges), plus the first and last address of R random source ranges per family.
Exit status 0 when every answer agrees, 1 otherwise (mismatches listed).
"""
import argparse
import bisect
import ipaddress
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import maxminddb

ALIASES = {"UK": "GB", "EL": "GR", "FX": "FR", "BU": "MM", "TP": "TL", "ZR": "CD"}
NOT_COUNTRIES = {"??", "EU", "AP", "AN", "CS", "SU", "YU", "A1", "A2", "O1", "ZZ", "XX", "T1", "A3", "XD"}


def expected_code(code):
    code = ALIASES.get(code, code)
    return None if code in NOT_COUNTRIES or not code.isalpha() or len(code) != 2 else code


def read_tor(path, v6):
    starts, ends, codes = [], [], []
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            lo, hi, cc = line.strip().split(",")
            if v6:
                lo, hi = int(ipaddress.IPv6Address(lo)), int(ipaddress.IPv6Address(hi))
            else:
                lo, hi = int(lo), int(hi)
            starts.append(lo)
            ends.append(hi)
            codes.append(cc)
    order = sorted(range(len(starts)), key=starts.__getitem__)
    return [starts[i] for i in order], [ends[i] for i in order], [codes[i] for i in order]


def source_country(table, value):
    starts, ends, codes = table
    i = bisect.bisect_right(starts, value) - 1
    if i >= 0 and value <= ends[i]:
        return expected_code(codes[i])
    return None


def mmdblookup_country(db, address):
    out = subprocess.run(
        ["mmdblookup", "--file", db, "--ip", address, "country", "iso_code"],
        capture_output=True, text=True, check=False)
    if "Could not find an entry" in out.stderr or "lookup path does not match" in out.stderr:
        return None
    if out.returncode != 0:
        return ("error", out.stderr.strip())
    for token in out.stdout.split():
        if token.startswith('"'):
            return token.strip('"')
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", required=True)
    ap.add_argument("--tor", default="/usr/share/tor/geoip")
    ap.add_argument("--tor6", default="/usr/share/tor/geoip6")
    ap.add_argument("--samples", type=int, default=10000)
    ap.add_argument("--ranges", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20250310)
    ap.add_argument("--jobs", type=int, default=4)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    v4 = read_tor(args.tor, False)
    v6 = read_tor(args.tor6, True)
    probes = []  # (address text, expected country)
    for _ in range(args.samples):
        a = rng.getrandbits(32)
        probes.append((str(ipaddress.IPv4Address(a)), source_country(v4, a)))
    for i in range(args.samples):
        if i % 2 == 0:
            a = (1 << 125) | rng.getrandbits(125)  # 2000::/3
        else:
            j = rng.randrange(len(v6[0]))
            a = rng.randint(v6[0][j], v6[1][j])
        probes.append((str(ipaddress.IPv6Address(a)), source_country(v6, a)))
    for table, v6family in ((v4, False), (v6, True)):
        cls = ipaddress.IPv6Address if v6family else ipaddress.IPv4Address
        for j in rng.sample(range(len(table[0])), min(args.ranges, len(table[0]))):
            for a in (table[0][j], table[1][j]):
                probes.append((str(cls(a)), source_country(table, a)))

    reader = maxminddb.open_database(args.db)
    mismatches = []
    for address, want in probes:
        rec = reader.get(address)
        got = (rec or {}).get("country", {}).get("iso_code")
        if got != want:
            mismatches.append(f"maxminddb {address}: database {got}, source {want}")

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        answers = list(pool.map(lambda p: mmdblookup_country(args.db, p[0]), probes))
    for (address, want), got in zip(probes, answers):
        if got != want:
            mismatches.append(f"mmdblookup {address}: database {got}, source {want}")

    with_country = sum(1 for _, w in probes if w)
    print(f"crosscheck-geodb: {len(probes)} probes ({with_country} with a country) through maxminddb and "
          f"mmdblookup: {len(mismatches)} mismatches")
    for m in mismatches[:50]:
        print("  " + m)
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
