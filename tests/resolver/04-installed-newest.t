# the newest hotpatch is installed already: nothing available
installed kernel-core 6.1.0-57
installed-hotpatch kpatch-57 2-1 kernel-core 6.1.0-57
running kernel-core 6.1.0-57
baseline B1 planned 2026-10-01 - kernel-core=6.1.0-57
hotpatch kpatch-57 1-1 x86_64 kernel-core 6.1.0-57 klp
hotpatch kpatch-57 2-1 x86_64 kernel-core 6.1.0-57 klp
now 2026-11-29
expect installed kpatch-57 2-1 newest
expect baseline B1
