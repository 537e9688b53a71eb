"""glibc's allocator set up for a long cold report: large freed buffers are kept for reuse.

A cold year is hundreds of MiB of page bodies, read and copied in pieces of 256 KiB to 20 MiB.
By default glibc maps each large buffer fresh from the kernel (faulted in page by page) and
returns freed memory at once, so every page body pays its page faults again.
"""

from __future__ import annotations

import os
import sys

M_TRIM_THRESHOLD = -1
"""mallopt(3): free memory at the heap's top kept before it is returned to the kernel."""
M_MMAP_THRESHOLD = -3
"""mallopt(3): the size from which an allocation gets its own mapping."""
KEEP_FREED_BYTES = 512 * 1024 * 1024
HEAP_BUFFERS_UP_TO_BYTES = 32 * 1024 * 1024
"""glibc's largest allowed threshold on 64-bit: a page body (about 20 MiB a month at 200
workspaces) comes from the heap and its memory is reused by the next one."""


def keep_freed_memory() -> bool:
    """On Linux with glibc, serve buffers up to 32 MiB from the heap and keep freed memory for
    reuse for the rest of this process; return whether both settings took."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        if not (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc"):
            return False
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, ValueError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, HEAP_BUFFERS_UP_TO_BYTES) == 1
                and mallopt(M_TRIM_THRESHOLD, KEEP_FREED_BYTES) == 1)
