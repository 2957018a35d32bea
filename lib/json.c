/* Shared json-c builders: see hp_json.h. */
#include "hp_json.h"

struct json_object *hp_json_str(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

struct json_object *hp_json_strings(const struct hp_strvec *a, const struct hp_strvec *b)
{
	struct json_object *arr = json_object_new_array();
	const struct hp_strvec *v[2] = { a, b };

	for (int k = 0; k < 2; k++)
		for (size_t i = 0; v[k] && i < v[k]->nr; i++)
			json_object_array_add(arr, json_object_new_string(v[k]->v[i]));
	return arr;
}

/* How many objects were printed: the command framework prints an error as
 * JSON only when the command printed none (one process, one counter). */
static unsigned long nr_printed;

unsigned long hp_json_printed(void)
{
	return nr_printed;
}

int hp_json_print(FILE *f, struct json_object *obj)
{
	return hp_json_print_flags(f, obj, JSON_C_TO_STRING_SPACED);
}

int hp_json_print_flags(FILE *f, struct json_object *obj, int flags)
{
	const char *s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_NOSLASHESCAPE | flags);
	int ret = fprintf(f, "%s\n", s) < 0 ? -1 : 0;

	nr_printed++;
	json_object_put(obj);
	if (fflush(f))
		ret = -1;
	return ret;
}
