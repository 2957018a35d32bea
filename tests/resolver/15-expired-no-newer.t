# support ended and no newer baseline carries the component
installed openssl-libs 3.0.7-1
running openssl-libs 3.0.7-1
baseline B1 planned 2026-01-01 2026-06-30 openssl-libs=3.0.7-1
hotpatch ossl-hp 1-1 x86_64 openssl-libs 3.0.7-1 ulp
now 2026-11-29
expect baseline B1 expired
expect message baseline B1 is past its support end (2026-06-30): no newer baseline
