# the running build's newest baseline is past its support end: no hotpatches,
# told to reboot into the newest baseline
installed kernel-core 6.1.0-57
running kernel-core 6.1.0-57
baseline B1 planned 2026-10-01 2026-12-31 kernel-core=6.1.0-57
baseline B2 planned 2027-01-01 - kernel-core=6.1.0-60
hotpatch kpatch-57 3-1 x86_64 kernel-core 6.1.0-57 klp
now 2027-02-01
expect baseline B1 expired
expect held_back kernel-core 6.1.0-60 B2
expect message baseline B1 is past its support end (2026-12-31): reboot into baseline B2
