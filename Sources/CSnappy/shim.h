// The system snappy (Debian: libsnappy-dev), for Parquet pages compressed with it.
#include <snappy-c.h>
