/*
 * Baseline: raw libmaxminddb lookup speed on random addresses.
 *
 * Generates COUNT addresses with a fixed-seed xorshift64* generator and, for each, calls
 * MMDB_lookup_sockaddr and reads country.iso_code with MMDB_get_value (the database is opened
 * with MMDB_MODE_MMAP). IPv4 addresses are uniform over the whole 32-bit space; IPv6 addresses
 * are uniform over 2000::/4, where the global unicast allocations are (a uniform 128-bit address
 * almost never has a record and costs only a few tree steps). Prints
 *   {"lookups":N,"found":F,"seconds":S,"lookups_per_second":R}
 * where "found" counts lookups that produced an iso_code and S is CLOCK_MONOTONIC time around the
 * lookup loop; generating the addresses is inside the loop but costs a few nanoseconds each.
 *
 * Usage: mmdb_random DB [--count N] [--seed S] [--v4 | --v6 | --mixed | --ipv6-every K]
 *   (default: 10000000, 1, --mixed)
 *   --mixed alternates IPv4 and IPv6 (50/50), the same as --ipv6-every 2.
 *   --ipv6-every K makes address i IPv6 when i % K == K - 1 (`origincheck lookup-bench --mixed`
 *   is --ipv6-every 10: with the same seed both programs look up the same addresses).
 */
#define _DEFAULT_SOURCE /* u_char and friends in <pcap/pcap.h>; maxminddb.h asks for strict POSIX */
#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t state;
static inline uint64_t next(void) {
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1DULL;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DB [--count N] [--seed S] [--v4|--v6|--mixed|--ipv6-every K]\n", argv[0]);
    return 2;
  }
  uint64_t count = 10000000, seed = 1;
  int mode = 2; /* 0: v4, 1: v6, 2: every `every`-th address IPv6 */
  uint64_t every = 2;
  for (int i = 2; i < argc; i++) {
    if (!strcmp(argv[i], "--count") && i + 1 < argc) count = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--v4")) mode = 0;
    else if (!strcmp(argv[i], "--v6")) mode = 1;
    else if (!strcmp(argv[i], "--mixed")) mode = 2, every = 2;
    else if (!strcmp(argv[i], "--ipv6-every") && i + 1 < argc) {
      mode = 2;
      every = strtoull(argv[++i], NULL, 10);
      if (every < 1) {
        fprintf(stderr, "mmdb_random: --ipv6-every needs a positive integer\n");
        return 2;
      }
    }
    else {
      fprintf(stderr, "mmdb_random: unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  state = seed ? seed : 1;

  MMDB_s mmdb;
  int status = MMDB_open(argv[1], MMDB_MODE_MMAP, &mmdb);
  if (status != MMDB_SUCCESS) {
    fprintf(stderr, "mmdb_random: %s: %s\n", argv[1], MMDB_strerror(status));
    return 1;
  }

  struct sockaddr_in sin;
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  struct sockaddr_in6 sin6;
  memset(&sin6, 0, sizeof sin6);
  sin6.sin6_family = AF_INET6;

  uint64_t found = 0, errors = 0, checksum = 0;
  double t0 = now();
  for (uint64_t i = 0; i < count; i++) {
    const struct sockaddr *sa;
    int v6 = mode == 1 || (mode == 2 && i % every == every - 1);
    if (v6) {
      uint64_t hi = next(), lo = next();
      hi = (hi & 0x0FFFFFFFFFFFFFFFULL) | 0x2000000000000000ULL; /* 2000::/4 */
      for (int b = 0; b < 8; b++) {
        sin6.sin6_addr.s6_addr[b] = (uint8_t)(hi >> (56 - 8 * b));
        sin6.sin6_addr.s6_addr[8 + b] = (uint8_t)(lo >> (56 - 8 * b));
      }
      sa = (const struct sockaddr *)&sin6;
    } else {
      sin.sin_addr.s_addr = (uint32_t)(next() >> 32);
      sa = (const struct sockaddr *)&sin;
    }
    int mmdb_error;
    MMDB_lookup_result_s r = MMDB_lookup_sockaddr(&mmdb, sa, &mmdb_error);
    if (mmdb_error != MMDB_SUCCESS) {
      errors++;
      continue;
    }
    if (!r.found_entry) continue;
    MMDB_entry_data_s d;
    if (MMDB_get_value(&r.entry, &d, "country", "iso_code", NULL) == MMDB_SUCCESS && d.has_data &&
        d.type == MMDB_DATA_TYPE_UTF8_STRING && d.data_size >= 2) {
      found++;
      checksum += (uint8_t)d.utf8_string[0] + (uint8_t)d.utf8_string[1];
    }
  }
  double t1 = now();
  MMDB_close(&mmdb);
  double s = t1 - t0;
  printf("{\"lookups\":%llu,\"found\":%llu,\"errors\":%llu,\"checksum\":%llu,\"seconds\":%.6f,"
         "\"lookups_per_second\":%.0f}\n",
         (unsigned long long)count, (unsigned long long)found, (unsigned long long)errors,
         (unsigned long long)checksum, s, s > 0 ? (double)count / s : 0.0);
  return 0;
}
