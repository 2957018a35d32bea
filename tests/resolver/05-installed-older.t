# an older version is installed: the newer one is available, the installed
# one is reported (found by name, no hotpatch() provide in this data)
installed kernel-core 6.1.0-57
installed kpatch-57 1-1
running kernel-core 6.1.0-57
baseline B1 planned 2026-10-01 - kernel-core=6.1.0-57
hotpatch kpatch-57 1-1 x86_64 kernel-core 6.1.0-57 klp
hotpatch kpatch-57 2-1 x86_64 kernel-core 6.1.0-57 klp
now 2026-11-29
expect available kpatch-57 2-1
expect installed kpatch-57 1-1 old
expect baseline B1
