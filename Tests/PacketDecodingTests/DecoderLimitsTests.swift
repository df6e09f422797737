import NetCore
import PacketDecoding
import Testing

/// Encapsulation depth caps (docs/limits.md): the deepest stack accepted decodes, one more is
/// `malformed(too-deep)`; the walk never runs past the frame however deep it claims to go.
@Suite("Decoder limits")
struct DecoderLimitsTests {
  @Test("16 MPLS labels decode, 17 do not")
  func mplsDepth() {
    func frame(_ labels: Int) -> [UInt8] {
      Build.ethernet(
        type: 0x8847, (0..<labels).flatMap { Build.mplsLabel(UInt32($0), bottom: $0 == labels - 1) } + Build.ipv4())
    }
    #expect(decode(.ethernet, frame(16)).packet != nil)
    #expect(decode(.ethernet, frame(17)) == .malformed(.mpls, .tooDeep))
  }

  @Test("32 IPv6 extension headers decode to the transport, 33 do not")
  func ipv6Depth() {
    func packet(_ headers: Int) -> [UInt8] {
      Build.ipv6(
        nextHeader: 60,
        payload: (0..<headers).flatMap { Build.extensionHeader(next: $0 == headers - 1 ? 17 : 60) } + Build.udp(1, 2))
    }
    let decoded = decode(.raw, packet(32)).packet
    #expect(decoded?.protocolNumber == 17 && decoded?.sourcePort == 1)
    #expect(decode(.raw, packet(33)) == .malformed(.ipv6, .tooDeep))
  }

  @Test("a transport header beyond the capture has no offset, and no UDP payload")
  func transportBeyondTheCapture() {
    // IPv4 whose options (IHL 15: 60 bytes) run past the 30 bytes captured.
    let cut = Array(Build.ipv4(protocolNumber: 17, options: [UInt8](repeating: 1, count: 40), payload: Build.udp(1, 2)).prefix(30))
    let v4 = decode(.raw, cut).packet
    #expect(v4 != nil && v4?.transportOffset == nil)
    // IPv6 whose destination options header claims 2,048 bytes, of which 20 are captured.
    let ipv6 = Array(Build.ipv6(nextHeader: 60, payload: Build.extensionHeader(next: 17, units: 255) + Build.udp(1, 2)).prefix(60))
    let v6 = decode(.raw, ipv6).packet
    #expect(v6 != nil && v6?.transportOffset == nil)
    let outcome = ipv6.withUnsafeBytes { bytes in v6?.udpPayload(in: bytes) }
    #expect(outcome == .truncated)
  }

  @Test("16 LLC/SNAP headers inside each other decode, 17 do not")
  func snapDepth() {
    func frame(_ depth: Int) -> [UInt8] {
      let snap: [UInt8] = [0xaa, 0xaa, 0x03, 0, 0, 0]
      // The first SNAP header follows an 802.3 length; each names a tagged 802.3 frame holding the next.
      var payload = Build.ipv4()
      for level in (0..<depth).reversed() {
        let type: [UInt8] = level == depth - 1 ? [0x08, 0x00] : [0x81, 0x00]
        let tail: [UInt8] = level == depth - 1 ? [] : [0, 1, 0, 64]
        payload = snap + type + tail + payload
      }
      return Build.ethernet(type: UInt16(payload.count), payload)
    }
    #expect(decode(.ethernet, frame(8)).packet != nil)
    #expect(decode(.ethernet, frame(17)) == .malformed(.llc, .tooDeep) || decode(.ethernet, frame(17)) == .malformed(.vlan, .tooDeep))
  }
}
