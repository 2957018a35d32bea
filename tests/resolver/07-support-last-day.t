# supported-until is inclusive: on that day hotpatches are still offered
installed kernel-core 6.1.0-57
running kernel-core 6.1.0-57
baseline B1 planned 2026-10-01 2026-12-31 kernel-core=6.1.0-57
hotpatch kpatch-57 3-1 x86_64 kernel-core 6.1.0-57 klp
now 2026-12-31
expect baseline B1
expect available kpatch-57 3-1
