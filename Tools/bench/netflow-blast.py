#!/usr/bin/env python3
"""Sends pre-built NetFlow v9 or IPFIX export datagrams to a UDP port on loopback, at a paced
rate or as fast as it can, for the collector benchmark (Tools/bench/collect).

    netflow-blast.py --port P [--host 127.0.0.1] [--version 9|10] [--records N] [--rate R]
                     [--sources M] [--seed S]

All datagrams are built before the clock starts: one template datagram, and up to 2,000 distinct
data datagrams of 30 flow records each (1,400 bytes of IPFIX, 924 of v9) with sources drawn
(seeded) from M distinct IPv4 addresses, sent in turn until N records are out. The template
datagram is sent first and again every 500 datagrams.
--rate is flow records per second (0: no pacing). Prints one JSON object: datagrams and records
sent, seconds from the first send to the last, and the achieved records per second.
"""

import argparse
import json
import random
import socket
import struct
import time

RECORDS_PER_DATAGRAM = 30
DISTINCT_DATAGRAMS = 2000
TEMPLATE_ID = 256


def fields(version):
    # (IE, length): src, dst, octets, packets, ports, protocol, flags, start and end times.
    if version == 10:
        return [(8, 4), (12, 4), (1, 8), (2, 8), (7, 2), (11, 2), (4, 1), (6, 1), (152, 8), (153, 8)]
    return [(8, 4), (12, 4), (1, 4), (2, 4), (7, 2), (11, 2), (4, 1), (6, 1), (22, 4), (21, 4)]


def template_set(version):
    f = fields(version)
    body = struct.pack(">HH", TEMPLATE_ID, len(f)) + b"".join(struct.pack(">HH", i, l) for i, l in f)
    set_id = 2 if version == 10 else 0
    return struct.pack(">HH", set_id, 4 + len(body)) + body


def header(version, sets_bytes, count, sequence, now):
    if version == 10:
        return struct.pack(">HHIII", 10, 16 + len(sets_bytes), now, sequence, 1)
    return struct.pack(">HHIIII", 9, count, 3_600_000, now, sequence, 1)


def build(version, records, sources, seed):
    rng = random.Random(seed)
    pool = [rng.getrandbits(32) | 0x01000000 for _ in range(sources)]
    now = int(time.time())
    start_ms = now * 1000 - 5000
    template = header(version, template_set(version), 1, 0, now) + template_set(version)
    data = []
    left = records
    sequence = 0
    while left > 0 and len(data) < DISTINCT_DATAGRAMS:
        n = min(RECORDS_PER_DATAGRAM, left)
        rows = []
        for _ in range(n):
            src = pool[rng.randrange(sources)]
            dst = 0x68F42A00 | rng.randrange(256)  # 104.244.42.0/24
            packets = rng.randrange(1, 200)
            octets = packets * rng.randrange(40, 1500)
            sport, dport = rng.randrange(1024, 65536), rng.choice((53, 80, 123, 443))
            proto = rng.choice((6, 17))
            if version == 10:
                rows.append(struct.pack(">IIQQHHBBQQ", src, dst, octets, packets, sport, dport, proto, 0x12, start_ms, start_ms + 900))
            else:
                rows.append(struct.pack(">IIIIHHBBII", src, dst, octets, packets, sport, dport, proto, 0x12, 3_595_000, 3_595_900))
        body = b"".join(rows)
        data_set = struct.pack(">HH", TEMPLATE_ID, 4 + len(body)) + body
        sequence += 1
        data.append(header(version, data_set, n, sequence, now) + data_set)
        left -= n
    return template, data


def last_datagram(data, records, version):
    """The final datagram, cut to `records` records so the total is exact."""
    if version == 10:
        hdr, rest = data[0][:16], data[0][16:]
        size = (len(rest) - 4) // RECORDS_PER_DATAGRAM
        body = rest[4:4 + size * records]
        return struct.pack(">HHIII", 10, 16 + 4 + len(body), *struct.unpack(">III", hdr[4:16])) + struct.pack(">HH", TEMPLATE_ID, 4 + len(body)) + body
    hdr, rest = data[0][:20], data[0][20:]
    size = (len(rest) - 4) // RECORDS_PER_DATAGRAM
    body = rest[4:4 + size * records]
    return struct.pack(">HH", 9, records) + hdr[4:20] + struct.pack(">HH", TEMPLATE_ID, 4 + len(body)) + body


def sequence(template, data, records, version):
    """(datagram, records in it) in sending order: the template first and every 500 datagrams."""
    total = -(-records // RECORDS_PER_DATAGRAM)
    last = records - (total - 1) * RECORDS_PER_DATAGRAM
    for i in range(total):
        if i % 500 == 0:
            yield template, 0
        if i < total - 1:
            yield data[i % len(data)], RECORDS_PER_DATAGRAM
        else:
            yield last_datagram(data, last, version), last


def write_pcap(path, datagrams, port):
    """The datagrams as one capture, from 192.0.2.10 port 50000, 10 microseconds apart."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for i, payload in enumerate(datagrams):
            udp = struct.pack(">HHHH", 50000, port, 8 + len(payload), 0) + payload
            ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                             bytes([192, 0, 2, 10]), bytes([127, 0, 0, 1]))
            frame = b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00" + ip + udp
            f.write(struct.pack("<IIII", 1_741_613_400 + i // 100_000, i % 100_000 * 10, len(frame), len(frame)) + frame)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--version", type=int, choices=(9, 10), default=10)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=0, help="flow records per second; 0: as fast as possible")
    parser.add_argument("--sources", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pcap", help="write the datagrams to this pcap file (Ethernet/IPv4/UDP) instead of sending them")
    args = parser.parse_args()

    template, data = build(args.version, args.records, args.sources, args.seed)
    if args.pcap:
        write_pcap(args.pcap, (d for d, _ in sequence(template, data, args.records, args.version)), args.port)
        return
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect((args.host, args.port))
    send = sock.send
    datagrams = 0
    sent = 0
    started = time.perf_counter()
    for d, n in sequence(template, data, args.records, args.version):
        if args.rate > 0 and n:
            ahead = started + sent / args.rate - time.perf_counter()
            if ahead > 0:
                time.sleep(ahead)
        send(d)
        datagrams += 1
        sent += n
    seconds = time.perf_counter() - started
    print(json.dumps({
        "version": args.version, "datagrams": datagrams, "records": sent,
        "seconds": round(seconds, 4), "recordsPerSecond": round(sent / seconds),
    }))


if __name__ == "__main__":
    main()
