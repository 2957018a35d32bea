/* Dates (lib/date.c): "YYYY-MM-DD" in UTC, and the clock of every
 * decision. */
#ifndef HP_DATE_H
#define HP_DATE_H

#include <time.h>

/* Dates "YYYY-MM-DD" (UTC midnight). Returns 0 and sets *out, or -1 if the
 * string is not a valid calendar date. */
int hp_parse_date(const char *s, time_t *out);
/* Formats `t` as "YYYY-MM-DD" in UTC into buf (11 bytes). */
void hp_format_date(time_t t, char buf[11]);
/* The time "now" for every decision; HP_NOW (seconds since the epoch) overrides
 * it so that expiry and support-end rules can be tested on real data. */
time_t hp_now(void);

#endif
