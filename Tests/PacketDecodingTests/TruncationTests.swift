import PacketDecoding
import Testing

/// A decoder may receive a frame cut off at any byte. For every prefix of every test frame the
/// outcome must be `.truncated`, or, once the addresses are captured, `.ip` with the right addresses
/// and nothing that contradicts the whole frame.
@Suite struct TruncationTests {
  @Test(arguments: LinkFrame.all)
  func everyPrefix(frame: LinkFrame) throws {
    let whole = try #require(decode(frame.linkType, frame.bytes).packet)
    for length in 0..<frame.bytes.count {
      let outcome = decode(frame.linkType, Array(frame.bytes[..<length]))
      switch outcome {
      case .truncated(_, let needed, let available):
        #expect(available == length, "prefix \(length)")
        #expect(needed > length, "prefix \(length)")
      case .ip(let packet):
        #expect(packet.source == whole.source, "prefix \(length)")
        #expect(packet.destination == whole.destination, "prefix \(length)")
        #expect(packet.ipBytes == whole.ipBytes, "prefix \(length)")
        #expect(
          packet.sourcePort == nil || packet.sourcePort == whole.sourcePort, "prefix \(length)")
        #expect(
          packet.destinationPort == nil || packet.destinationPort == whole.destinationPort,
          "prefix \(length)")
        #expect(packet.tcpFlags == nil || packet.tcpFlags == whole.tcpFlags, "prefix \(length)")
      case .nonIP(.nflogNoPayload) where frame.linkType == .nflog:
        // A message cut at a TLV boundary before NFULA_PAYLOAD cannot be told from one without it.
        break
      default:
        Issue.record("prefix \(length): \(outcome)")
      }
    }
  }

  @Test func truncationNamesTheLayerAndLengths() {
    let frame = Build.taggedEthernet(tags: [Build.vlanTag(id: 1)], type: 0x0800, Build.ipv4())
    #expect(
      decode(.ethernet, Array(frame.prefix(10))) == .truncated(.ethernet, needed: 14, available: 10)
    )
    #expect(
      decode(.ethernet, Array(frame.prefix(16))) == .truncated(.vlan, needed: 18, available: 16))
    #expect(
      decode(.ethernet, Array(frame.prefix(30))) == .truncated(.ipv4, needed: 38, available: 30))
    let v6 = Build.ethernet(type: 0x86dd, Build.ipv6())
    #expect(decode(.ethernet, Array(v6.prefix(53))) == .truncated(.ipv6, needed: 54, available: 53))
  }

  @Test(arguments: LinkFrame.all)
  func everySingleByteChangeIsSafe(frame: LinkFrame) {
    // Bounds are checked in debug builds: a read past the buffer traps here.
    for index in frame.bytes.indices {
      for value: UInt8 in [0x00, 0x01, 0x03, 0x0f, 0x45, 0x60, 0x80, 0xaa, 0xff] {
        var bytes = frame.bytes
        bytes[index] = value
        for length in [bytes.count, index + 1] {
          _ = decode(frame.linkType, Array(bytes[..<length]))
        }
      }
    }
  }
}
