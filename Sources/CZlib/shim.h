// The system zlib (Debian: zlib1g-dev), for streaming gzip decompression in the ingest stage.
#include <zlib.h>
