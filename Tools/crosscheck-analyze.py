#!/usr/bin/env python3
"""Counts where the packets of a capture came from, independently of OriginCheck.

Usage:
    Tools/crosscheck-analyze.py --db COUNTRY.mmdb [--truth TRUTH.json] CAPTURE
    Tools/crosscheck-analyze.py --db COUNTRY.mmdb [--truth CAPTURE=TRUTH.json ...] CAPTURE...

Prints one JSON object per capture to compare with `origincheck analyze --format json` (with
several captures, an object that maps each capture path to its result; each is counted on its own):

    {"totals":    {"records", "ipPackets", "ipv4Packets", "ipv6Packets", "nonIPPackets",
                   "wireBytes", "ipBytes", "sources"},
     "countries": {"UA": {"packets", "wireBytes", "ipBytes", "sources"}, ...},
     "special":   {"packets", "wireBytes", "ipBytes", "sources"},
     "unknown":   {"packets", "wireBytes", "ipBytes", "sources"},
     "linkTypes": {"1": records, ...}}

Nothing here shares code or tables with OriginCheck. The definitions:

Reading. The capture is read with scapy's RawPcapReader, which also reads pcapng
(RawPcapNgReader, one link type per interface). A gzip-compressed capture (magic 1f 8b) is
first decompressed with Python's gzip module into a temporary file. Every record counts in
`records` and in `linkTypes`.

Dissection. Each record is dissected with the scapy layer class that `conf.l2types` names for
its link type. Additions to what scapy does by itself:
  - MPLS (scapy.contrib.mpls) is loaded, so EtherType 0x8847/0x8848 dissects.
  - BSD loopback (LINKTYPE_NULL 0, LINKTYPE_LOOP 108): scapy knows AF_INET6 only as Linux's 10;
    the BSD values 24, 28 and 30 (tcpdump's LINKTYPE_NULL page) are bound to IPv6 as well.
  - Cisco HDLC (LINKTYPE_C_HDLC 104) has no scapy layer: its 4-byte header (address, control,
    EtherType) is rewritten as an Ethernet header with the same EtherType, and scapy's Ether
    dissects the rest.
  - Link types scapy cannot dissect at all (LINKTYPE_NFLOG 239, for one) need a truth file
    (`--truth`) written by whoever made the capture: {"ipOffsets": [N or null, ...]}, one entry per
    record in file order, the byte offset of the outermost IP header in that record or null for a
    record that carries none. Records of such a link type are dissected by scapy from that
    offset with IP or IPv6 (by the version nibble). Without a truth file they are an error.
The packet's source is that of the FIRST IP or IPv6 layer in the dissection (scapy's
layer order is outermost first), so a tunnelled packet or an ICMP error's quoted header
(scapy's IPerror/IPerror6, subclasses of IP/IPv6) never stands in for the outer header.

IP packets. A record is an IP packet when that first IP/IPv6 layer's fixed header is entirely
captured (20 bytes for IPv4, 40 for IPv6), the IPv4 header length is at least 5 words and its
total length is 0 or at least the header length. Every other record (ARP, non-IP
EtherTypes, management frames, cut-off headers, ...) counts in `nonIPPackets` only.

Bytes. wireBytes is the record's length on the wire (the pcap/pcapng original length field,
which is what scapy exposes as `wirelen`). ipBytes is the IPv4 total-length field, or, when
that field is 0 (segmentation offload), the captured bytes from the IPv4 header on; for
IPv6 it is 40 + the payload-length field.

Origins. The source is classified with Python's `ipaddress`:
  1. IPv6 forms that carry an IPv4 address are replaced by that address first: IPv4-mapped
     (`ipv4_mapped`), 6to4 (`sixtofour`), Teredo (`teredo`, the client address) and the
     NAT64 well-known prefix 64:ff9b::/96 (the last 32 bits).
  2. The address (or the embedded one) is "special" when `not is_global or is_multicast`.
  3. Otherwise it is looked up with the `maxminddb` module: `country.iso_code` of the record
     gives the country; no record or no country gives "unknown".
`sources` counts distinct source addresses as written in the packets (::ffff:1.2.3.4 and
1.2.3.4 are two sources).

Special-purpose space: where Python and OriginCheck differ. Python's `is_global` follows
its own copy of the IANA registries, which varies with the Python version, and OriginCheck
also treats all IPv6 outside 2000::/3 as reserved. Compare only the total over all
special kinds, and keep test captures away from these blocks, where the two disagree with
at least one Python version (3.11: all of them):
  - 192.0.0.0/24 outside 192.0.0.0/29, 192.0.0.170/31 and the globally reachable
    192.0.0.9 and 192.0.0.10 (OriginCheck: ietf-protocol; older Python: global)
  - 2001::/23 sub-allocations that are globally reachable: 2001:1::1-3, 2001:3::/32,
    2001:4:112::/48, 2001:20::/28, 2001:30::/28 (OriginCheck: looked up; older Python: special)
  - 3fff::/20, 5f00::/16, 64:ff9b:1::/48, 100:0:0:1::/64 (OriginCheck: special; older Python:
    global)
  - IPv6 outside 2000::/3 that no registry entry names, IPv4-compatible ::a.b.c.d included
    (OriginCheck: reserved; Python: global)
`in_disagreement()` below tells generators of test captures which sources to avoid.
"""

