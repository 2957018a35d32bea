/* Running a helper program: see hp_run.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hp_run.h"

/* Commands run with a fixed, minimal environment: nothing from the
 * caller's environment (LD_PRELOAD, IFS ...) reaches a root helper. */
static char *const run_env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL };

long hp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* What is kept of a helper's output (issue 11: 50 MB on stderr became a
 * 50 MB error line and journal record): the last HP_RUN_MSG_MAX bytes of
 * stderr, and at most OUT_MAX bytes of stdout (then the command fails). */
#define OUT_MAX ((size_t)1 << 20)

/* Appends to `sb`, keeping only its last `keep` bytes once it grows past
 * twice that (amortised: the tail is moved once per `keep` bytes). */
static void add_tail(struct hp_strbuf *sb, const char *buf, size_t n, size_t keep)
{
	hp_strbuf_add(sb, buf, n);
	if (sb->len > 2 * keep) {
		memmove(sb->buf, sb->buf + sb->len - keep, keep);
		sb->len = keep;
		sb->buf[keep] = '\0';
	}
}

/* The last non-empty line of `sb`, for error messages. */
static const char *last_line(struct hp_strbuf *sb)
{
	char *p;

	while (sb->len && (sb->buf[sb->len - 1] == '\n' || sb->buf[sb->len - 1] == ' '))
		sb->buf[--sb->len] = '\0';
	p = strrchr(sb->buf, '\n');
	p = p ? p + 1 : sb->buf;
	/* One line of at most HP_RUN_MSG_MAX bytes (the tail: errors end
	 * with the reason). */
	if (strlen(p) > HP_RUN_MSG_MAX)
		p += strlen(p) - HP_RUN_MSG_MAX;
	return hp_oneline_inplace(p);
}

/* A child being run: its pid and the read ends of its stdout and stderr. */
struct child {
	const char *const *argv;
	pid_t pid;
	int fd[2];              /* stdout, stderr; -1 once at EOF */
	struct hp_strbuf *out;  /* stdout goes here (NULL: dropped) */
	struct hp_strbuf errout;
	int exited, status;     /* reaped (status valid) */
	int too_much;           /* stdout beyond OUT_MAX */
};

static void kill_child(const struct child *c)
{
	kill(-c->pid, SIGKILL);
	kill(c->pid, SIGKILL);
}

/* Forks and execs argv[0]; in the parent returns 0 with c->pid and c->fd
 * set, or -1 with `err`. */
static int spawn(struct child *c, struct hp_strbuf *err)
{
	int opipe[2] = { -1, -1 }, epipe[2] = { -1, -1 };
	int ret = -1;

	if (pipe2(opipe, O_CLOEXEC) < 0 || pipe2(epipe, O_CLOEXEC) < 0) {
		hp_error_errno(err, errno, "cannot create a pipe for '%s'", c->argv[0]);
		goto out;
	}
	c->pid = fork();
	if (c->pid < 0) {
		hp_error_errno(err, errno, "cannot fork for '%s'", c->argv[0]);
		goto out;
	}
	if (c->pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		/* Own process group: a timeout kills the helper and its children. */
		setpgid(0, 0);
		if (null < 0 || dup2(null, 0) < 0 || dup2(opipe[1], 1) < 0 || dup2(epipe[1], 2) < 0)
			_exit(127);
		execve(c->argv[0], (char *const *)c->argv, run_env);
		/* Only async-signal-safe calls after fork (the caller may be threaded). */
		if (write(2, "cannot run the program: exec failed\n", 36) < 0)
			_exit(127);
		_exit(127);
	}
	/* Also from this side: a timeout may come before the child ran. */
	setpgid(c->pid, c->pid);
	c->fd[0] = opipe[0];
	c->fd[1] = epipe[0];
	opipe[0] = epipe[0] = -1;
	ret = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (opipe[i] >= 0)
			close(opipe[i]);
		if (epipe[i] >= 0)
			close(epipe[i]);
	}
	return ret;
}

/* Reads the child's output until both pipes are at EOF or the deadline
 * (0 = none) passes. 0, 1 when it timed out (the child is killed), or -1
 * with `err` (the child is killed and reaped). */
