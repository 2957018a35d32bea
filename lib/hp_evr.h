/* The one comparison of RPM "[E:]V[-R]" strings in the project, on rpm's own
 * parser and order (rpmverParse/rpmverCmp: epoch, '~' and '^' as rpm does).
 * libsolv's pool_evrcmp_str stays inside the resolver, where the versions
 * are pool data. Nothing here allocates anything the caller must free. */
#ifndef HP_EVR_H
#define HP_EVR_H

/* 1 when `evr` has the form [E:]V-R (E digits; V and R non-empty, no '-'
 * in either, no whitespace), else 0. */
int hp_evr_valid(const char *evr);

/* rpm's total order of two "[E:]V[-R]" strings (missing epoch = 0): <0, 0,
 * >0. A string without a release sorts before the same E:V with one, so
 * the order is strict; unparsable strings compare by their text. */
int hp_evr_cmp(const char *a, const char *b);

/* As hp_evr_cmp, but a missing release on either side matches any release
 * (rpm's rule for dependencies: "3.0.11" matches "3.0.11-1"). For callers
 * that match a requested or running version, not for sorting. */
int hp_evr_match(const char *a, const char *b);

#endif
