/* Aligned text tables: see hp_table.h. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hp_table.h"

void hp_table_init(struct hp_table *t, size_t cols)
{
	t->cols = cols;
	hp_strvec_init(&t->cells);
}

void hp_table_release(struct hp_table *t)
{
	hp_strvec_release(&t->cells);
}

void hp_table_row(struct hp_table *t, ...)
{
	va_list ap;

	va_start(ap, t);
	for (size_t i = 0; i < t->cols; i++) {
		const char *s = va_arg(ap, const char *);

		hp_strvec_push(&t->cells, s ? s : "-");
	}
	va_end(ap);
}

void hp_table_rowv(struct hp_table *t, const char *const *cells)
{
	for (size_t i = 0; i < t->cols; i++)
		hp_strvec_push(&t->cells, cells[i] ? cells[i] : "-");
}

void hp_table_print(FILE *f, const struct hp_table *t, int indent)
{
	size_t *w = hp_xcalloc(t->cols ? t->cols : 1, sizeof(*w));
	size_t rows = t->cols ? t->cells.nr / t->cols : 0;

	for (size_t i = 0; i < t->cells.nr; i++) {
		size_t l = strlen(t->cells.v[i]);

		if (l > w[i % t->cols])
			w[i % t->cols] = l;
	}
	for (size_t r = 0; r < rows; r++) {
		fprintf(f, "%*s", indent, "");
		for (size_t c = 0; c < t->cols; c++) {
			const char *s = t->cells.v[r * t->cols + c];

			if (c + 1 == t->cols)
				fprintf(f, "%s\n", s);
			else
				fprintf(f, "%-*s  ", (int)w[c], s);
		}
	}
	free(w);
}
