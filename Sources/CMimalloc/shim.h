// mimalloc (Debian's libmimalloc-dev): linked into the tollgate executable, whose malloc and free it replaces
// (Debian builds it with MI_OVERRIDE). Only `mi_version` is called, to report the allocator at start.
#include <mimalloc.h>
