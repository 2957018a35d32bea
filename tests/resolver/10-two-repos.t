# two repositories: the newest version wins across them, and two package
# names for the same build are both reported
installed kernel-core 6.1.0-57
running kernel-core 6.1.0-57
repo base
baseline B1 planned 2026-10-01 - kernel-core=6.1.0-57
hotpatch kpatch-57 1-1 x86_64 kernel-core 6.1.0-57 klp
repo extra
hotpatch kpatch-57 2-1 x86_64 kernel-core 6.1.0-57 klp
hotpatch kpatch-57-net 1-1 x86_64 kernel-core 6.1.0-57 kpatch
now 2026-11-29
expect available kpatch-57 2-1
expect available kpatch-57-net 1-1
expect baseline B1
