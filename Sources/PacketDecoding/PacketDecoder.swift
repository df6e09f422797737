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

  // Link types are matched by value: the `LinkType` constants are lazily initialized globals.
  @inline(__always)
  static func decodeFrame(linkType: LinkType, bytes: UnsafeRawBufferPointer) -> DecodeOutcome {
    switch linkType.rawValue {
    case 1 /* .ethernet */: ethernet(bytes)
    case 101 /* .raw */, 12 /* .rawDLT12 */, 14 /* .rawDLT14 */:
      ipByVersion(bytes, at: 0, layer: .ip, otherwise: .malformed(.ip, .badIPVersion))
    case 113 /* .linuxSLL */: linuxSLL(bytes)
    case 276 /* .linuxSLL2 */: linuxSLL2(bytes)
    case 0 /* .null */: null(bytes)
    case 108 /* .loop */: loop(bytes)
    case 228 /* .ipv4 */: ipv4(bytes, at: 0)
    case 229 /* .ipv6 */: ipv6(bytes, at: 0)
    case 9 /* .ppp */: ppp(bytes, at: 0)
    case 50 /* .pppHDLC */: pppHDLC(bytes)
    case 204 /* .pppWithDirection */: pppWithDirection(bytes)
    case 104 /* .cHDLC */: ciscoHDLC(bytes, at: 0)
    case 105 /* .ieee80211 */: ieee80211(bytes, at: 0)
    case 127 /* .ieee80211Radiotap */: radiotap(bytes)
    case 239 /* .nflog */: nflog(bytes)
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
