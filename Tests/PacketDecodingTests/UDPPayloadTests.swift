import NetCore
import PacketDecoding
import Testing

/// `DecodedPacket.udpPayload(in:)`: the payload range of UDP datagrams in frames, and the cases
/// where there is none to read.
@Suite struct UDPPayloadTests {
  func payload(_ linkType: LinkType, _ frame: [UInt8]) -> UDPPayloadOutcome {
    frame.withUnsafeBytes { bytes in
      guard let packet = PacketDecoder.decode(linkType: linkType, bytes: bytes).packet else { return .truncated }
      return packet.udpPayload(in: bytes)
    }
  }

  @Test func ipv4PayloadEndsAtTheUDPLength() {
    let data: [UInt8] = [9, 8, 7, 6, 5]
    let frame = Build.ethernet(
      type: 0x0800, Build.ipv4(protocolNumber: 17, payload: Build.udp(1234, 2055, payload: data)) + [0, 0, 0])
    #expect(payload(.ethernet, frame) == .payload(42..<47))
    #expect(Array(frame[42..<47]) == data)
  }

  @Test func ipv6PayloadAfterExtensionHeaders() {
    let data: [UInt8] = [1, 2, 3]
    let udp = Build.udp(1234, 4739, payload: data)
    let ip = Build.ipv6(nextHeader: 0, payload: Build.extensionHeader(next: 17) + udp)
    let frame = Build.ethernet(type: 0x86dd, ip)
    #expect(payload(.ethernet, frame) == .payload((14 + 40 + 8 + 8)..<(14 + 40 + 8 + 8 + 3)))
  }

  @Test func otherProtocolsFragmentsAndCutFramesHaveNoPayload() {
    #expect(payload(.raw, Build.ipv4()) == .notUDP)
    let udp = Build.udp(1, 2, payload: [UInt8](repeating: 7, count: 16))
    // A later fragment (offset 8 units) and a first fragment with More Fragments set.
    #expect(payload(.raw, Build.ipv4(protocolNumber: 17, flagsAndOffset: 0x0008, payload: udp)) == .laterFragment)
    #expect(payload(.raw, Build.ipv4(protocolNumber: 17, flagsAndOffset: 0x2000, payload: udp)) == .truncated)
    // Cut inside the UDP header, and cut before the end the UDP length declares.
    let whole = Build.ipv4(protocolNumber: 17, payload: udp)
    #expect(payload(.raw, Array(whole.prefix(24))) == .truncated)
    #expect(payload(.raw, Array(whole.prefix(30))) == .truncated)
    // A UDP length below 8.
    var bad = udp
    bad[5] = 4
    #expect(payload(.raw, Build.ipv4(protocolNumber: 17, payload: bad)) == .badLength)
  }
}
