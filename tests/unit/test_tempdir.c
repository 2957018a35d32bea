/* Temporary directories and fatal signals (hp_tempdir.h, issue 11): a child
 * creates one with files two levels deep, then dies of a signal; the tree
 * must be gone and the child's status must be death by that signal. A
 * directory of the parent registered before the fork is not the child's to
 * remove. */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hp_tempdir.h"
#include "hp_util.h"

static void fill(const char *dir)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *sub = hp_path_join(dir, "repodata/deep");
	char *f1 = hp_path_join(dir, "repodata/repomd.xml");
	char *f2 = hp_path_join(dir, "repodata/deep/x.gz");
	char *f3 = hp_path_join(dir, "top");

	ck_assert_int_eq(hp_mkdir_p(sub, 0700, &err), 0);
	ck_assert_int_eq(hp_write_file_atomic(f1, "a", 1, 0600, &err), 0);
	ck_assert_int_eq(hp_write_file_atomic(f2, "b", 1, 0600, &err), 0);
	ck_assert_int_eq(hp_write_file_atomic(f3, "c", 1, 0600, &err), 0);
	free(f1);
	free(f2);
	free(f3);
	free(sub);
	hp_strbuf_release(&err);
}

static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

START_TEST(test_removed_on_signal)
{
	static const int sigs[] = { SIGTERM, SIGHUP, SIGINT, SIGPIPE, SIGQUIT };
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct sigaction saved[5];
	char *parent;

	/* As a command starts: every fatal signal at its default (a test
	 * runner may have ignored some); restored at the end. */
	for (size_t i = 0; i < 5; i++) {
		ck_assert_int_eq(sigaction(sigs[i], NULL, &saved[i]), 0);
		signal(sigs[i], SIG_DFL);
	}
	parent = hp_tempdir_create("hp-unit-parent-", &err);
	ck_assert_ptr_nonnull(parent);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		int fds[2], status;
		char path[4096] = "";
		pid_t pid;
		ssize_t n;

		ck_assert_int_eq(pipe(fds), 0);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			char *dir = hp_tempdir_create("hp-unit-", NULL);

			if (!dir)
				_exit(3);
			fill(dir);
			if (write(fds[1], dir, strlen(dir)) < 0)
				_exit(4);
			close(fds[1]);
			for (;;)
				pause();
		}
		close(fds[1]);
		n = read(fds[0], path, sizeof(path) - 1);
		close(fds[0]);
		ck_assert_int_gt(n, 0);
		path[n] = '\0';
		ck_assert(exists(path));
		ck_assert_int_eq(kill(pid, sigs[i]), 0);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == sigs[i],
			      "signal %d: status %#x", sigs[i], status);
		ck_assert_msg(!exists(path), "'%s' left after signal %d", path, sigs[i]);
		/* the parent's own directory is not the child's to remove */
		ck_assert(exists(parent));
	}
	hp_tempdir_remove(parent);
	for (size_t i = 0; i < 5; i++)
		sigaction(sigs[i], &saved[i], NULL);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_remove_and_forget)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *dir = hp_tempdir_create("hp-unit-", &err), *copy;

	ck_assert_ptr_nonnull(dir);
	fill(dir);
	copy = hp_xstrdup(dir);
	hp_tempdir_remove(dir);
	ck_assert(!exists(copy));
	free(copy);
	hp_tempdir_remove(NULL);
	hp_tempdir_forget(NULL);
	/* a TMPDIR that cannot hold it: one line, NULL */
	setenv("TMPDIR", "/nonexistent-hp-unit", 1);
	ck_assert_ptr_null(hp_tempdir_create("hp-unit-", &err));
	ck_assert_ptr_nonnull(strstr(err.buf, "cannot create a temporary directory in "
					      "'/nonexistent-hp-unit'"));
	unsetenv("TMPDIR");
	hp_strbuf_release(&err);
}
END_TEST

Suite *tempdir_suite(void)
{
	Suite *s = suite_create("tempdir");
	TCase *tc = tcase_create("signals");

	tcase_add_test(tc, test_removed_on_signal);
	tcase_add_test(tc, test_remove_and_forget);
	suite_add_tcase(s, tc);
	return s;
}
