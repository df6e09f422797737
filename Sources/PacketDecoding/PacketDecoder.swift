/// Finds the outermost IP header in a captured frame and copies out what it says.
///
/// Decoding reads the bytes in place: it allocates nothing, keeps no reference to the buffer, and
/// checks every read against the captured length, so a frame cut off at any byte yields
/// `.truncated` (or, once the IP addresses are complete, `.ip` with what could be read).
public enum PacketDecoder {
  /// Decodes one frame of the given link type.
  ///
  /// - Parameters:
  ///   - linkType: the capture's link-layer header type.
  ///   - bytes: the captured bytes of the frame, borrowed for the duration of the call.
  #if DEBUG
    public static func decode(linkType: LinkType, bytes: UnsafeRawBufferPointer) -> DecodeOutcome {
      decodeFrame(linkType: linkType, bytes: bytes)
    }
  #else
    // Optimized builds prove the absence of heap allocation: the compiler rejects any allocation,
    // existential or metadata instantiation reachable from here (Swift performance annotations). The
    // check needs whole-module optimization to see every callee, so debug builds skip it.
    @_noAllocation
    public static func decode(linkType: LinkType, bytes: UnsafeRawBufferPointer) -> DecodeOutcome {
      decodeFrame(linkType: linkType, bytes: bytes)
    }
  #endif

  @inline(__always)
  static func decodeFrame(linkType: LinkType, bytes: UnsafeRawBufferPointer) -> DecodeOutcome {
    switch linkType.rawValue {
    case LinkType.ethernet.rawValue: ethernet(bytes)
    case LinkType.raw.rawValue, LinkType.rawDLT12.rawValue, LinkType.rawDLT14.rawValue:
      ipByVersion(bytes, at: 0, layer: .ip, otherwise: .malformed(.ip, .badIPVersion))
    case LinkType.linuxSLL.rawValue: linuxSLL(bytes)
    case LinkType.linuxSLL2.rawValue: linuxSLL2(bytes)
    case LinkType.null.rawValue: null(bytes)
    case LinkType.loop.rawValue: loop(bytes)
    case LinkType.ipv4.rawValue: ipv4(bytes, at: 0)
    case LinkType.ipv6.rawValue: ipv6(bytes, at: 0)
    case LinkType.ppp.rawValue: ppp(bytes, at: 0)
    case LinkType.pppHDLC.rawValue: pppHDLC(bytes)
    case LinkType.pppWithDirection.rawValue: pppWithDirection(bytes)
    case LinkType.cHDLC.rawValue: ciscoHDLC(bytes, at: 0)
    case LinkType.ieee80211.rawValue: ieee80211(bytes, at: 0)
    case LinkType.ieee80211Radiotap.rawValue: radiotap(bytes)
    case LinkType.nflog.rawValue: nflog(bytes)
    default: .nonIP(.unsupportedLinkType)
    }
  }

  /// Decodes an IP packet at `offset` whose version is only known from its first nibble
  /// (raw IP, MPLS payloads). A packet with no byte at `offset` is truncated in `layer`.
  static func ipByVersion(
    _ bytes: UnsafeRawBufferPointer, at offset: Int, layer: DecodeLayer, otherwise: DecodeOutcome
  ) -> DecodeOutcome {
    guard bytes.has(1, at: offset) else { return .truncated(layer, 1, at: offset, in: bytes) }
    switch bytes[offset] >> 4 {
    case 4: return ipv4(bytes, at: offset)
    case 6: return ipv6(bytes, at: offset)
    default: return otherwise
    }
  }
}
