# a user-space component: its running build is the installed one (auto)
installed openssl-libs 3.0.7-1
installed hello 1.0-1
running auto
baseline B1 planned 2026-10-01 - openssl-libs=3.0.7-1 kernel-core=6.1.0-57
baseline B2 planned 2026-12-01 - openssl-libs=3.0.7-3 kernel-core=6.1.0-57
hotpatch ossl-hp 1-1 x86_64 openssl-libs 3.0.7-1 ulp CVE-2026-1111
hotpatch ossl-hp 2-1 x86_64 openssl-libs 3.0.7-1 ulp CVE-2026-1111 CVE-2026-2222
now 2026-11-29
expect running openssl-libs 3.0.7-1
expect available ossl-hp 2-1
expect held_back openssl-libs 3.0.7-3 B2
expect baseline B1
