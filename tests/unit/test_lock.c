/* Run lock: real processes contend for a real lock file. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hp_lock.h"

static char tmp[64];
static char *path;

static void setup(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/hp-lock-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	path = hp_lock_default_path(tmp);
}

static void teardown(void)
{
	char *d = hp_xasprintf("%s/run", tmp);

	unlink(path);
	rmdir(d);
	rmdir(tmp);
	free(d);
	free(path);
}

/* A child that takes the lock, tells the parent, then sleeps `hold_ms`
 * (forever when 0) and exits. */
static pid_t holder(unsigned hold_ms)
{
	int fds[2];
	pid_t pid;
	char c;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct hp_lock l = HP_LOCK_INIT;
		struct hp_strbuf err = HP_STRBUF_INIT;
		close(fds[0]);
		if (hp_lock_acquire(&l, path, 0, &err))
			_exit(1);
		if (write(fds[1], "x", 1) != 1)
			_exit(1);
		if (!hold_ms)
			for (;;)
				pause();
		usleep(hold_ms * 1000);
		hp_lock_release(&l);
		_exit(0);
	}
	close(fds[1]);
	ck_assert_int_eq(read(fds[0], &c, 1), 1);
	close(fds[0]);
	return pid;
}

START_TEST(t_contend_and_kill)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_lock l = HP_LOCK_INIT;
	pid_t pid = holder(0);
	char *want = hp_xasprintf("another hotpatch run (pid %ld) holds '%s'", (long)pid, path);
	time_t t0 = time(NULL);
	int status;

	ck_assert_str_eq(path + strlen(tmp), "/run/hotpatch.lock");
	ck_assert_int_eq(hp_lock_acquire(&l, path, 1, &err), -1);
	ck_assert_str_eq(err.buf, want);
	ck_assert_int_ge(time(NULL) - t0, 1); /* it did wait */
	ck_assert_int_eq(l.fd, -1);
	/* The holder crashes: the kernel drops its lock. */
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	hp_strbuf_reset(&err);
	ck_assert_msg(hp_lock_acquire(&l, path, 0, &err) == 0, "%s", err.buf);
	/* Within one process too, a second acquisition conflicts. */
	{
		struct hp_lock l2 = HP_LOCK_INIT;
		char *me = hp_xasprintf("(pid %ld)", (long)getpid());
		ck_assert_int_eq(hp_lock_acquire(&l2, path, 0, &err), -1);
		ck_assert_msg(strstr(err.buf, me), "%s", err.buf);
		free(me);
		hp_lock_release(&l2);
	}
	hp_lock_release(&l);
	hp_lock_release(&l); /* twice is fine */
	free(want);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(t_wait_for_release)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_lock l = HP_LOCK_INIT;
	pid_t pid = holder(300);
	int status;

	ck_assert_msg(hp_lock_acquire(&l, path, 5, &err) == 0, "%s", err.buf);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	hp_lock_release(&l);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(t_open_error)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_lock l = HP_LOCK_INIT;

	ck_assert_int_eq(hp_lock_acquire(&l, "/proc/hotpatch/x.lock", 0, &err), -1);
	ck_assert_msg(strstr(err.buf, "/proc/hotpatch"), "%s", err.buf);
	hp_strbuf_release(&err);
}
END_TEST

Suite *lock_suite(void)
{
	Suite *s = suite_create("lock");
	TCase *tc = tcase_create("lock");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t_contend_and_kill);
	tcase_add_test(tc, t_wait_for_release);
	tcase_add_test(tc, t_open_error);
	suite_add_tcase(s, tc);
	return s;
}
