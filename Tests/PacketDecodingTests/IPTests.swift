import NetCore
import PacketDecoding
import Testing

@Suite struct IPv4Tests {
  @Test func optionsAreSkippedByHeaderLength() throws {
    let packet = try #require(
      decode(
        .raw,
        Build.ipv4(
          options: [0x94, 0x04, 0, 0, 0x01, 0x01, 0x01, 0x00],
          payload: Build.tcp(1234, 80, flags: 0x12))
      )
      .packet)
    #expect(packet.sourcePort == 1234)
    #expect(packet.destinationPort == 80)
    #expect(packet.tcpFlags == 0x12)
    #expect(packet.ipBytes == 48)
  }

  @Test func firstFragmentHasPorts() throws {
    let packet = try #require(decode(.raw, Build.ipv4(flagsAndOffset: 0x2000)).packet)
    #expect(packet.isFragment)
    #expect(packet.isFirstFragment)
    #expect(packet.sourcePort == 40000)
  }

  @Test func laterFragmentHasNoPorts() throws {
    let packet = try #require(decode(.raw, Build.ipv4(flagsAndOffset: 185)).packet)
    #expect(packet.isFragment)
    #expect(!packet.isFirstFragment)
    #expect(packet.sourcePort == nil)
    #expect(packet.tcpFlags == nil)
    #expect(packet.source == .v4(Build.source4))
  }

  @Test func unfragmentedPacketIsItsOwnFirstFragment() throws {
    let packet = try #require(decode(.raw, Build.ipv4(flagsAndOffset: 0x4000)).packet)
    #expect(!packet.isFragment)
    #expect(packet.isFirstFragment)
  }

  @Test func totalLengthCountsEvenWhenCaptureIsCut() throws {
    let full = Build.ipv4(payload: Build.tcp(1, 2) + [UInt8](repeating: 7, count: 1400))
    let packet = try #require(decode(.raw, Array(full.prefix(54))).packet)
    #expect(packet.ipBytes == 1440)
    #expect(packet.sourcePort == 1)
  }

  @Test func headerLongerThanCaptureStillGivesAddresses() throws {
    let frame = Array(Build.ipv4(options: [UInt8](repeating: 1, count: 40)).prefix(30))
    let packet = try #require(decode(.raw, frame).packet)
    #expect(packet.source == .v4(Build.source4))
    #expect(packet.destination == .v4(Build.destination4))
    #expect(packet.sourcePort == nil)
  }

  @Test func paddingAfterTheDeclaredLengthIsNotReadAsPorts() throws {
    // A 20-byte packet claiming TCP, padded to the Ethernet minimum: no TCP header in it.
    let ip = Build.ipv4(payload: [])
    let packet = try #require(
      decode(.ethernet, Build.ethernet(type: 0x0800, ip + [UInt8](repeating: 0x55, count: 26)))
        .packet)
    #expect(packet.ipBytes == 20)
    #expect(packet.sourcePort == nil)
  }

  @Test func zeroTotalLengthFromSegmentationOffloadUsesCapturedLength() throws {
    let frame = Build.ipv4(
      payload: Build.tcp(5, 6) + [UInt8](repeating: 0, count: 100), totalLength: 0)
    let packet = try #require(decode(.raw, frame).packet)
    #expect(packet.ipBytes == UInt32(frame.count))
    #expect(packet.sourcePort == 5)
  }

  @Test func encapsulatedPacketsAreNotFollowed() throws {
    let inner = Build.ipv4(source: IPv4Address(10, 0, 0, 1), destination: IPv4Address(10, 0, 0, 2))
    let packet = try #require(decode(.raw, Build.ipv4(protocolNumber: 4, payload: inner)).packet)
    #expect(packet.source == .v4(Build.source4))
    #expect(packet.protocolNumber == 4)
    #expect(packet.sourcePort == nil)
  }

  @Test(arguments: [
    (UInt8(17), true), (136, true), (132, true), (33, true), (1, false), (47, false),
  ])
  func portsForPortedProtocolsOnly(protocolNumber: UInt8, hasPorts: Bool) throws {
    let packet = try #require(
      decode(.raw, Build.ipv4(protocolNumber: protocolNumber, payload: Build.udp(7, 9))).packet)
    #expect(packet.protocolNumber == protocolNumber)
    #expect(packet.sourcePort == (hasPorts ? 7 : nil))
    #expect(packet.destinationPort == (hasPorts ? 9 : nil))
    #expect(packet.tcpFlags == nil)
  }

  @Test func tcpFlagsNeedFourteenBytes() throws {
    let frame = Build.ipv4(payload: Build.tcp(1, 2, flags: 0x18))
    #expect(decode(.raw, Array(frame.prefix(33))).packet?.tcpFlags == nil)
    #expect(decode(.raw, Array(frame.prefix(33))).packet?.sourcePort == 1)
    #expect(decode(.raw, Array(frame.prefix(34))).packet?.tcpFlags == 0x18)
  }
}

