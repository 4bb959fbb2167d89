// The system lz4 (Debian: liblz4-dev), for Parquet pages compressed with it.
#include <lz4.h>
