# rpmvercmp ordering through libsolv: caret > plain > tilde, epochs count,
# and a hotpatch for the epoch-less build does not match an epoch-1 build
installed openssl-libs 1:3.0.7-1
running openssl-libs 1:3.0.7-1
baseline B1 planned 2026-10-01 - openssl-libs=1:3.0.7-1
hotpatch ossl-hp 1.0~rc1-1 x86_64 openssl-libs 1:3.0.7-1 ulp
hotpatch ossl-hp 1.0^post1-1 x86_64 openssl-libs 1:3.0.7-1 ulp
hotpatch ossl-hp 1.0-1 x86_64 openssl-libs 1:3.0.7-1 ulp
hotpatch ossl-noepoch 9-1 x86_64 openssl-libs 3.0.7-1 ulp
hotpatch ossl-epoch 1:1-1 x86_64 openssl-libs 1:3.0.7-1 ulp
hotpatch ossl-epoch 9-1 x86_64 openssl-libs 1:3.0.7-1 ulp
now 2026-11-29
expect available ossl-hp 1.0^post1-1
expect available ossl-epoch 1:1-1
expect baseline B1
