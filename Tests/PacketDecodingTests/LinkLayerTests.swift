import NetCore
import PacketDecoding
import Testing

/// The packet `Build.packet(version)` holds, as the decoder should report it.
func expectedPacket(_ version: IPVersion) -> DecodedPacket {
  switch version {
  case .v4:
    DecodedPacket(
      source: .v4(Build.source4), destination: .v4(Build.destination4), ipVersion: 4, ipBytes: 40,
      protocolNumber: 6, ttl: 57, sourcePort: 40000, destinationPort: 443, tcpFlags: 0x02)
  case .v6:
    DecodedPacket(
      source: .v6(Build.source6), destination: .v6(Build.destination6), ipVersion: 6, ipBytes: 52,
      protocolNumber: 17, ttl: 61, sourcePort: 5353, destinationPort: 53)
  }
}

@Suite struct LinkLayerTests {
  @Test(arguments: LinkFrame.all)
  func decodesEveryLinkType(frame: LinkFrame) throws {
    let outcome = decode(frame.linkType, frame.bytes)
    var packet = try #require(outcome.packet, "\(outcome)")
    // Where the packet lies in the frame: the first copy of the test packet's bytes.
    let ip = Build.packet(frame.version)
    let ipOffset = try #require(
      (0...(frame.bytes.count - ip.count)).first { Array(frame.bytes[$0..<($0 + ip.count)]) == ip })
    #expect(packet.transportOffset == ipOffset + (frame.version == .v4 ? 20 : 40))
    #expect(packet.capturedEnd == ipOffset + ip.count)
    packet.transportOffset = nil
    packet.capturedEnd = 0
    #expect(packet == expectedPacket(frame.version))
  }

  @Test(arguments: NonIPFrame.all)
  func reportsNonIPFrames(frame: NonIPFrame) {
    #expect(decode(frame.linkType, frame.bytes) == .nonIP(frame.reason))
  }

  @Test(arguments: MalformedFrame.all)
  func reportsMalformedFrames(frame: MalformedFrame) {
    #expect(decode(frame.linkType, frame.bytes) == .malformed(frame.layer, frame.reason))
  }

  @Test func sixteenTagsAreAllowedSeventeenAreNot() {
    func frame(_ tags: Int) -> [UInt8] {
      Build.taggedEthernet(
        tags: (0..<tags).map { _ in Build.vlanTag(id: 1) }, type: 0x0800, Build.ipv4())
    }
    #expect(decode(.ethernet, frame(16)).packet != nil)
    #expect(decode(.ethernet, frame(17)) == .malformed(.vlan, .tooDeep))
  }

  @Test func mplsPayloadWithoutBytesIsTruncated() {
    let frame = Build.ethernet(type: 0x8847, Build.mplsLabel(16, bottom: true))
    #expect(decode(.ethernet, frame) == .truncated(.mpls, needed: 19, available: 18))
  }

  @Test func emptyFramesAreTruncated() {
    for linkType in LinkType.supported {
      let outcome = decode(linkType, [])
      guard case .truncated(_, let needed, let available) = outcome else {
        Issue.record("\(linkType): \(outcome)")
        continue
      }
      #expect(available == 0)
      #expect(needed > 0)
    }
  }

  @Test func linkTypeNames() {
    #expect(LinkType.ethernet.description == "ethernet")
    #expect(LinkType.linuxSLL2.name == "linux-sll2")
    #expect(LinkType(rawValue: 12).name == "raw")
    #expect(LinkType(147).name == "linktype-147")
    #expect(!LinkType(147).isSupported)
    #expect(LinkType.supported.allSatisfy { $0.isSupported })
    #expect(Set(LinkType.supported.map(\.rawValue)).count == LinkType.supported.count)
  }

  @Test func summaryKeysAreStable() {
    #expect(DecodeOutcome.nonIP(.arp).summaryKey == "arp")
    #expect(DecodeOutcome.nonIP(.otherEtherType).summaryKey == "other-ethertype")
    #expect(DecodeOutcome.nonIP(.unsupportedLinkType).summaryKey == "unsupported-link-type")
    #expect(DecodeOutcome.truncated(.ipv4, needed: 34, available: 20).summaryKey == "truncated")
    #expect(DecodeOutcome.malformed(.vlan, .tooDeep).summaryKey == "malformed")
    #expect(DecodeOutcome.ip(expectedPacket(.v4)).summaryKey == "ip")
    let keys = NonIPReason.allCases.map(\.rawValue) + ["ip", "truncated", "malformed"]
    #expect(Set(keys).count == keys.count)
    #expect(
      keys.allSatisfy {
        $0.utf8.allSatisfy { $0 == UInt8(ascii: "-") || (0x61...0x7a).contains($0) }
      })
  }
}
