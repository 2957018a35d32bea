/* Dates (lib/date.c): "YYYY-MM-DD" in UTC, and the clock of every
 * decision. */
#ifndef HP_DATE_H
#define HP_DATE_H

#include <time.h>

#include "hp_strbuf.h"

/* Dates "YYYY-MM-DD" (UTC midnight). Returns 0 and sets *out, or -1 if the
 * string is not a valid calendar date. */
int hp_parse_date(const char *s, time_t *out);
/* Formats `t` as "YYYY-MM-DD" in UTC into buf (11 bytes). */
void hp_format_date(time_t t, char buf[11]);
/* The time "now" for every decision; HP_NOW (seconds since the epoch) overrides
 * it so that expiry and support-end rules can be tested on real data. */
time_t hp_now(void);
/* Checks the environment variables that steer decisions (HP_NOW: 0..2^40;
 * HP_KLP_TIMEOUT: 1..86400 seconds): garbage or out of range is an error
 * ("invalid HP_NOW 'x': expected a number, 0..N"), never silently ignored.
 * Commands call it first and treat a failure as a usage error. */
int hp_env_check(struct hp_strbuf *err);

#endif
