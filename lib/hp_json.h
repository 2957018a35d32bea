/* Small json-c builders both CLIs and the scan cache share. Each returns a
 * new reference (the caller json_object_put()s it, or hands it to
 * json_object_object_add/array_add, which take it over). */
#ifndef HP_JSON_H
#define HP_JSON_H

#include <stdio.h>

#include <json-c/json.h>

#include "hp_util.h"

/* A JSON string, or NULL (JSON null in json-c) when `s` is NULL. */
struct json_object *hp_json_str(const char *s);
/* An array of the strings of `a`, then those of `b` (either may be NULL). */
struct json_object *hp_json_strings(const struct hp_strvec *a, const struct hp_strvec *b);
/* Prints `obj` pretty, slashes unescaped, one trailing newline, and drops
 * the reference. Returns 0, or -1 on a write error. */
int hp_json_print(FILE *f, struct json_object *obj);
/* The same with json-c's `flags` added to pretty and unescaped slashes
 * (hotpatch-repo prints without JSON_C_TO_STRING_SPACED). */
int hp_json_print_flags(FILE *f, struct json_object *obj, int flags);
/* How many objects hp_json_print* printed in this process. */
unsigned long hp_json_printed(void);

#endif
