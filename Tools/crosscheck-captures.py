#!/usr/bin/env python3
"""Writes test captures for comparing `origincheck analyze` with Tools/crosscheck-analyze.py.

Usage:
    Tools/crosscheck-captures.py mixed OUT.pcap [--count 2000] [--seed 1]
    Tools/crosscheck-captures.py linktypes OUTDIR [--seed 1]

Source addresses are drawn from the ranges of tor's GeoIP files (/usr/share/tor/geoip and
geoip6, from which the default country database is built), from the gaps between them, and
from special-purpose blocks on which Python's `ipaddress` and OriginCheck agree (see
`in_disagreement` in crosscheck-analyze.py). The generator does not decide origins: the
comparison is between the two counters.

`mixed` writes one Ethernet capture: IPv4 and IPv6 from many countries, special-purpose and
unknown sources, IPv4-mapped / 6to4 / Teredo / NAT64 sources, 802.1Q tags, IPv4 and IPv6
fragments, ICMP errors quoting another packet, 6in4 and 4in6 tunnels, ARP and LLDP frames,
padded frames, frames cut by a snap length (wire length kept) and frames cut inside the IP
header.

`linktypes` writes one pcap per link-layer encapsulation OriginCheck decodes, each with a
mix of sources and a few non-IP frames, a pcapng holding two interfaces of different link
types (joined with `mergecap`), and OUTDIR/manifest.json:
    [{"name", "file", "linkType", "truth": path or null}, ...]
For link types scapy cannot dissect (NFLOG), a truth file gives the offset of the IP header in
each record ({"ipOffsets": [...]}, see crosscheck-analyze.py).
"""

import argparse
import bisect
import importlib.util
import ipaddress
import json
import os
import random
import struct
import subprocess
import sys

import logging

logging.getLogger("scapy").setLevel(logging.ERROR)
from scapy.config import conf  # noqa: E402

conf.verb = 0
from scapy.all import (  # noqa: E402
    ARP,
    ICMP,
    IP,
    LLC,
    SNAP,
    TCP,
    UDP,
    CookedLinux,
    CookedLinuxV2,
    Dot1AD,
    Dot1Q,
    Dot3,
    Dot11,
    Dot11Beacon,
    Dot11QoS,
    Ether,
    ICMPv6DestUnreach,
    IPerror,
    IPv6,
    IPv6ExtHdrFragment,
    Loopback,
    LoopbackOpenBSD,
    Padding,
    PPP,
    PPPoE,
    PPPoED,
    RadioTap,
    Raw,
    STP,
    UDPerror,
    fragment,
    fragment6,
    load_contrib,
)
from scapy.utils import RawPcapWriter  # noqa: E402

load_contrib("mpls")
from scapy.contrib.mpls import MPLS  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("crosscheck_analyze", os.path.join(HERE, "crosscheck-analyze.py"))
_analyze = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_analyze)
in_disagreement = _analyze.in_disagreement

TOR_GEOIP = "/usr/share/tor/geoip"
TOR_GEOIP6 = "/usr/share/tor/geoip6"


def usable(address):
    return not in_disagreement(address)


def read_tor(path, parse):
    ranges = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            start, end, cc = line.split(",")
            ranges.append((parse(start), parse(end), cc))
    ranges.sort()
    return ranges


