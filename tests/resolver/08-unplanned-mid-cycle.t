# an unplanned baseline replaces the planned one mid-cycle (emergency openssl
# rebuild); the machine that booted into it is on U1, and hotpatches for its
# builds are offered
installed kernel-core 6.1.0-57
installed openssl-libs 3.0.7-1
installed openssl-libs 3.0.7-2
running kernel-core 6.1.0-57
running auto
baseline B1 planned 2026-10-01 - kernel-core=6.1.0-57 openssl-libs=3.0.7-1
baseline U1 unplanned 2026-11-15 - kernel-core=6.1.0-57 openssl-libs=3.0.7-2
baseline B2 planned 2027-01-01 - kernel-core=6.1.0-60 openssl-libs=3.0.7-2
hotpatch ossl-hp-1 1-1 x86_64 openssl-libs 3.0.7-1 ulp
hotpatch ossl-hp-2 1-1 x86_64 openssl-libs 3.0.7-2 ulp
now 2026-11-29
expect running openssl-libs 3.0.7-2
expect baseline U1
expect available ossl-hp-2 1-1
expect held_back kernel-core 6.1.0-60 B2