@Suite struct IPv6Tests {
  @Test func extensionHeadersAreWalkedToTheTransport() throws {
    let payload =
      Build.extensionHeader(next: 43)  // hop-by-hop
      + Build.routingHeader(next: 44)
      + Build.fragmentHeader(next: 60, offset: 0, more: true)
      + Build.extensionHeader(next: 6, units: 1)  // destination options, 16 bytes
      + Build.tcp(2222, 22, flags: 0x10)
    let packet = try #require(decode(.raw, Build.ipv6(nextHeader: 0, payload: payload)).packet)
    #expect(packet.protocolNumber == 6)
    #expect(packet.isFragment)
    #expect(packet.isFirstFragment)
    #expect(packet.sourcePort == 2222)
    #expect(packet.destinationPort == 22)
    #expect(packet.tcpFlags == 0x10)
    #expect(packet.ipBytes == UInt32(40 + payload.count))
  }

  @Test func laterFragmentStopsAtTheFragmentHeader() throws {
    let payload =
      Build.extensionHeader(next: 44) + Build.fragmentHeader(next: 17, offset: 181, more: false)
      + [UInt8](repeating: 0xab, count: 16)
    let packet = try #require(decode(.raw, Build.ipv6(nextHeader: 0, payload: payload)).packet)
    #expect(packet.protocolNumber == 17)
    #expect(packet.isFragment)
    #expect(!packet.isFirstFragment)
    #expect(packet.sourcePort == nil)
  }

  @Test func authenticationHeaderLengthIsInFourByteUnits() throws {
    // AH with a 12-byte ICV: payload length field 4, (4 + 2) * 4 = 24 bytes.
    let ah: [UInt8] = [17, 4, 0, 0] + be32(0x100) + be32(1) + [UInt8](repeating: 0xcc, count: 12)
    let packet = try #require(
      decode(.raw, Build.ipv6(nextHeader: 51, payload: ah + Build.udp(500, 4500))).packet)
    #expect(packet.protocolNumber == 17)
    #expect(packet.sourcePort == 500)
    #expect(packet.destinationPort == 4500)
  }

  @Test(arguments: [UInt8(50), 59])
  func espAndNoNextHeaderEndTheWalk(nextHeader: UInt8) throws {
    let payload = Build.extensionHeader(next: nextHeader) + [UInt8](repeating: 0, count: 16)
    let packet = try #require(decode(.raw, Build.ipv6(nextHeader: 60, payload: payload)).packet)
    #expect(packet.protocolNumber == nextHeader)
    #expect(packet.sourcePort == nil)
  }

  @Test(arguments: [UInt8(135), 139, 140])
  func otherExtensionHeadersAreSkipped(header: UInt8) throws {
    let payload = Build.extensionHeader(next: 17, units: 1) + Build.udp(1, 2)
    let packet = try #require(decode(.raw, Build.ipv6(nextHeader: header, payload: payload)).packet)
    #expect(packet.protocolNumber == 17)
    #expect(packet.sourcePort == 1)
  }

  @Test func jumboPayloadLength() throws {
    // Hop-by-hop with PadN(0) then Jumbo Payload (RFC 2675): 8 bytes of header, jumbo length 70000.
    let hopByHop: [UInt8] = [17, 0, 0xc2, 4] + be32(70000)
    let packet = try #require(
      decode(.raw, Build.ipv6(nextHeader: 0, payload: hopByHop + Build.udp(1, 2), payloadLength: 0))
        .packet)
    #expect(packet.ipBytes == 70040)
    #expect(packet.sourcePort == 1)
  }

  @Test func zeroPayloadLengthWithoutJumboOption() throws {
    let packet = try #require(decode(.raw, Build.ipv6(payloadLength: 0)).packet)
    #expect(packet.ipBytes == 40)
    #expect(packet.sourcePort == 5353)
  }

  @Test func cutExtensionHeaderKeepsAddresses() throws {
    let payload = Build.extensionHeader(next: 43) + Build.routingHeader(next: 6) + Build.tcp(1, 2)
    let frame = Array(Build.ipv6(nextHeader: 0, payload: payload).prefix(40 + 8 + 4))
    let packet = try #require(decode(.raw, frame).packet)
    #expect(packet.source == .v6(Build.source6))
    #expect(packet.destination == .v6(Build.destination6))
    #expect(packet.protocolNumber == 43)
    #expect(packet.sourcePort == nil)
  }

  @Test func payloadLengthBoundsTheWalk() throws {
    // The declared payload ends after the hop-by-hop header: the bytes after it are padding.
    let frame = Build.ipv6(
      nextHeader: 0, payload: Build.extensionHeader(next: 17) + Build.udp(1, 2), payloadLength: 8)
    let packet = try #require(decode(.raw, frame).packet)
    #expect(packet.protocolNumber == 17)
    #expect(packet.sourcePort == nil)
    #expect(packet.ipBytes == 48)
  }
}
