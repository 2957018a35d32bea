/* Running a helper program, as git's run-command: no shell, a fixed minimal
 * environment, stdin from /dev/null, its own process group, a deadline.
 * Used by the engines (exec, kpatch) for root helpers. */
#ifndef HP_RUN_H
#define HP_RUN_H

#include "hp_util.h"

/* The most of a helper's stderr kept for messages and journal records. */
#define HP_RUN_MSG_MAX 1024

/* Runs argv[0] (an absolute path; no shell) with argv, stdin from /dev/null,
 * in its own process group, killed (SIGKILL to the group) after `timeout_s`
 * seconds (0 = no limit). Its stdout is appended to `out` when `out` is not
 * NULL; its stderr is kept for the error message. Returns the exit status
 * (0..255) or -1 with `err` (cannot start, killed by a signal, timed out).
 * A non-zero exit status also appends a line to `err` naming the program,
 * the status and the last line it wrote on stderr. */
int hp_run_command(const char *const *argv, unsigned timeout_s, struct hp_strbuf *out,
		   struct hp_strbuf *err);

/* Milliseconds of CLOCK_MONOTONIC, for deadlines. */
long hp_now_ms(void);

#endif
