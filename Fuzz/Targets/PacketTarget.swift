import NetCore
import PacketDecoding

/// `PacketDecoder.decode` on one frame. The first input byte picks the link type
/// (`linkType(selector:)`), the rest is the frame, passed in place: a read past its end is a
/// heap overflow AddressSanitizer reports.
enum PacketTarget {
  /// Link types a selector byte can pick: every supported one, then one the decoder does not read.
  static let linkTypes: [LinkType] = LinkType.supported + [LinkType(147)]

  static func linkType(selector: UInt8) -> LinkType {
    linkTypes[Int(selector) % linkTypes.count]
  }

  /// The selector byte for a link type; nil when the decoder does not read it.
  static func selector(for linkType: LinkType) -> UInt8? {
    linkTypes.firstIndex(of: linkType).map { UInt8($0) }
  }

  static func run(_ data: UnsafeRawBufferPointer) {
    guard let selector = data.first else { return }
    let frame = UnsafeRawBufferPointer(rebasing: data[1...])
    let linkType = linkType(selector: selector)
    let outcome = PacketDecoder.decode(linkType: linkType, bytes: frame)
    check(outcome, frameLength: frame.count)
    if let packet = outcome.packet, case .payload(let range) = packet.udpPayload(in: frame) {
      FuzzCheck.require(range.lowerBound >= 0 && range.upperBound <= frame.count, "UDP payload \(range) of \(frame.count)")
    }
    FuzzCheck.require(PacketDecoder.decode(linkType: linkType, bytes: frame) == outcome, "decoding is not repeatable")
    _ = outcome.description
  }

  /// What every outcome must satisfy for a frame of `frameLength` captured bytes.
  static func check(_ outcome: DecodeOutcome, frameLength: Int) {
    switch outcome {
    case .ip(let packet):
      FuzzCheck.require(packet.ipVersion == 4 || packet.ipVersion == 6, "IP version \(packet.ipVersion)")
      FuzzCheck.require(
        packet.source.isIPv4 == (packet.ipVersion == 4) && packet.destination.isIPv4 == (packet.ipVersion == 4),
        "address family differs from IP version: \(outcome)")
      FuzzCheck.require(
        (packet.sourcePort == nil) == (packet.destinationPort == nil), "one port without the other: \(outcome)")
      if packet.tcpFlags != nil {
        FuzzCheck.require(packet.protocolNumber == IPProtocolNumber.tcp, "TCP flags on protocol \(packet.protocolNumber)")
      }
      if !packet.isFirstFragment {
        FuzzCheck.require(packet.sourcePort == nil, "ports read from a later fragment: \(outcome)")
      }
      FuzzCheck.require(packet.capturedEnd <= frameLength, "captured end \(packet.capturedEnd) of \(frameLength)")
      if let start = packet.transportOffset {
        FuzzCheck.require(start >= 0 && start <= packet.capturedEnd, "transport at \(start), end \(packet.capturedEnd)")
      }
    case .truncated(_, let needed, let available):
      // An NFLOG packet ends with its TLV, which may end before the frame does.
      FuzzCheck.require(available <= frameLength, "truncated reports \(available) bytes of \(frameLength)")
      FuzzCheck.require(needed > available, "truncated, yet \(needed) bytes needed of \(available)")
    case .nonIP, .malformed:
      break
    }
  }
}