class Pools:
    """Source addresses by category, drawn once per run from tor's GeoIP files."""

    def __init__(self, rng, countries=80, per_country=4):
        v4 = read_tor(TOR_GEOIP, int)
        v6 = read_tor(TOR_GEOIP6, lambda s: int(ipaddress.IPv6Address(s)))
        by_cc = {}
        for r in v4:
            by_cc.setdefault(r[2], []).append(r)
        codes = sorted(c for c in by_cc if c.isalpha() and len(c) == 2)
        chosen = rng.sample(codes, min(countries, len(codes)))
        self.v4 = []
        for cc in chosen:
            for _ in range(per_country):
                start, end, _ = rng.choice(by_cc[cc])
                a = str(ipaddress.IPv4Address(rng.randint(start, end)))
                if usable(a) and ipaddress.ip_address(a).is_global:
                    self.v4.append(a)
        self.v6 = []
        for start, end, _ in rng.sample(v6, 60):
            a = str(ipaddress.IPv6Address(rng.randint(start, end)))
            if usable(a) and ipaddress.ip_address(a).is_global:
                self.v6.append(a)
        # Addresses in gaps between tor's IPv4 ranges: global space with no country.
        self.unknown = []
        starts = [r[0] for r in v4]
        for _ in range(2000):
            if len(self.unknown) >= 12:
                break
            n = rng.randint(1 << 24, (224 << 24) - 1)
            i = bisect.bisect_right(starts, n) - 1
            if i >= 0 and v4[i][1] >= n:
                continue
            a = str(ipaddress.IPv4Address(n))
            if usable(a) and ipaddress.ip_address(a).is_global:
                self.unknown.append(a)
        self.special4 = ["10.1.2.3", "10.200.0.7", "192.168.1.10", "172.16.5.5", "127.0.0.1", "169.254.10.20",
                         "100.64.3.4", "0.0.0.0", "198.18.0.9", "192.0.2.44", "203.0.113.7", "240.1.2.3",
                         "224.0.0.251", "255.255.255.255"]
        self.special6 = ["fe80::1", "fe80::abcd:1234", "fd12:3456::9", "::1", "::", "ff02::fb", "2001:db8::42",
                         "::ffff:10.9.8.7"]
        for a in self.special4 + self.special6:
            assert usable(a), a
        self.embedded = []
        for a in rng.sample(self.v4, 8):
            n = int(ipaddress.IPv4Address(a))
            self.embedded += [
                f"::ffff:{a}",
                str(ipaddress.IPv6Address((0x2002 << 112) | (n << 80) | 1)),
                str(ipaddress.IPv6Address((0x20010000 << 96) | (0x41366378 << 64) | (n ^ 0xFFFFFFFF))),
                str(ipaddress.IPv6Address((0x0064FF9B << 96) | n)),
            ]

    def pick(self, rng, weights):
        """A source: weights over v4, v6, special4, special6, embedded, unknown."""
        kinds = ["v4", "v6", "special4", "special6", "embedded", "unknown"]
        kind = rng.choices(kinds, weights)[0]
        return rng.choice(getattr(self, kind))


def ip_packet(rng, src, dst=None, size=None):
    """An IPv4 or IPv6 packet (by the source's family) with a TCP, UDP or ICMP payload."""
    size = size if size is not None else rng.choice([0, 0, 20, 60, 200, 512, 1200])
    body = Raw(bytes(rng.getrandbits(8) for _ in range(size))) if size else None
    if ":" in src:
        packet = IPv6(src=src, dst=dst or "2a00:1450:4001::5", hlim=rng.randint(30, 64))
    else:
        packet = IP(src=src, dst=dst or "93.184.216.34", ttl=rng.randint(30, 128), id=rng.getrandbits(16))
    transport = rng.choice(
        [TCP(sport=rng.randint(1024, 65535), dport=443, flags="S"), UDP(sport=rng.randint(1024, 65535), dport=53),
         ICMP() if ":" not in src else UDP(sport=5353, dport=5353)])
    packet = packet / transport
    if body is not None:
        packet = packet / body
    return packet


class Writer:
    """A pcap writer of raw frames with explicit wire lengths and increasing timestamps."""

    def __init__(self, path, linktype, start=1_700_000_000.0):
        self.w = RawPcapWriter(path, linktype=linktype, sync=True)
        self.w.linktype = linktype  # RawPcapWriter ignores a falsy linktype (LINKTYPE_NULL is 0)
        self.w.write_header(None)
        self.t = start
        self.count = 0

    def write(self, frame, wirelen=None, caplen=None):
        data = bytes(frame)
        wirelen = wirelen if wirelen is not None else len(data)
        if caplen is not None:
            data = data[:caplen]
        self.t += 0.001
        sec = int(self.t)
        self.w.write_packet(data, sec=sec, usec=int(round((self.t - sec) * 1e6)), wirelen=wirelen)
        self.count += 1

    def close(self):
        self.w.close()


