/* A text table for people: rows of cells, printed with every column as wide
 * as its widest cell, so long package names never break the columns. Used
 * by both CLIs (hotpatch check/status, hotpatch-repo list/baseline list).
 *
 *	struct hp_table t;
 *	hp_table_init(&t, 3);
 *	hp_table_row(&t, "NAME", "EVR", "ARCH");     (the header is a row too)
 *	hp_table_row(&t, name, evr, NULL);            (NULL prints as "-")
 *	hp_table_print(stdout, &t, 0);
 *	hp_table_release(&t);
 */
#ifndef HP_TABLE_H
#define HP_TABLE_H

#include <stdio.h>

#include "hp_util.h"

struct hp_table {
	size_t cols;
	struct hp_strvec cells;   /* row-major, cols per row; owned copies */
};

void hp_table_init(struct hp_table *t, size_t cols);
/* Frees the cells; `t` can be reused after hp_table_init. */
void hp_table_release(struct hp_table *t);
/* Adds one row of `cols` strings (NULL prints as "-"); copies them. */
void hp_table_row(struct hp_table *t, ...);
/* Adds one row from an array of `cols` strings (NULL prints as "-"). */
void hp_table_rowv(struct hp_table *t, const char *const *cells);
/* Prints with two spaces between columns, `indent` spaces before each row;
 * the last column is not padded. */
void hp_table_print(FILE *f, const struct hp_table *t, int indent);

#endif
