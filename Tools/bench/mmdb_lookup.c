/*
 * Baseline: the straightforward C program for "packets per source country".
 *
 * For every packet of FILE (pcap_next_ex): find the IPv4 or IPv6 header (Ethernet with any number
 * of 802.1Q/802.1ad tags, raw IP, Linux cooked v1/v2, BSD loopback), take the source address,
 * MMDB_lookup_sockaddr it in DB (opened with MMDB_MODE_MMAP), read country.iso_code with
 * MMDB_get_value and count the packet in a 26x26 array indexed by the two letters. Prints
 *   {"packets":N,"seconds":S,"ipv4":A,"ipv6":B,"not_ip":C,"unknown":U,"countries":{"US":n,...}}
 * "not_ip": packets with no decodable IPv4/IPv6 header; "unknown": IP packets whose source has no
 * record or no two-letter iso_code (special-purpose ranges usually land here). S is CLOCK_MONOTONIC
 * time around the read loop. No address cache: every packet is one lookup.
 *
 * Usage: mmdb_lookup DB FILE
 */
#define _DEFAULT_SOURCE /* u_char and friends in <pcap/pcap.h>; maxminddb.h asks for strict POSIX */
#include <maxminddb.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Returns the offset of the network-layer header and sets *ethertype (0 when unknown: the
 * caller then looks at the IP version nibble), or -1 when the packet is not IP. */
static long network_offset(int dlt, const u_char *p, uint32_t len, uint16_t *ethertype) {
  *ethertype = 0;
  switch (dlt) {
  case DLT_EN10MB: {
    if (len < 14) return -1;
    long off = 12;
    uint16_t type = (uint16_t)(p[off] << 8 | p[off + 1]);
    while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
      off += 4;
      if (len < (uint32_t)off + 2) return -1;
      type = (uint16_t)(p[off] << 8 | p[off + 1]);
    }
    *ethertype = type;
    return off + 2;
  }
  case DLT_RAW:
  case DLT_IPV4:
  case DLT_IPV6:
    return 0;
  case DLT_LINUX_SLL:
    if (len < 16) return -1;
    *ethertype = (uint16_t)(p[14] << 8 | p[15]);
    return 16;
  case DLT_LINUX_SLL2:
    if (len < 20) return -1;
    *ethertype = (uint16_t)(p[0] << 8 | p[1]);
    return 20;
  case DLT_NULL:
  case DLT_LOOP:
    return len < 4 ? -1 : 4;
  default:
    return -1;
  }
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s DB FILE\n", argv[0]);
    return 2;
  }
  MMDB_s mmdb;
  int status = MMDB_open(argv[1], MMDB_MODE_MMAP, &mmdb);
  if (status != MMDB_SUCCESS) {
    fprintf(stderr, "mmdb_lookup: %s: %s\n", argv[1], MMDB_strerror(status));
    return 1;
  }
  char err[PCAP_ERRBUF_SIZE];
  pcap_t *pc = pcap_open_offline(argv[2], err);
  if (!pc) {
    fprintf(stderr, "mmdb_lookup: %s: %s\n", argv[2], err);
    return 1;
  }
  int dlt = pcap_datalink(pc);

  static uint64_t counts[26 * 26];
  uint64_t packets = 0, ipv4 = 0, ipv6 = 0, not_ip = 0, unknown = 0, lookup_errors = 0;
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  struct sockaddr_in6 sin6;
  memset(&sin6, 0, sizeof sin6);
  sin6.sin6_family = AF_INET6;

  struct pcap_pkthdr *h;
  const u_char *data;
  int rc;
  double t0 = now();
  while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
    packets++;
    uint16_t ethertype;
    long off = network_offset(dlt, data, h->caplen, &ethertype);
    if (off < 0 || (uint32_t)off >= h->caplen) {
      not_ip++;
      continue;
    }
    const u_char *ip = data + off;
    uint32_t left = h->caplen - (uint32_t)off;
    int version = ip[0] >> 4;
    if (ethertype == 0x0800) version = version == 4 ? 4 : 0;
    else if (ethertype == 0x86DD) version = version == 6 ? 6 : 0;
    else if (ethertype != 0) version = 0;
    const struct sockaddr *sa;
    if (version == 4 && left >= 20) {
      memcpy(&sin.sin_addr, ip + 12, 4);
      sa = (const struct sockaddr *)&sin;
      ipv4++;
    } else if (version == 6 && left >= 40) {
      memcpy(&sin6.sin6_addr, ip + 8, 16);
      sa = (const struct sockaddr *)&sin6;
      ipv6++;
    } else {
      not_ip++;
      continue;
    }
    int mmdb_error;
    MMDB_lookup_result_s r = MMDB_lookup_sockaddr(&mmdb, sa, &mmdb_error);
    if (mmdb_error != MMDB_SUCCESS) {
      lookup_errors++;
      unknown++;
      continue;
    }
    MMDB_entry_data_s d;
    if (r.found_entry &&
        MMDB_get_value(&r.entry, &d, "country", "iso_code", NULL) == MMDB_SUCCESS && d.has_data &&
        d.type == MMDB_DATA_TYPE_UTF8_STRING && d.data_size == 2 && d.utf8_string[0] >= 'A' &&
        d.utf8_string[0] <= 'Z' && d.utf8_string[1] >= 'A' && d.utf8_string[1] <= 'Z') {
      counts[(d.utf8_string[0] - 'A') * 26 + (d.utf8_string[1] - 'A')]++;
    } else {
      unknown++;
    }
  }
  double t1 = now();
  if (rc == PCAP_ERROR) {
    fprintf(stderr, "mmdb_lookup: %s: after packet %llu: %s\n", argv[2],
            (unsigned long long)packets, pcap_geterr(pc));
    return 1;
  }
  pcap_close(pc);
  MMDB_close(&mmdb);

  printf("{\"packets\":%llu,\"seconds\":%.6f,\"ipv4\":%llu,\"ipv6\":%llu,\"not_ip\":%llu,"
         "\"unknown\":%llu,\"lookup_errors\":%llu,\"countries\":{",
         (unsigned long long)packets, t1 - t0, (unsigned long long)ipv4, (unsigned long long)ipv6,
         (unsigned long long)not_ip, (unsigned long long)unknown,
         (unsigned long long)lookup_errors);
  int first = 1;
  for (int i = 0; i < 26 * 26; i++) {
    if (!counts[i]) continue;
    printf("%s\"%c%c\":%llu", first ? "" : ",", 'A' + i / 26, 'A' + i % 26,
           (unsigned long long)counts[i]);
    first = 0;
  }
  printf("}}\n");
  return 0;
}
