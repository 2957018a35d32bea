# no repository publishes hotpatch metadata
installed kernel-core 6.1.0-57
running kernel-core 6.1.0-57
now 2026-11-29
expect baseline none
expect message no hotpatch metadata loaded
