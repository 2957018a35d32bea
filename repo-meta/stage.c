/* The repository lock and the staging of a new repodata/ (see hp_publish.h).
 *
 * repomd.xml and repomd.xml.asc are two files: no order of renames of the
 * two can make them change together. So a publish builds a whole new
 * repodata/ beside the live one (REPO/.hotpatch/stage/repodata: hard links
 * to the files it keeps, new files for what it writes, everything fsync'd)
 * and swaps the two directories with one renameat2(RENAME_EXCHANGE). At
 * every instant REPO/repodata is either the old directory or the new one,
 * each self-consistent. Whatever a killed publish leaves is below
 * REPO/.hotpatch/stage and is removed by the next publish under the lock. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hp_publish.h"

#define STAGE_DIR HP_REPO_STATE_DIR "/stage"

int hp_repo_lock(const char *repodir, int wait_seconds, struct hp_strbuf *err)
{
	char *state = hp_path_join(repodir, HP_REPO_STATE_DIR);
	char *path = hp_path_join(state, "lock");
	struct timespec pause = { 0, 100 * 1000 * 1000 };
	long tries = (long)wait_seconds * 10;
	int fd = -1;

	if (hp_mkdir_p(state, 0755, err))
		goto out;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		hp_error_errno(err, errno, "cannot open the repository lock '%s'", path);
		goto out;
	}
	/* Polled rather than blocking, so that the wait is bounded. */
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			hp_error_errno(err, errno, "cannot lock '%s'", path);
			goto fail;
		}
		if (tries-- <= 0) {
			hp_error(err, "'%s': another publish holds the repository lock '%s' "
				 "(waited %d seconds); try again later", repodir, path, wait_seconds);
			goto fail;
		}
		nanosleep(&pause, NULL);
	}
	goto out;
fail:
	close(fd);
	fd = -1;
out:
	free(state);
	free(path);
	return fd;
}

void hp_repo_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

void hp_stage_init(struct hp_stage *st)
{
	memset(st, 0, sizeof(*st));
}

void hp_stage_release(struct hp_stage *st)
{
	/* Not committed: the staged directory is garbage. */
	if (st->root)
		hp_remove_tree(st->root);
	free(st->repodir);
	free(st->root);
	free(st->repodata);
	hp_stage_init(st);
}

int hp_fsync_path(const char *path, struct hp_strbuf *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0 || fsync(fd) < 0)
		ret = hp_error_errno(err, errno, "cannot sync '%s'", path);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Temporary files of hp_write_file_atomic left by a killed run. */
static void remove_tmp_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strstr(de->d_name, ".tmp.")) {
			char *p = hp_path_join(dir, de->d_name);

			unlink(p);
			free(p);
		}
	}
	closedir(d);
}

int hp_stage_cleanup(const char *repodir, struct hp_strbuf *err)
{
	char *root = hp_path_join(repodir, STAGE_DIR);
	char *live = hp_path_join(repodir, "repodata");
	char *old = hp_path_join(root, "repodata.old");
	char *state = hp_path_join(repodir, HP_REPO_STATE_DIR);
	struct stat st;
	int ret = -1;

	/* Killed between the two renames of the fallback commit: put the old
	 * repodata back first. */
	if (lstat(live, &st) < 0 && errno == ENOENT && lstat(old, &st) == 0 &&
	    rename(old, live) < 0) {
		hp_error_errno(err, errno, "cannot restore '%s' from '%s'", live, old);
		goto out;
	}
	hp_remove_tree(root);
	if (lstat(root, &st) == 0) {
		hp_error(err, "cannot remove the leftover staging directory '%s'", root);
		goto out;
	}
	remove_tmp_files(state);
	remove_tmp_files(live);
	ret = 0;
out:
	free(root);
	free(live);
	free(old);
	free(state);
	return ret;
}

static int copy_file(const char *src, const char *dst, struct hp_strbuf *err)
{
	struct hp_strbuf data = HP_STRBUF_INIT;
	struct stat st;
	int ret = -1;

	if (stat(src, &st) < 0) {
		hp_error_errno(err, errno, "cannot read '%s'", src);
		goto out;
	}
	if (hp_read_file(src, &data, err))
		goto out;
	ret = hp_write_file_atomic(dst, data.buf, data.len, (int)(st.st_mode & 07777), err);
out:
	hp_strbuf_release(&data);
	return ret;
}

/* What a publish never carries over: the signature (made anew or dropped),
 * temporary files and the fixed-name record file of killed older versions. */
static int skipped(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, "repomd.xml.asc") ||
		strstr(name, ".tmp.") || !strcmp(name, "hotpatch.xml.gz");
}

