# the running build is not installed (removed, or a wrong --running): no
# hotpatches for it, no baseline
installed kernel-core 6.1.0-58
running kernel-core 6.1.0-57
baseline B1 planned 2026-10-01 - kernel-core=6.1.0-57
hotpatch kpatch-57 1-1 x86_64 kernel-core 6.1.0-57 klp
now 2026-11-29
expect baseline none
expect message running build kernel-core-6.1.0-57 is not installed
expect message no published baseline matches the running builds
