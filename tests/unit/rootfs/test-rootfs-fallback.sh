# The same containers with common/path.c's userspace resolver instead of
# openat2, so both ways of staying inside the rootfs meet the race test.
SLOIKA_PATH_FALLBACK=1 exec "$top_builddir/tests/unit/rootfs/test-rootfs"
