#ifndef ORIGINCHECK_CPCAP_SHIM_H
#define ORIGINCHECK_CPCAP_SHIM_H
#include <pcap/pcap.h>
#include <zlib.h>
#endif