def mixed(path, count, seed):
    rng = random.Random(seed)
    pools = Pools(rng)
    # Each source sends a few packets: a heavy-tailed reuse of a fixed set of sources.
    active = [pools.pick(rng, [70, 12, 6, 3, 4, 2]) for _ in range(600)]
    w = Writer(path, 1)
    mac = dict(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
    while w.count < count:
        src = active[min(int(rng.paretovariate(1.2)) - 1, len(active) - 1)] if rng.random() < 0.5 else rng.choice(active)
        r = rng.random()
        if r < 0.03:
            w.write(Ether(dst="ff:ff:ff:ff:ff:ff", src=mac["src"]) / ARP(psrc="10.0.0.1", pdst="10.0.0.2"))
        elif r < 0.04:
            w.write(Ether(dst="01:80:c2:00:00:0e", src=mac["src"], type=0x88CC) / Raw(b"\x02\x07\x04" + bytes(20)))
        elif r < 0.08:
            # Fragments of one datagram, each on its own frame.
            if ":" in src:
                frags = fragment6(IPv6(src=src, dst="2a00:1450:4001::5") / IPv6ExtHdrFragment() / UDP(dport=53)
                                  / Raw(bytes(3000)), 1280)
            else:
                frags = fragment(IP(src=src, dst="93.184.216.34") / UDP(dport=53) / Raw(bytes(3000)), fragsize=1000)
            for f in frags:
                w.write(Ether(**mac) / f)
        elif r < 0.10:
            # An ICMP error from a router quoting a packet with another source.
            inner = rng.choice(pools.v4)
            if ":" in src:
                w.write(Ether(**mac) / IPv6(src=src, dst="2a00:1450:4001::5") / ICMPv6DestUnreach()
                        / IPv6(src=rng.choice(pools.v6), dst=src) / UDP())
            else:
                w.write(Ether(**mac) / IP(src=src, dst="93.184.216.34") / ICMP(type=3, code=1)
                        / IPerror(src=inner, dst="8.8.8.8") / UDPerror(sport=1234, dport=53))
        elif r < 0.12:
            # Tunnels: 6in4 and 4in6; the outer header is the source.
            if ":" in src:
                w.write(Ether(**mac) / IPv6(src=src, dst="2a00:1450:4001::5") / IP(src=rng.choice(pools.v4)) / UDP())
            else:
                w.write(Ether(**mac) / IP(src=src, dst="93.184.216.34") / IPv6(src=rng.choice(pools.v6)) / UDP())
        elif r < 0.17:
            w.write(Ether(**mac) / Dot1Q(vlan=rng.randint(1, 4094)) / ip_packet(rng, src))
        elif r < 0.20:
            # Short packets padded to the Ethernet minimum, as on the wire.
            p = ip_packet(rng, src, size=0)
            frame = Ether(**mac) / p
            pad = max(0, 60 - len(frame))
            w.write(frame / Padding(b"\0" * pad) if pad else frame)
        elif r < 0.23:
            # Cut by a snap length: the IP header is complete, the wire length is kept.
            frame = Ether(**mac) / ip_packet(rng, src, size=1200)
            w.write(frame, caplen=14 + (60 if ":" in src else 34))
        elif r < 0.235:
            # Cut inside the IP header: no usable source.
            frame = Ether(**mac) / ip_packet(rng, src, size=100)
            w.write(frame, caplen=14 + 12)
        else:
            w.write(Ether(**mac) / ip_packet(rng, src))
    w.close()


def nflog_frame(rng, ip):
    """A LINKTYPE_NFLOG record (little-endian TLVs) and the offset of its IP header."""
    family = 10 if isinstance(ip, IPv6) else 2
    header = struct.pack("<BBH", family, 0, struct.unpack("<H", struct.pack(">H", 5))[0])

    def tlv(t, value):
        body = struct.pack("<HH", 4 + len(value), t) + value
        return body + b"\0" * ((-len(body)) % 4)

    prefix = tlv(1, struct.pack(">HBB", 0x0800 if family == 2 else 0x86DD, 0, 0))  # NFULA_PACKET_HDR
    prefix += tlv(10, b"origincheck\0")  # NFULA_PREFIX
    offset = len(header) + len(prefix) + 4
    payload = bytes(ip)
    return header + prefix + tlv(9, payload) + tlv(16, struct.pack(">I", 1000)), offset


def linktypes(outdir, seed):
    rng = random.Random(seed)
    pools = Pools(rng, countries=40, per_country=2)
    os.makedirs(outdir, exist_ok=True)
    manifest = []

    def sources(n=30, v6=True):
        weights = [60, 20, 8, 6, 4, 2] if v6 else [70, 0, 15, 0, 0, 5]
        return [pools.pick(rng, weights) for _ in range(n)]

    def capture(name, linktype, frame_of, extra=(), v6=True, truth=False):
        path = os.path.join(outdir, f"{name}.pcap")
        w = Writer(path, linktype)
        offsets = []
        items = [("ip", s) for s in sources(v6=v6)] + [("extra", e) for e in extra]
        rng.shuffle(items)
        for kind, item in items:
            if kind == "ip":
                result = frame_of(ip_packet(rng, item))
            else:
                result = item
            if truth:
                frame, offset = result if isinstance(result, tuple) else (result, None)
                offsets.append(offset)
            else:
                frame = result
            w.write(frame)
        w.close()
        truth_path = None
        if truth:
            truth_path = path + ".truth.json"
            with open(truth_path, "w") as f:
                json.dump({"ipOffsets": offsets}, f)
        manifest.append(dict(name=name, file=path, linkType=linktype, truth=truth_path))
        return path

    eth = dict(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
    arp = Ether(dst="ff:ff:ff:ff:ff:ff", src=eth["src"]) / ARP(psrc="10.0.0.1", pdst="10.0.0.2")
    etype = lambda p: 0x86DD if isinstance(p, IPv6) else 0x0800  # noqa: E731
    ppp_proto = lambda p: 0x0057 if isinstance(p, IPv6) else 0x0021  # noqa: E731

    ethernet = capture("ethernet", 1, lambda p: Ether(**eth) / p, [arp])
    capture("ethernet-vlan", 1, lambda p: Ether(**eth) / Dot1Q(vlan=100) / p, [Ether(**eth) / Dot1Q(vlan=7) / arp.payload])
    capture("ethernet-qinq", 1, lambda p: Ether(**eth) / Dot1AD(vlan=10) / Dot1Q(vlan=20) / p, [arp])
    capture("ethernet-mpls", 1, lambda p: Ether(**eth) / MPLS(label=100, s=0) / MPLS(label=200, s=1) / p, [arp])
    capture("ethernet-pppoe", 1, lambda p: Ether(**eth) / PPPoE(sessionid=1) / PPP(proto=ppp_proto(p)) / p,
            [Ether(**eth) / PPPoED()])
    capture("ethernet-llc-snap", 1,
            lambda p: Dot3(**eth) / LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=0, code=etype(p)) / p,
            [Dot3(dst="01:80:c2:00:00:00", src=eth["src"]) / LLC(dsap=0x42, ssap=0x42, ctrl=3) / STP()])
    capture("linux-sll", 113, lambda p: CookedLinux(pkttype=0, lladdrtype=1, lladdrlen=6, src=b"\x02\0\0\0\0\1\0\0",
                                                     proto=etype(p)) / p,
            [CookedLinux(lladdrtype=1, lladdrlen=6, proto=0x0806) / ARP()])
    sll2 = capture("linux-sll2", 276, lambda p: CookedLinuxV2(proto=etype(p), ifindex=2, lladdrtype=1, pkttype=0,
                                                               lladdrlen=6, src=b"\x02\0\0\0\0\1\0\0") / p,
                   [CookedLinuxV2(proto=0x0806, ifindex=2, lladdrtype=1, lladdrlen=6) / ARP()])
    capture("raw", 101, lambda p: p)
    capture("ipv4", 228, lambda p: p, v6=False)
    path = os.path.join(outdir, "ipv6.pcap")
    w = Writer(path, 229)
    for s in [pools.pick(rng, [0, 60, 0, 15, 10, 0]) for _ in range(30)]:
        w.write(ip_packet(rng, s))
    w.close()
    manifest.append(dict(name="ipv6", file=path, linkType=229, truth=None))
    families6 = [10, 24, 28, 30]
    capture("null", 0, lambda p: Loopback(type=rng.choice(families6) if isinstance(p, IPv6) else 2) / p,
            [Loopback(type=7) / Raw(bytes(20))])
    capture("loop", 108, lambda p: LoopbackOpenBSD(type=rng.choice(families6) if isinstance(p, IPv6) else 2) / p,
            [LoopbackOpenBSD(type=7) / Raw(bytes(20))])
    capture("ppp", 9,
            lambda p: (b"\xff\x03" if rng.random() < 0.5 else b"") + struct.pack(">H", ppp_proto(p)) + bytes(p),
            [b"\xff\x03\xc0\x21\x01\x01\x00\x04"])
    capture("c-hdlc", 104, lambda p: struct.pack(">BBH", 0x0F, 0, etype(p)) + bytes(p),
            [struct.pack(">BBH", 0x8F, 0, 0x8035) + bytes(20)])
    wlan = lambda p: (  # noqa: E731
        Dot11(type=2, subtype=0, FCfield=0x01, addr1="02:00:00:00:00:02", addr2="02:00:00:00:00:01",
              addr3="02:00:00:00:00:03")
        / LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=0, code=etype(p)) / p)
    wlan_qos = lambda p: (  # noqa: E731
        Dot11(type=2, subtype=8, FCfield=0x02, addr1="02:00:00:00:00:02", addr2="02:00:00:00:00:01",
              addr3="02:00:00:00:00:03")
        / Dot11QoS() / LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=0, code=etype(p)) / p)
    beacon = Dot11(type=0, subtype=8, addr1="ff:ff:ff:ff:ff:ff", addr2="02:00:00:00:00:01",
                   addr3="02:00:00:00:00:01") / Dot11Beacon()
    protected = Dot11(type=2, subtype=0, FCfield=0x41, addr1="02:00:00:00:00:02",
                      addr2="02:00:00:00:00:01", addr3="02:00:00:00:00:03") / Raw(bytes(range(40)))
    capture("ieee802-11", 105, lambda p: wlan(p) if rng.random() < 0.5 else wlan_qos(p), [beacon, protected])
    capture("ieee802-11-radiotap", 127, lambda p: RadioTap() / (wlan(p) if rng.random() < 0.5 else wlan_qos(p)),
            [RadioTap() / beacon])
    nflog_no_payload = (struct.pack("<BBH", 2, 0, 5) + struct.pack("<HH", 8, 1) + bytes(4), None)
    capture("nflog", 239, lambda p: nflog_frame(rng, p), [nflog_no_payload], truth=True)

    # One pcapng with two interfaces of different link types.
    pcapng = os.path.join(outdir, "two-interfaces.pcapng")
    subprocess.run(["mergecap", "-F", "pcapng", "-w", pcapng, ethernet, sll2], check=True)
    manifest.append(dict(name="two-interfaces", file=pcapng, linkType=None, truth=None))

    with open(os.path.join(outdir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("mixed")
    m.add_argument("output")
    m.add_argument("--count", type=int, default=2000)
    m.add_argument("--seed", type=int, default=1)
    lt = sub.add_parser("linktypes")
    lt.add_argument("outdir")
    lt.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for path in (TOR_GEOIP, TOR_GEOIP6):
        if not os.path.exists(path):
            sys.exit(f"{path} is missing: install tor-geoipdb (Tools/setup does)")
    if args.command == "mixed":
        mixed(args.output, args.count, args.seed)
    else:
        linktypes(args.outdir, args.seed)


if __name__ == "__main__":
    main()
