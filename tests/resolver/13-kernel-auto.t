# the running kernel package (found by uname -r) gives the kernel build even
# when a newer kernel is installed; baselines listing a component that is
# not installed (glibc) still match
kernel kernel-core 6.1.0-57 6.1.0-57-amd64
installed kernel-core 6.1.0-57
installed kernel-core 6.1.0-58
running auto
baseline B1 planned 2026-10-01 - kernel-core=6.1.0-57 glibc=2.36-9
baseline B0 planned 2026-07-01 - kernel-core=6.1.0-50
hotpatch kpatch-57 1-1 x86_64 kernel-core 6.1.0-57 klp
now 2026-11-29
expect running kernel-core 6.1.0-57
expect baseline B1
expect available kpatch-57 1-1
