import NetCore

#if canImport(Glibc)
  import Glibc
#endif

/// Origins by dense id: the origin of every address, with identical origins sharing an id.
/// This form resolves through `OriginResolver` and assigns ids on first sight.
public final class OriginTable: @unchecked Sendable {
  public let countryDatabase: MaxMindDatabase?
  public let asnDatabase: MaxMindDatabase?
  private let resolver: OriginResolver
  private var ids: [Origin: UInt32] = [:]
  private var origins: [Origin] = []
  private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

  public init(countryDatabase: MaxMindDatabase?, asnDatabase: MaxMindDatabase? = nil) throws(GeoError) {
    self.countryDatabase = countryDatabase
    self.asnDatabase = asnDatabase
    resolver = OriginResolver(countryDatabase: countryDatabase, asnDatabase: asnDatabase)
    pthread_mutex_init(lock, nil)
  }

  deinit {
    pthread_mutex_destroy(lock)
    lock.deallocate()
  }

  public var count: Int {
    pthread_mutex_lock(lock)
    defer { pthread_mutex_unlock(lock) }
    return origins.count
  }
  public func origin(_ id: UInt32) -> Origin {
    pthread_mutex_lock(lock)
    defer { pthread_mutex_unlock(lock) }
    return origins[Int(id)]
  }
  public func id(ipv4: UInt32) -> UInt32 { id(.v4(IPv4Address(ipv4))) }
  public func id(_ address: IPAddress) -> UInt32 {
    pthread_mutex_lock(lock)
    defer { pthread_mutex_unlock(lock) }
    let o = resolver.resolve(address)
    if let id = ids[o] { return id }
    let id = UInt32(origins.count)
    origins.append(o)
    ids[o] = id
    return id
  }
}
