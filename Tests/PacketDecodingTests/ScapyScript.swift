/// A Python program that writes one classic pcap file per link type with scapy, an implementation
/// independent of this package, and prints what each packet holds as JSON:
/// `[{"file": ..., "linktype": N, "packets": [{"src": ..., "dst": ..., "sport": N|null, "dport": N|null}]}]`.
///
/// It is kept here rather than as a `.py` file so that the test target has no unhandled files;
/// `ScapyCrossCheckTests` writes it to a temporary directory and runs it there. To run it by hand,
/// copy the text into `make_linktypes.py` and run `python3 make_linktypes.py OUTDIR`.
let makeLinkTypesScript = #"""
  import json
  import struct
  import sys
  import warnings

  warnings.filterwarnings("ignore")
  import logging

  logging.getLogger("scapy").setLevel(logging.ERROR)

  from scapy.all import (
      IP, IPv6, TCP, UDP, ICMP, Raw, Ether, Dot1Q, Dot1AD, Dot3, LLC, SNAP, PPPoE, PPP, HDLC, DIR_PPP,
      CookedLinux, CookedLinuxV2, Loopback, LoopbackOpenBSD, Dot11, Dot11QoS, RadioTap,
      IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, IPv6ExtHdrFragment, IPv6ExtHdrDestOpt, wrpcap, raw,
  )
  from scapy.contrib.mpls import MPLS

  out = sys.argv[1]
  counter = [0]


  def v4(proto="tcp"):
      counter[0] += 1
      n = counter[0]
      ip = IP(src="198.51.%d.%d" % (n // 250, n % 250 + 1), dst="203.0.113.%d" % (n % 250 + 1), ttl=40 + n % 50)
      if proto == "tcp":
          return ip / TCP(sport=1024 + n, dport=443, flags="S")
      if proto == "udp":
          return ip / UDP(sport=2048 + n, dport=53) / Raw(b"q")
      return ip / ICMP()


  def v6(proto="udp"):
      counter[0] += 1
      n = counter[0]
      ip = IPv6(src="2001:db8:%x::%x" % (n, n + 1), dst="2001:db8:ffff::%x" % n, hlim=64)
      if proto == "tcp":
          return ip / TCP(sport=3000 + n, dport=22, flags="PA")
      if proto == "ext":
          return (ip / IPv6ExtHdrHopByHop() / IPv6ExtHdrRouting(addresses=["2001:db8::1"])
                  / IPv6ExtHdrFragment(offset=0, m=1, nh=60) / IPv6ExtHdrDestOpt() / UDP(sport=4000 + n, dport=123))
      return ip / UDP(sport=5000 + n, dport=53) / Raw(b"q")


  def outermost_ip(p):
      """The first IP or IPv6 layer: the outermost IP header."""
      layer = p
      while layer is not None and not isinstance(layer, (IP, IPv6)):
          layer = layer.payload if layer.payload else None
      return layer


  def describe(ip):
      l4 = ip.getlayer(TCP) or ip.getlayer(UDP)
      return {"src": ip.src, "dst": ip.dst,
              "sport": l4.sport if l4 is not None else None, "dport": l4.dport if l4 is not None else None}


  manifest = []


  def write(name, linktype, entries):
      """entries: (frame, ip) pairs; frame is a scapy packet or bytes, ip the packet scapy says is inside."""
      path = "%s/%s.pcap" % (out, name)
      frames = [Raw(f) if isinstance(f, (bytes, bytearray)) else f for f, _ in entries]
      wrpcap(path, frames, linktype=linktype)
      manifest.append({"file": path, "linktype": linktype, "packets": [describe(ip) for _, ip in entries]})


  def layered(frames):
      """Pairs each frame with the outermost IP packet inside it."""
      return [(f, outermost_ip(f)) for f in frames]


  def with_ip(prefix_bytes, ip):
      return (prefix_bytes + raw(ip), ip)


  write("ethernet", 1, layered([
      Ether() / v4(), Ether() / v6(), Ether() / v4("udp"), Ether() / v6("tcp"), Ether() / v6("ext"),
      Ether() / v4("icmp"),
      Ether() / Dot1Q(vlan=10) / v4(), Ether() / Dot1Q(vlan=11) / v6(),
      Ether() / Dot1AD(vlan=100) / Dot1Q(vlan=10) / v4("udp"),
      Ether() / Dot1AD(vlan=100) / Dot1Q(vlan=10) / v6("tcp"),
      Ether() / Dot1Q(vlan=1) / Dot1Q(vlan=2) / Dot1Q(vlan=3) / v4(),
      Ether(type=0x8847) / MPLS(label=100, s=0) / MPLS(label=200, s=1) / v4(),
      Ether(type=0x8847) / MPLS(label=300, s=1) / v6(),
      Ether(type=0x8864) / PPPoE(sessionid=7) / PPP(proto=0x0021) / v4(),
      Ether(type=0x8864) / PPPoE(sessionid=7) / PPP(proto=0x0057) / v6(),
      Dot3() / LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / SNAP(OUI=0, code=0x0800) / v4(),
      Dot3() / LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / SNAP(OUI=0, code=0x86dd) / v6(),
  ]))

  write("linux-sll", 113, layered([CookedLinux(proto=0x0800) / v4(), CookedLinux(proto=0x86dd) / v6(),
                                   CookedLinux(proto=0x0800) / v4("udp")]))
  write("linux-sll2", 276, layered([CookedLinuxV2(proto=0x0800) / v4(), CookedLinuxV2(proto=0x86dd) / v6("tcp")]))
  write("null", 0, layered([Loopback(type=2) / v4(), Loopback(type=24) / v6(), Loopback(type=28) / v6(),
                            Loopback(type=30) / v6("tcp")]))
  write("loop", 108, layered([LoopbackOpenBSD(type=2) / v4(), LoopbackOpenBSD(type=24) / v6()]))
  write("ppp", 9, layered([PPP(proto=0x0021) / v4(), PPP(proto=0x0057) / v6()]))
  write("ppp-hdlc", 50, layered([HDLC() / PPP(proto=0x0021) / v4(), HDLC() / PPP(proto=0x0057) / v6()]))
  write("ppp-with-dir", 204, layered([DIR_PPP(direction=0) / PPP(proto=0x0021) / v4(),
                                      DIR_PPP(direction=1) / PPP(proto=0x0057) / v6()]))
  write("raw", 101, layered([v4(), v6(), v6("ext"), v4("udp")]))
  write("ipv4", 228, layered([v4(), v4("udp")]))
  write("ipv6", 229, layered([v6(), v6("tcp")]))

  snap4 = LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / SNAP(OUI=0, code=0x0800)
  snap6 = LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / SNAP(OUI=0, code=0x86dd)
  write("ieee802-11", 105, layered([
      Dot11(type=2, subtype=0, FCfield="to_DS", addr1="02:00:00:00:00:01", addr2="02:00:00:00:00:02",
            addr3="02:00:00:00:00:03") / snap4 / v4(),
      Dot11(type=2, subtype=8, FCfield="from_DS", addr1="02:00:00:00:00:01", addr2="02:00:00:00:00:02",
            addr3="02:00:00:00:00:03") / Dot11QoS(TID=5) / snap6 / v6(),
      Dot11(type=2, subtype=0, FCfield="to_DS+from_DS", addr1="02:00:00:00:00:01", addr2="02:00:00:00:00:02",
            addr3="02:00:00:00:00:03", addr4="02:00:00:00:00:04") / snap4 / v4("udp"),
      Dot11(type=2, subtype=8, FCfield="to_DS+from_DS", addr1="02:00:00:00:00:01", addr2="02:00:00:00:00:02",
            addr3="02:00:00:00:00:03", addr4="02:00:00:00:00:04") / Dot11QoS() / snap6 / v6("tcp"),
  ]))
  write("radiotap", 127, layered([
      RadioTap(present="Flags+Rate", Flags=0, Rate=2) / Dot11(type=2, subtype=0, FCfield="to_DS") / snap4 / v4(),
      RadioTap(present="Flags+Rate+Channel", Flags=0, Rate=2, ChannelFrequency=2437, ChannelFlags=0x00a0)
      / Dot11(type=2, subtype=8, FCfield="from_DS") / Dot11QoS() / snap6 / v6(),
  ]))

  # Link types scapy has no layer for: bytes put together here, IP packets from scapy.
  chdlc = []
  for ip in (v4(), v6(), v4("udp")):
      chdlc.append(with_ip(b"\x0f\x00" + struct.pack(">H", 0x0800 if ip.version == 4 else 0x86dd), ip))
  write("c-hdlc", 104, [(f, IP(raw(ip)) if ip.version == 4 else IPv6(raw(ip))) for f, ip in chdlc])


  def nflog_tlv(tlv_type, value):
      tlv = struct.pack("<HH", 4 + len(value), tlv_type) + value
      return tlv + b"\0" * (-len(tlv) % 4)


  nflog = []
  for ip in (v4(), v6(), v4("udp"), v6("tcp")):
      family = 2 if ip.version == 4 else 10
      message = struct.pack(">BBH", family, 0, 1)
      message += nflog_tlv(1, struct.pack(">HBB", 0x0800 if family == 2 else 0x86dd, 1, 0))  # NFULA_PACKET_HDR
      message += nflog_tlv(10, b"origincheck\0")  # NFULA_PREFIX
      message += nflog_tlv(5, struct.pack(">I", 3))  # NFULA_IFINDEX_INDEV
      message += nflog_tlv(9, raw(ip))  # NFULA_PAYLOAD
      nflog.append((message, IP(raw(ip)) if family == 2 else IPv6(raw(ip))))
  write("nflog", 239, nflog)

  json.dump(manifest, sys.stdout)
  """#