import argparse
import gzip
import ipaddress
import json
import os
import shutil
import struct
import sys
import tempfile

# Blocks where Python's is_global (for some Python version) and OriginCheck's special-purpose
# table disagree. Test captures must not use sources in them.
DISAGREEMENTS = [ipaddress.ip_network(n) for n in ["192.0.0.0/24", "2001::/23", "3fff::/20", "5f00::/16"]]
# IPv6 outside 2000::/3 disagrees too (OriginCheck: reserved), except these blocks, where both
# agree: special for both, or an embedded IPv4 address looked up by both. Teredo (2001::/32)
# is unwrapped by both.
IPV6_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
AGREEMENTS = [
    ipaddress.ip_network(n)
    for n in ["::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "100::/64", "2001::/32", "fc00::/7", "fe80::/10",
              "ff00::/8"]
]


def in_disagreement(address):
    """Whether `address` lies where Python and OriginCheck may classify it differently."""
    a = ipaddress.ip_address(address)
    if any(a.version == n.version and a in n for n in AGREEMENTS):
        return False
    if a.version == 6 and a not in IPV6_GLOBAL_UNICAST:
        return True
    return any(a.version == n.version and a in n for n in DISAGREEMENTS)


def embedded_ipv4(a):
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo client, NAT64), or None."""
    if a.version != 6:
        return None
    if a.ipv4_mapped is not None:
        return a.ipv4_mapped
    if a.sixtofour is not None:
        return a.sixtofour
    if a.teredo is not None:
        return a.teredo[1]
    if a in ipaddress.ip_network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(a) & 0xFFFFFFFF)
    return None


class Classifier:
    def __init__(self, db_path):
        import maxminddb

        self.reader = maxminddb.open_database(db_path)
        self.cache = {}

    def origin(self, address):
        """("special", None), ("country", "UA") or ("unknown", None)."""
        if address in self.cache:
            return self.cache[address]
        a = ipaddress.ip_address(address)
        target = embedded_ipv4(a) or a
        if not target.is_global or target.is_multicast:
            result = ("special", None)
        else:
            record = self.reader.get(str(target))
            code = ((record or {}).get("country") or {}).get("iso_code")
            result = ("country", code) if code else ("unknown", None)
        self.cache[address] = result
        return result


_scapy = None


def load_scapy():
    global _scapy
    if _scapy is None:
        _scapy = _load_scapy()
    return _scapy


def _load_scapy():
    import logging

    logging.getLogger("scapy").setLevel(logging.ERROR)  # no warnings about payloads it half-dissects
    from scapy.config import conf

    conf.verb = 0
    from scapy.all import IP, IPv6, Ether, Loopback, LoopbackOpenBSD, bind_layers, load_contrib

    load_contrib("mpls")
    for family in (24, 28, 30):
        bind_layers(Loopback, IPv6, type=family)
        bind_layers(LoopbackOpenBSD, IPv6, type=family)
    return conf, IP, IPv6, Ether


def open_capture(path, tmpdir):
    """A path scapy can read: gzip input is decompressed into `tmpdir` first."""
    with open(path, "rb") as f:
        magic = f.read(2)
    if magic != b"\x1f\x8b":
        return path
    out = os.path.join(tmpdir, "capture")
    with gzip.open(path, "rb") as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return out


def first_ip_layer(packet, IP, IPv6):
    layer = packet
    while layer is not None and layer.__class__.__name__ != "NoPayload":
        if isinstance(layer, (IP, IPv6)):
            return layer
        layer = layer.payload
    return None


def analyze(path, db_path, truth_path=None):
    conf, IP, IPv6, Ether = load_scapy()
    from scapy.utils import RawPcapReader

    classifier = Classifier(db_path)
    offsets = None
    if truth_path:
        with open(truth_path) as f:
            offsets = json.load(f)["ipOffsets"]

    totals = dict(records=0, ipPackets=0, ipv4Packets=0, ipv6Packets=0, nonIPPackets=0, wireBytes=0, ipBytes=0)
    countries, special, unknown = {}, {}, {}
    sources = {"all": set(), "special": set(), "unknown": set()}
    link_types = {}

    def bump(table, key, wire, ip_bytes, source):
        c = table.setdefault(key, dict(packets=0, wireBytes=0, ipBytes=0, sources=set()))
        c["packets"] += 1
        c["wireBytes"] += wire
        c["ipBytes"] += ip_bytes
        c["sources"].add(source)

    with tempfile.TemporaryDirectory() as tmp:
        reader = RawPcapReader(open_capture(path, tmp))
        file_linktype = getattr(reader, "linktype", None)
        index = -1
        for data, meta in reader:
            index += 1
            linktype = getattr(meta, "linktype", None)
            if linktype is None:
                linktype = file_linktype
            wire = meta.wirelen if meta.wirelen is not None else len(data)
            totals["records"] += 1
            link_types[str(linktype)] = link_types.get(str(linktype), 0) + 1

            ip_layer = None
            layer_class = conf.l2types.get(linktype)
            if linktype == 104:
                if len(data) >= 4:
                    ip_layer = first_ip_layer(Ether(b"\0" * 12 + data[2:]), IP, IPv6)
            elif layer_class is not None:
                ip_layer = first_ip_layer(layer_class(data), IP, IPv6)
            else:
                if offsets is None:
                    sys.exit(f"{path}: record {index + 1}: scapy cannot dissect link type {linktype}; give --truth")
                off = offsets[index]
                if off is not None and len(data) > off:
                    cls = IP if data[off] >> 4 == 4 else IPv6
                    ip_layer = first_ip_layer(cls(data[off:]), IP, IPv6)

            ip_bytes = None
            if ip_layer is not None:
                captured = len(bytes(ip_layer))
                if isinstance(ip_layer, IPv6):
                    if captured >= 40:
                        ip_bytes = 40 + ip_layer.plen
                elif captured >= 20 and ip_layer.ihl >= 5:
                    header = ip_layer.ihl * 4
                    if ip_layer.len == 0:
                        ip_bytes = captured
                    elif ip_layer.len >= header:
                        ip_bytes = ip_layer.len
            if ip_bytes is None:
                totals["nonIPPackets"] += 1
                continue

            source = str(ipaddress.ip_address(ip_layer.src))
            totals["ipPackets"] += 1
            totals["ipv6Packets" if isinstance(ip_layer, IPv6) else "ipv4Packets"] += 1
            totals["wireBytes"] += wire
            totals["ipBytes"] += ip_bytes
            sources["all"].add(source)
            kind, code = classifier.origin(source)
            if kind == "country":
                bump(countries, code, wire, ip_bytes, source)
            elif kind == "special":
                bump(special, "special", wire, ip_bytes, source)
            else:
                bump(unknown, "unknown", wire, ip_bytes, source)
        reader.close()

    def finish(c):
        if not c:
            return dict(packets=0, wireBytes=0, ipBytes=0, sources=0)
        return dict(packets=c["packets"], wireBytes=c["wireBytes"], ipBytes=c["ipBytes"], sources=len(c["sources"]))

    totals["sources"] = len(sources["all"])
    return {
        "totals": totals,
        "countries": {k: finish(v) for k, v in sorted(countries.items())},
        "special": finish(special.get("special")),
        "unknown": finish(unknown.get("unknown")),
        "linkTypes": link_types,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, help="MaxMind-format country database")
    parser.add_argument(
        "--truth", action="append", default=[],
        help="truth file with IP header offsets, for link types scapy cannot dissect: TRUTH for a single "
        "capture, or CAPTURE=TRUTH (repeatable)")
    parser.add_argument("captures", nargs="+", metavar="capture", help="pcap or pcapng file, gzip-compressed or not")
    args = parser.parse_args()
    truths = {}
    for t in args.truth:
        capture, sep, truth = t.partition("=")
        if sep:
            truths[capture] = truth
        elif len(args.captures) == 1:
            truths[args.captures[0]] = t
        else:
            parser.error("with several captures, give --truth as CAPTURE=TRUTH")
    results = {c: analyze(c, args.db, truths.get(c)) for c in args.captures}
    out = results[args.captures[0]] if len(args.captures) == 1 else results
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
