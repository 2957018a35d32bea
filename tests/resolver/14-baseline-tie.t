# two baselines issued the same day both match: the higher id wins; the
# newest baseline with a newer build is the one holding it back
installed kernel-core 6.1.0-57
running kernel-core 6.1.0-57
baseline 2026-Q4a planned 2026-10-01 - kernel-core=6.1.0-57
baseline 2026-Q4b unplanned 2026-10-01 - kernel-core=6.1.0-57
baseline 2027-Q1 planned 2027-01-01 - kernel-core=6.1.0-60
baseline 2027-Q2 planned 2027-04-01 - kernel-core=6.1.0-70
now 2026-11-29
expect baseline 2026-Q4b
expect held_back kernel-core 6.1.0-70 2027-Q2
