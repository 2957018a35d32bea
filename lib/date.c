/* Dates: see hp_date.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hp_date.h"

int hp_parse_date(const char *s, time_t *out)
{
	struct tm tm = { 0 };
	char back[11];
	int y, m, d;
	char extra;

	if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	*out = timegm(&tm);
	/* timegm normalises 2026-02-30 to March: reject what does not round-trip. */
	hp_format_date(*out, back);
	return strcmp(back, s) ? -1 : 0;
}

void hp_format_date(time_t t, char buf[11])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 11, "%Y-%m-%d", &tm);
}

time_t hp_now(void)
{
	const char *e = getenv("HP_NOW");

	if (e && *e) {
		char *end;
		long long v = strtoll(e, &end, 10);
		if (!*end && v >= 0)
			return (time_t)v;
	}
	return time(NULL);
}

/* A decimal in [min, max], nothing else. */
static int env_number(const char *name, unsigned long long min, unsigned long long max,
		      struct hp_strbuf *err)
{
	const char *e = getenv(name);
	unsigned long long v;
	char *end;

	if (!e)
		return 0;
	errno = 0;
	v = strtoull(e, &end, 10);
	if (!isdigit((unsigned char)*e) || *end || errno || v < min || v > max)
		return hp_error(err, "invalid %s '%s': expected a number, %llu..%llu", name, e,
				min, max);
	return 0;
}

int hp_env_check(struct hp_strbuf *err)
{
	/* Year 36812 at most: no date computed from it overflows. */
	if (env_number("HP_NOW", 0, 1ULL << 40, err) ||
	    env_number("HP_KLP_TIMEOUT", 1, 86400, err))
		return -1;
	return 0;
}
