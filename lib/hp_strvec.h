/* String vectors (lib/strvec.c). */
#ifndef HP_STRVEC_H
#define HP_STRVEC_H

#include <stddef.h>

/* A NULL-terminated vector of malloc'd strings; the vector owns them. */
struct hp_strvec {
	char **v;     /* v[nr] == NULL once anything was pushed */
	size_t nr;
	size_t alloc;
};

#define HP_STRVEC_INIT { NULL, 0, 0 }

void hp_strvec_init(struct hp_strvec *sv);
void hp_strvec_push(struct hp_strvec *sv, const char *s);          /* copies s */
void hp_strvec_push_nodup(struct hp_strvec *sv, char *s);          /* takes ownership of s */
void hp_strvec_pushf(struct hp_strvec *sv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int hp_strvec_contains(const struct hp_strvec *sv, const char *s);
void hp_strvec_release(struct hp_strvec *sv);

#endif
