// The system zstd (Debian: libzstd-dev), for Parquet pages compressed with it.
// ZSTD_decompressBound (an upper bound of a page's output, read from its frame headers) is
// in the "static linking only" part of the header; libzstd exports it (1.4.10 and later).
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
