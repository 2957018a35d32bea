# hotpatches for a build that does not run are ignored (even if installed)
installed kernel-core 6.1.0-57
installed kernel-core 6.1.0-58
running kernel-core 6.1.0-57
baseline B1 planned 2026-10-01 - kernel-core=6.1.0-57
baseline B2 planned 2026-11-01 - kernel-core=6.1.0-58
hotpatch kpatch-58 1-1 x86_64 kernel-core 6.1.0-58 klp
hotpatch kpatch-58 2-1 x86_64 kernel-core 6.1.0-58 klp
hotpatch kpatch-57x 1-1 x86_64 kernel-core 6.1.0-57.1 klp
now 2026-11-29
expect held_back kernel-core 6.1.0-58 B2
expect baseline B1
