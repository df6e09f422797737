/*
 * Baseline: the cost of only reading a capture with libpcap.
 *
 * Opens FILE with pcap_open_offline (pcap or pcapng), calls pcap_next_ex until the end, counts
 * packets and sums their captured lengths (so the loop has an observable result), and prints
 *   {"packets":N,"bytes":B,"seconds":S}
 * where S is CLOCK_MONOTONIC time around the read loop only (open and close excluded).
 *
 * Usage: pcap_read FILE
 */
#define _DEFAULT_SOURCE /* u_char and friends in <pcap/pcap.h>; maxminddb.h asks for strict POSIX */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s FILE\n", argv[0]);
    return 2;
  }
  char err[PCAP_ERRBUF_SIZE];
  pcap_t *p = pcap_open_offline(argv[1], err);
  if (!p) {
    fprintf(stderr, "pcap_read: %s: %s\n", argv[1], err);
    return 1;
  }
  struct pcap_pkthdr *h;
  const u_char *data;
  uint64_t packets = 0, bytes = 0;
  int rc;
  double t0 = now();
  while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
    packets++;
    bytes += h->caplen;
  }
  double t1 = now();
  if (rc == PCAP_ERROR) {
    fprintf(stderr, "pcap_read: %s: after packet %llu: %s\n", argv[1], (unsigned long long)packets,
            pcap_geterr(p));
    pcap_close(p);
    return 1;
  }
  pcap_close(p);
  printf("{\"packets\":%llu,\"bytes\":%llu,\"seconds\":%.6f}\n", (unsigned long long)packets,
         (unsigned long long)bytes, t1 - t0);
  return 0;
}