static int pump(struct child *c, long deadline, struct hp_strbuf *err)
{
	long exit_ms = 0;

	/* The child's exit is an event of its own, looked for at least every
	 * 100 ms (waitpid WNOHANG; portable, valgrind-friendly): a daemon it
	 * left holding the pipes must not make it look hung. */
	while (c->fd[0] >= 0 || c->fd[1] >= 0) {
		struct pollfd pfd[2] = { { c->fd[0], POLLIN, 0 }, { c->fd[1], POLLIN, 0 } };
		int wait = -1, n;

		if (!c->exited && waitpid(c->pid, &c->status, WNOHANG) == c->pid) {
			c->exited = 1;
			exit_ms = hp_now_ms();
		}
		/* What a leftover daemon keeps writing is not waited for. */
		if (c->exited && hp_now_ms() - exit_ms > 200)
			break;
		if (deadline) {
			long left = deadline - hp_now_ms();
			if (left <= 0) {
				kill_child(c);
				return 1;
			}
			wait = (int)left;
		}
		/* Exited: take what is already in the pipes, wait no more. */
		if (c->exited)
			wait = 0;
		else if (wait < 0 || wait > 100)
			wait = 100;
		n = poll(pfd, 2, wait);
		if (c->exited && n == 0)
			break;
		if (n < 0 && errno != EINTR) {
			hp_error_errno(err, errno, "cannot wait for '%s'", c->argv[0]);
			kill_child(c);
			if (!c->exited)
				waitpid(c->pid, NULL, 0);
			return -1;
		}
		for (int i = 0; n > 0 && i < 2; i++) {
			char buf[4096];
			ssize_t r;

			if (!pfd[i].revents)
				continue;
			r = read(c->fd[i], buf, sizeof(buf));
			if (r > 0) {
				if (i)
					add_tail(&c->errout, buf, (size_t)r, HP_RUN_MSG_MAX);
				else if (c->out && c->out->len + (size_t)r <= OUT_MAX)
					hp_strbuf_add(c->out, buf, (size_t)r);
				else if (c->out)
					c->too_much = 1;
			} else if (r == 0 || errno != EINTR) {
				close(c->fd[i]);
				c->fd[i] = -1;
			}
		}
	}
	return 0;
}

int hp_run_command(const char *const *argv, unsigned timeout_s, struct hp_strbuf *out,
		   struct hp_strbuf *err)
{
	struct child c = { argv, -1, { -1, -1 }, out, HP_STRBUF_INIT, 0, 0, 0 };
	long deadline = timeout_s ? hp_now_ms() + (long)timeout_s * 1000L : 0;
	int status = 0, ret = -1, timed_out;

	if (spawn(&c, err))
		goto out;
	timed_out = pump(&c, deadline, err);
	if (timed_out < 0)
		goto out;
	status = c.status;
	while (!c.exited && waitpid(c.pid, &status, 0) < 0) {
		if (errno != EINTR) {
			hp_error_errno(err, errno, "cannot wait for '%s'", argv[0]);
			goto out;
		}
	}
	if (timed_out) {
		hp_error(err, "'%s' did not finish within %u s; killed", argv[0], timeout_s);
		goto out;
	}
	if (WIFSIGNALED(status)) {
		hp_error(err, "'%s' was killed by signal %d", argv[0], WTERMSIG(status));
		goto out;
	}
	ret = WEXITSTATUS(status);
	if (!ret && c.too_much) {
		ret = hp_error(err, "'%s' printed more than %zu MiB; refused", argv[0],
			       OUT_MAX >> 20);
		goto out;
	}
	/* Keep what the helper said: the caller words the failure. */
	if (ret)
		hp_error(err, "'%s' exited with status %d%s%s", argv[0], ret,
			 c.errout.len ? ": " : "", last_line(&c.errout));
out:
	for (int i = 0; i < 2; i++)
		if (c.fd[i] >= 0)
			close(c.fd[i]);
	hp_strbuf_release(&c.errout);
	return ret;
}
