// The system zstd (Debian: libzstd-dev), for Parquet pages compressed with it.
#include <zstd.h>
