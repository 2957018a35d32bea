/* EVR validation and comparison on rpm's parser. See hp_evr.h. */
#include <ctype.h>
#include <string.h>

#include <rpm/rpmver.h>

#include "hp_evr.h"

int hp_evr_valid(const char *evr)
{
	const char *p, *colon, *dash;

	if (!evr || !*evr)
		return 0;
	for (p = evr; *p; p++)
		if (isspace((unsigned char)*p) || !isprint((unsigned char)*p))
			return 0;
	colon = strchr(evr, ':');
	if (colon) {
		if (colon == evr)
			return 0;
		for (p = evr; p < colon; p++)
			if (!isdigit((unsigned char)*p))
				return 0;
		evr = colon + 1;
	}
	if (strchr(evr, ':'))
		return 0;
	dash = strchr(evr, '-');
	/* exactly one '-', with a version before and a release after it */
	return dash && dash != evr && dash[1] && !strchr(dash + 1, '-');
}

static int has_release(rpmver v)
{
	const char *r = rpmverR(v);

	return r && *r;
}

/* `any_release`: a missing release matches any; otherwise it sorts first
 * (as rpmverCmp does), so that sorting stays a total order. */
static int evr_compare(const char *a, const char *b, int any_release)
{
	rpmver va = rpmverParse(a), vb = rpmverParse(b);
	int r;

	if (!va || !vb) {
		r = strcmp(a, b); /* unparsable: only exact text is "equal" */
		goto out;
	}
	if (any_release && (!has_release(va) || !has_release(vb))) {
		rpmver ea = rpmverNew(rpmverE(va), rpmverV(va), NULL);
		rpmver eb = rpmverNew(rpmverE(vb), rpmverV(vb), NULL);

		r = rpmverCmp(ea, eb);
		rpmverFree(ea);
		rpmverFree(eb);
		goto out;
	}
	r = rpmverCmp(va, vb);
	if (!r)
		r = has_release(va) - has_release(vb);
out:
	rpmverFree(va);
	rpmverFree(vb);
	return r;
}

int hp_evr_cmp(const char *a, const char *b)
{
	return evr_compare(a, b, 0);
}

int hp_evr_match(const char *a, const char *b)
{
	return evr_compare(a, b, 1);
}