/* Fills `to` (created) with `from`'s entries: regular files hard-linked
 * (copied where the file system has no links), repomd.xml copied because
 * it is rewritten, symlinks recreated, directories recursively. */
static int link_tree(const char *from, const char *to, int top, struct hp_strbuf *err)
{
	DIR *d = NULL;
	struct dirent *de;
	int ret = -1;

	if (mkdir(to, 0755) < 0) {
		hp_error_errno(err, errno, "cannot create directory '%s'", to);
		goto out;
	}
	if (!(d = opendir(from))) {
		hp_error_errno(err, errno, "cannot read directory '%s'", from);
		goto out;
	}
	while ((de = readdir(d))) {
		char *src, *dst, target[4096];
		struct stat st;
		ssize_t n;
		int r = 0;

		if (top ? skipped(de->d_name) : (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")))
			continue;
		src = hp_path_join(from, de->d_name);
		dst = hp_path_join(to, de->d_name);
		if (lstat(src, &st) < 0) {
			r = hp_error_errno(err, errno, "cannot read '%s'", src);
		} else if (S_ISDIR(st.st_mode)) {
			r = link_tree(src, dst, 0, err);
		} else if (S_ISLNK(st.st_mode)) {
			n = readlink(src, target, sizeof(target) - 1);
			if (n < 0 || (target[n] = '\0', symlink(target, dst) < 0))
				r = hp_error_errno(err, errno, "cannot copy the symlink '%s'", src);
		} else if (!S_ISREG(st.st_mode)) {
			r = hp_error(err, "'%s': not a regular file, directory or symlink", src);
		} else if ((top && !strcmp(de->d_name, "repomd.xml")) || link(src, dst) < 0) {
			r = copy_file(src, dst, err);
		}
		free(src);
		free(dst);
		if (r)
			goto out;
	}
	ret = 0;
out:
	if (d)
		closedir(d);
	return ret;
}

int hp_stage_open(struct hp_stage *st, const char *repodir, int with_repodata,
		  struct hp_strbuf *err)
{
	char *live = hp_path_join(repodir, "repodata");
	struct stat sb;
	int ret = -1;

	hp_stage_release(st);
	st->repodir = hp_xstrdup(repodir);
	st->root = hp_path_join(repodir, STAGE_DIR);
	st->repodata = hp_path_join(st->root, "repodata");
	if (mkdir(st->root, 0755) < 0) {
		hp_error_errno(err, errno, "cannot create the staging directory '%s'", st->root);
		free(st->root);
		st->root = NULL;	/* not ours: never remove it */
		goto out;
	}
	/* No repodata/ yet (publish --createrepo makes the first one). */
	if (with_repodata && !(lstat(live, &sb) < 0 && errno == ENOENT) &&
	    link_tree(live, st->repodata, 1, err))
		goto out;
	ret = 0;
out:
	free(live);
	return ret;
}

int hp_stage_commit(struct hp_stage *st, struct hp_strbuf *err)
{
	char *live = hp_path_join(st->repodir, "repodata");
	char *old = hp_path_join(st->root, "repodata.old");
	struct stat sb;
	int ret = -1;

	/* The new files are synced as they are written; the directory
	 * entries (links, renames) are made durable here, before the swap. */
	if (hp_fsync_path(st->repodata, err))
		goto out;
	if (lstat(live, &sb) < 0 && errno == ENOENT) {
		/* the first repodata/: nothing to swap with */
		if (rename(st->repodata, live) < 0) {
			hp_error_errno(err, errno, "cannot rename '%s' to '%s'", st->repodata, live);
			goto out;
		}
	} else if (renameat2(AT_FDCWD, st->repodata, AT_FDCWD, live, RENAME_EXCHANGE) < 0) {
		if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
			hp_error_errno(err, errno, "cannot swap '%s' and '%s'", st->repodata, live);
			goto out;
		}
		/* A file system without RENAME_EXCHANGE: two renames, with a
		 * moment without repodata/ (never a mismatched pair); a kill in
		 * between is undone by hp_stage_cleanup. */
		if (rename(live, old) < 0) {
			hp_error_errno(err, errno, "cannot rename '%s' to '%s'", live, old);
			goto out;
		}
		if (rename(st->repodata, live) < 0) {
			hp_error_errno(err, errno, "cannot rename '%s' to '%s'", st->repodata, live);
			rename(old, live);
			goto out;
		}
	}
	if (hp_fsync_path(st->repodir, err))
		goto out;
	ret = 0;
out:
	free(live);
	free(old);
	return ret;
}
