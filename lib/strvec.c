/* String vectors: see hp_strvec.h. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hp_strbuf.h"
#include "hp_strvec.h"
#include "hp_wrapper.h"

void hp_strvec_init(struct hp_strvec *sv)
{
	sv->v = NULL;
	sv->nr = 0;
	sv->alloc = 0;
}

void hp_strvec_push_nodup(struct hp_strvec *sv, char *s)
{
	HP_ALLOC_GROW(sv->v, sv->nr + 2, sv->alloc);
	sv->v[sv->nr++] = s;
	sv->v[sv->nr] = NULL;
}

void hp_strvec_push(struct hp_strvec *sv, const char *s)
{
	hp_strvec_push_nodup(sv, hp_xstrdup(s));
}

void hp_strvec_pushf(struct hp_strvec *sv, const char *fmt, ...)
{
	struct hp_strbuf sb = HP_STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	hp_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	hp_strvec_push_nodup(sv, hp_strbuf_detach(&sb));
}

int hp_strvec_contains(const struct hp_strvec *sv, const char *s)
{
	for (size_t i = 0; i < sv->nr; i++)
		if (!strcmp(sv->v[i], s))
			return 1;
	return 0;
}

void hp_strvec_release(struct hp_strvec *sv)
{
	for (size_t i = 0; i < sv->nr; i++)
		free(sv->v[i]);
	free(sv->v);
	hp_strvec_init(sv);
}
