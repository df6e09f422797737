#ifndef ORIGINCHECK_CPCAP_SHIM_H
#define ORIGINCHECK_CPCAP_SHIM_H
// libpcap and zlib for the Capture module, plus a small input stream that Swift cannot build by itself:
// a zlib reader (gzip or plain bytes, detected by zlib) whose first bytes can be peeked and are then
// replayed, exposed either directly or as a stdio FILE (glibc `fopencookie`) for libpcap.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <pcap/pcap.h>
#include <zlib.h>

/// Bytes an `oc_stream` can peek and replay.
#define OC_STREAM_PEEK_MAX 64

/// An input stream over a file descriptor: gzip-compressed content is decompressed, anything else is
/// passed through unchanged (zlib's transparent mode).
typedef struct oc_stream {
  gzFile gz;
  unsigned char prefix[OC_STREAM_PEEK_MAX];
  size_t prefix_len;
  size_t prefix_pos;
  /// Bytes handed out so far (after decompression).
  long long position;
  /// zlib error code seen by a read: Z_OK, Z_BUF_ERROR (the compressed stream ended early), Z_DATA_ERROR...
  int zerr;
  /// errno of a failed read from the descriptor, 0 if none.
  int read_errno;
} oc_stream;

/// Opens a stream over `fd`, which it owns from then on (closed by `oc_stream_close`). NULL when out of memory.
/// The corresponding C functions are `gzdopen` and `gzbuffer`.
static inline oc_stream *oc_stream_open(int fd) {
  oc_stream *s = (oc_stream *)calloc(1, sizeof(oc_stream));
  if (s == NULL) return NULL;
  s->gz = gzdopen(fd, "rb");
  if (s->gz == NULL) {
    free(s);
    return NULL;
  }
  gzbuffer(s->gz, 1u << 17);
  return s;
}

/// Records zlib's state after a short read: a compressed stream that ends early or is corrupt.
static inline void oc_stream_note_error(oc_stream *s) {
  int errnum = Z_OK;
  (void)gzerror(s->gz, &errnum);
  if (errnum == Z_ERRNO) {
    s->read_errno = errno != 0 ? errno : EIO;
  }
  if (errnum != Z_OK && s->zerr == Z_OK) s->zerr = errnum;
}

/// Reads up to `len` bytes (replayed peeked bytes first). Returns the count, 0 at the end, -1 on error.
/// The corresponding C function is `gzread`.
static inline long oc_stream_read(oc_stream *s, void *buf, size_t len) {
  if (s->prefix_pos < s->prefix_len) {
    size_t n = s->prefix_len - s->prefix_pos;
    if (n > len) n = len;
    memcpy(buf, s->prefix + s->prefix_pos, n);
    s->prefix_pos += n;
    s->position += (long long)n;
    return (long)n;
  }
  if (len > (1u << 30)) len = 1u << 30;
  int got = gzread(s->gz, buf, (unsigned)len);
  if (got <= 0) {
    oc_stream_note_error(s);
    if (got < 0) return -1;
    return 0;
  }
  s->position += got;
  return (long)got;
}

/// Reads up to `len` (at most OC_STREAM_PEEK_MAX) bytes into `prefix` without consuming them: later reads
/// return them again. Returns the count, or -1 on error. Call once, before any other read.
static inline long oc_stream_peek(oc_stream *s, size_t len) {
  if (len > OC_STREAM_PEEK_MAX) len = OC_STREAM_PEEK_MAX;
  size_t done = 0;
  while (done < len) {
    int got = gzread(s->gz, s->prefix + done, (unsigned)(len - done));
    if (got < 0) {
      oc_stream_note_error(s);
      return -1;
    }
    if (got == 0) {
      oc_stream_note_error(s);
      break;
    }
    done += (size_t)got;
  }
  s->prefix_len = done;
  s->prefix_pos = 0;
  return (long)done;
}

/// Whether the content passes through unchanged (not gzip). Valid after `oc_stream_peek`.
static inline int oc_stream_direct(oc_stream *s) { return gzdirect(s->gz); }

/// zlib's message for the last error, or "" when there is none.
static inline const char *oc_stream_error_message(oc_stream *s) {
  int errnum = Z_OK;
  const char *message = gzerror(s->gz, &errnum);
  return message != NULL ? message : "";
}

/// Closes the stream and its descriptor, and frees it.
static inline void oc_stream_close(oc_stream *s) {
  if (s == NULL) return;
  gzclose_r(s->gz);
  free(s);
}

/// Function table for glibc `fopencookie`, declared here with the same layout as glibc's
/// `cookie_io_functions_t`, which <stdio.h> declares only under _GNU_SOURCE.
typedef struct oc_cookie_io_functions {
  ssize_t (*read)(void *cookie, char *buf, size_t size);
  ssize_t (*write)(void *cookie, const char *buf, size_t size);
  int (*seek)(void *cookie, __off64_t *offset, int whence);
  int (*close)(void *cookie);
} oc_cookie_io_functions;

/// glibc `fopencookie`, reached under its own symbol name.
extern FILE *oc_glibc_fopencookie(void *cookie, const char *mode, oc_cookie_io_functions io)
  __asm__("fopencookie");

static inline ssize_t oc_stream_cookie_read(void *cookie, char *buf, size_t size) {
  long n = oc_stream_read((oc_stream *)cookie, buf, size);
  if (n < 0) {
    errno = EIO;
    return -1;
  }
  return (ssize_t)n;
}

/// Reports the position for `ftell` (offset 0 from the current position); any real seek fails.
static inline int oc_stream_cookie_seek(void *cookie, __off64_t *offset, int whence) {
  oc_stream *s = (oc_stream *)cookie;
  if (whence == SEEK_CUR && *offset == 0) {
    *offset = (__off64_t)s->position;
    return 0;
  }
  errno = ESPIPE;
  return -1;
}

static inline int oc_stream_cookie_close(void *cookie) {
  oc_stream_close((oc_stream *)cookie);
  return 0;
}

/// A read-only FILE over the stream, which then belongs to the FILE (`fclose` closes it).
/// The stream pointer stays valid until then. NULL on failure (the stream is then still the caller's).
/// The corresponding C function is `fopencookie`.
static inline FILE *oc_stream_fopen(oc_stream *s) {
  oc_cookie_io_functions io = {oc_stream_cookie_read, NULL, oc_stream_cookie_seek, oc_stream_cookie_close};
  FILE *file = oc_glibc_fopencookie(s, "rb", io);
  if (file != NULL) setvbuf(file, NULL, _IOFBF, 1u << 16);
  return file;
}

/// A read-only FILE with the decompressed content of the gzip data on `fd` (or its bytes unchanged
/// when they are not gzip). The FILE owns `fd`.
static inline FILE *oc_gzip_fopen(int fd) {
  oc_stream *s = oc_stream_open(fd);
  if (s == NULL) return NULL;
  FILE *file = oc_stream_fopen(s);
  if (file == NULL) oc_stream_close(s);
  return file;
}

#endif
