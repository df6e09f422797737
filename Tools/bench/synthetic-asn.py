#!/usr/bin/env python3
"""Writes a synthetic ASN CSV (cidr,asn,organisation, the GeoLite2-ASN layout) about the size of a
real ASN database, for benchmarking lookups with a country + ASN pair when no real ASN data is at
hand. The networks and numbers are random (fixed seed): they describe no real network.

    Tools/bench/synthetic-asn.py [--seed S] [--ipv4 N] [--ipv6 M] > bench-data/asn.csv
    origincheck geodb build --asn bench-data/asn.csv --build-date 2026-01-01 -o bench-data/asn.mmdb

IPv4: the whole space cut into about N aligned blocks (/10 to /24), 85% of them with an ASN.
IPv6: about M blocks (/28 to /48) walked upwards from 2001:200::, with random gaps.
"""
import argparse
import ipaddress
import random


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--ipv4", type=int, default=500000, help="about this many IPv4 blocks")
    p.add_argument("--ipv6", type=int, default=150000, help="about this many IPv6 blocks")
    p.add_argument("--asns", type=int, default=70000, help="distinct AS numbers")
    a = p.parse_args()
    rng = random.Random(a.seed)
    asns = rng.sample(range(1, 400000), a.asns)
    out = ["network,autonomous_system_number,autonomous_system_organization"]

    # Mean block size about 2^32 / N: prefix lengths centred on 32 - log2(2^32 / N).
    centre = max(10, min(24, 32 - ((1 << 32) // max(1, a.ipv4)).bit_length() + 1))
    pos = 0
    while pos < 1 << 32:
        align = 32 - ((pos & -pos).bit_length() - 1) if pos else 0
        length = max(align, min(24, max(10, int(rng.gauss(centre, 2)))))
        if rng.random() < 0.85:
            asn = rng.choice(asns)
            out.append(f"{ipaddress.IPv4Address(pos)}/{length},{asn},Synthetic AS{asn}")
        pos += 1 << (32 - length)

    pos = int(ipaddress.IPv6Address("2001:200::"))
    for _ in range(a.ipv6):
        length = rng.randint(28, 48)
        size = 1 << (128 - length)
        pos = (pos + size - 1) // size * size  # align up
        if pos + size > int(ipaddress.IPv6Address("2c00::")):
            break
        asn = rng.choice(asns)
        out.append(f"{ipaddress.IPv6Address(pos)}/{length},{asn},Synthetic AS{asn}")
        pos += size * rng.choice([1, 1, 1, 2, 5])
    print("\n".join(out))


if __name__ == "__main__":
    main()
