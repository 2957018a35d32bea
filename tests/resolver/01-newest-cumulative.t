# newest cumulative hotpatch for the running kernel
installed kernel-core 6.1.0-57
installed kernel-core 6.1.0-58
running kernel-core 6.1.0-57
baseline B1 planned 2026-10-01 2027-01-15 kernel-core=6.1.0-57
baseline B2 planned 2027-01-01 - kernel-core=6.1.0-60
hotpatch kpatch-57 1-1 x86_64 kernel-core 6.1.0-57 klp CVE-2026-0001
hotpatch kpatch-57 2-1 x86_64 kernel-core 6.1.0-57 klp CVE-2026-0001 CVE-2026-0002
hotpatch kpatch-58 1-1 x86_64 kernel-core 6.1.0-58 klp
now 2026-11-29
expect available kpatch-57 2-1
expect held_back kernel-core 6.1.0-60 B2
expect baseline B1
