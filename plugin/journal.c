/* The state journal (hp_journal.h): JSON lines, appended and fsync'ed. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "hp_journal.h"
#include "hp_json.h"

#define JOURNAL_FILE "journal.jsonl"
/* Bounds (issue 11: 100k records cost 10 s and 736 MB per run). Reading
 * looks at the last JOURNAL_TAIL bytes only; an intent grows the file past
 * JOURNAL_ROTATE no more: the file is compacted first (the pending intents
 * and the last JOURNAL_KEEP records stay; the old file becomes
 * journal.jsonl.1). Records carry at most HP_ENGINE_MSG_MAX bytes of detail. */
#define JOURNAL_TAIL ((off_t)2 << 20)
#define JOURNAL_ROTATE ((off_t)1 << 20)
#define JOURNAL_KEEP 1000
/* Pending intents older than those kept, and handled by one recovery. A
 * crash leaves one; more is a journal someone wrote for us. */
#define PENDING_KEEP 64
/* Sequence numbers and times beyond these are not records of ours (and
 * could overflow what is computed from them). */
#define SEQ_MAX ((uint64_t)1 << 53)
#define TIME_MAX ((int64_t)1 << 40)

struct hp_journal {
	int fd;
	char *dir;
	char *path;
	uint64_t next_seq;
};

static const char *const phases[] = { "intent", "done", "failed", "reversed", "recovered" };

void hp_journal_entry_release(struct hp_journal_entry *e)
{
	free(e->op);
	free(e->package);
	free(e->engine);
	free(e->component);
	free(e->build);
	free(e->payload);
	free(e->live_name);
	free(e->phase);
	free(e->detail);
	memset(e, 0, sizeof(*e));
}

void hp_journal_entries_free(struct hp_journal_entry *v, size_t nr)
{
	for (size_t i = 0; v && i < nr; i++)
		hp_journal_entry_release(&v[i]);
	free(v);
}

char *hp_journal_default_dir(const char *root)
{
	return hp_path_join(root && *root ? root : "/", "var/lib/hotpatch/journal");
}

const char *hp_journal_path(const struct hp_journal *j)
{
	return j->path;
}

static char *get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return hp_xstrdup(json_object_get_string(v));
}

/* Parses one line; 0 when it is a well-formed record. */
static int parse_line(const char *line, size_t len, struct hp_journal_entry *e)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o, *v;
	int ret = -1;

	memset(e, 0, sizeof(*e));
	o = json_tokener_parse_ex(tok, line, (int)len);
	/* A torn line parses as incomplete (json_tokener_continue): skip it. */
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object))
		goto out;
	if (!json_object_object_get_ex(o, "seq", &v) || !json_object_is_type(v, json_type_int))
		goto out;
	if (json_object_get_int64(v) < 1 || (uint64_t)json_object_get_int64(v) > SEQ_MAX)
		goto out;
	e->seq = (uint64_t)json_object_get_int64(v);
	if (json_object_object_get_ex(o, "time", &v))
		e->time = json_object_get_int64(v);
	if (e->time < 0 || e->time > TIME_MAX)
		goto out;
	e->op = get_str(o, "op");
	e->package = get_str(o, "package");
	e->engine = get_str(o, "engine");
	e->component = get_str(o, "component");
	e->build = get_str(o, "build");
	e->payload = get_str(o, "payload");
	e->live_name = get_str(o, "live_name");
	e->phase = get_str(o, "phase");
	e->detail = get_str(o, "detail");
	if (!e->op || !e->phase) {
		hp_journal_entry_release(e);
		goto out;
	}
	ret = 0;
out:
	json_object_put(o);
	json_tokener_free(tok);
	return ret;
}

/* The last JOURNAL_TAIL bytes of the journal, from the first whole line. */
static int read_tail(struct hp_journal *j, struct hp_strbuf *sb, struct hp_strbuf *err)
{
	struct stat st;
	off_t from = 0;
	char *nl;

	if (fstat(j->fd, &st) < 0)
		return hp_error_errno(err, errno, "cannot stat '%s'", j->path);
	if (st.st_size > JOURNAL_TAIL)
		from = st.st_size - JOURNAL_TAIL;
	hp_strbuf_init(sb);
	while (from < st.st_size) {
		char buf[65536];
		ssize_t n = pread(j->fd, buf, sizeof(buf), from);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hp_error_errno(err, errno, "cannot read '%s'", j->path);
		if (!n)
			break;
		/* Appended meanwhile: not ours to read now. */
		if ((size_t)n > (size_t)(st.st_size - from))
			n = (ssize_t)(st.st_size - from);
		hp_strbuf_add(sb, buf, (size_t)n);
		from += n;
	}
	if (st.st_size > JOURNAL_TAIL && (nl = memchr(sb->buf, '\n', sb->len))) {
		size_t cut = (size_t)(nl - sb->buf) + 1;

		memmove(sb->buf, sb->buf + cut, sb->len - cut);
		sb->len -= cut;
		sb->buf[sb->len] = '\0';
	}
	return 0;
}

int hp_journal_read(struct hp_journal *j, struct hp_journal_entry **out, size_t *nr,
		    struct hp_strbuf *err)
{
	struct hp_strbuf sb = HP_STRBUF_INIT;
	struct hp_journal_entry *v = NULL;
	size_t n = 0, alloc = 0;

	*out = NULL;
	*nr = 0;
	/* Not created yet: no records (see ensure_file). */
	if (j->fd < 0)
		return 0;
	if (read_tail(j, &sb, err)) {
		hp_strbuf_release(&sb);
		return -1;
	}
	for (size_t pos = 0; pos < sb.len;) {
		char *nl = memchr(sb.buf + pos, '\n', sb.len - pos);
		size_t len = nl ? (size_t)(nl - (sb.buf + pos)) : sb.len - pos;

		HP_ALLOC_GROW(v, n + 1, alloc);
		if (len && parse_line(sb.buf + pos, len, &v[n]) == 0)
			n++;
		pos += len + 1;
	}
	hp_strbuf_release(&sb);
	*out = v;
	*nr = n;
	return 0;
}

/* Creates the directory and the file on the first record: a run that
 * writes nothing (a refused apply, a reapply with nothing to do) leaves no
 * trace on disk. */
static int ensure_file(struct hp_journal *j, struct hp_strbuf *err)
{
	int dfd;

	if (j->fd >= 0)
		return 0;
	if (hp_mkdir_p(j->dir, 0755, err))
		return -1;
	j->fd = open(j->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (j->fd < 0)
		return hp_error_errno(err, errno, "cannot open '%s'", j->path);
	/* The new file's directory entry must survive a crash too. */
	dfd = open(j->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* Appends one line with a single write and makes it durable. */
static int append_line(struct hp_journal *j, const char *s, struct hp_strbuf *err)
{
	char *line = hp_xasprintf("%s\n", s);
	size_t len = strlen(line), off = 0;
	int ret = -1;

	if (ensure_file(j, err))
		goto out;
	while (off < len) {
		ssize_t n = write(j->fd, line + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			hp_error_errno(err, errno, "cannot write '%s'", j->path);
			goto out;
		}
		off += (size_t)n;
	}
	if (fdatasync(j->fd) < 0) {
		hp_error_errno(err, errno, "cannot sync '%s'", j->path);
		goto out;
	}
	ret = 0;
out:
	free(line);
	return ret;
}

struct hp_journal *hp_journal_open(const char *dir, struct hp_strbuf *err)
{
	struct hp_journal *j = hp_xcalloc(1, sizeof(*j));
	struct hp_journal_entry *v = NULL;
	size_t nr = 0;
	struct stat st;

	j->fd = -1;
	j->dir = hp_xstrdup(dir);
	j->path = hp_path_join(dir, JOURNAL_FILE);
	j->next_seq = 1;
	/* Not through a symlink, not a FIFO (O_NONBLOCK: the open cannot
	 * hang on one) nor a device: the journal is a file of our own. */
	j->fd = open(j->path, O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (j->fd < 0) {
		/* No journal yet (nor maybe its directory): an empty one, created
		 * by the first record (ensure_file). */
		if (errno == ENOENT)
			return j;
		if (errno == ELOOP)
			hp_error(err, "journal '%s' is a symlink; refused", j->path);
		else
			hp_error_errno(err, errno, "cannot open '%s'", j->path);
		goto fail;
	}
	if (fstat(j->fd, &st) < 0) {
		hp_error_errno(err, errno, "cannot stat '%s'", j->path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		hp_error(err, "journal '%s' is not a regular file; refused", j->path);
		goto fail;
	}
	fcntl(j->fd, F_SETFL, O_APPEND);
	if (st.st_size > 0) {
		char last;
		if (pread(j->fd, &last, 1, st.st_size - 1) != 1) {
			hp_error_errno(err, errno, "cannot read '%s'", j->path);
			goto fail;
		}
		/* A crash mid-write left a torn last line: end it, so that the
		 * next record is a line of its own (the torn one is skipped). */
		if (last != '\n' && append_line(j, "", err))
			goto fail;
	}
	if (hp_journal_read(j, &v, &nr, err))
		goto fail;
	for (size_t i = 0; i < nr; i++)
		if (v[i].seq >= j->next_seq)
			j->next_seq = v[i].seq + 1;
	hp_journal_entries_free(v, nr);
	return j;
fail:
	hp_journal_close(j);
	return NULL;
}

void hp_journal_close(struct hp_journal *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	free(j->dir);
	free(j->path);
	free(j);
}

static void add_str(struct json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, hp_json_str(val));
}

/* One record as a JSON object (caller puts it); detail cut to
 * HP_ENGINE_MSG_MAX bytes. */
static struct json_object *record_obj(uint64_t seq, int64_t when, const char *op,
				      const char *engine, const char *package,
				      const char *component, const char *build,
				      const char *payload, const char *live_name,
				      const char *phase, const char *detail)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "seq", json_object_new_int64((int64_t)seq));
	json_object_object_add(o, "time", json_object_new_int64(when));
	add_str(o, "op", op);
	add_str(o, "package", package);
	add_str(o, "engine", engine);
	add_str(o, "component", component);
	add_str(o, "build", build);
	add_str(o, "payload", payload);
	add_str(o, "live_name", live_name);
	add_str(o, "phase", phase);
	if (detail && strlen(detail) > HP_ENGINE_MSG_MAX) {
		char *cut = hp_xasprintf("%.*s...", HP_ENGINE_MSG_MAX, detail);

		add_str(o, "detail", cut);
		free(cut);
	} else {
		add_str(o, "detail", detail);
	}
	return o;
}

static int write_record(struct hp_journal *j, uint64_t seq, const char *op, const char *engine,
			const char *package, const char *component, const char *build,
			const char *payload, const char *live_name, const char *phase,
			const char *detail, struct hp_strbuf *err)
{
	struct json_object *o = record_obj(seq, (int64_t)time(NULL), op, engine, package,
					   component, build, payload, live_name, phase, detail);
	int ret;

	ret = append_line(j, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), err);
	json_object_put(o);
	return ret;
}

struct seq_ref {
	uint64_t seq;
	size_t idx;
};

static int cmp_seq_ref(const void *a, const void *b)
{
	const struct seq_ref *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* pending[i] = 1 for each intent of v[] without a result of the same seq;
 * O(n log n) (issue 11: the nested scan took minutes on 200k intents).
 * Returns a malloc'd array of nr flags. */
static char *mark_pending(const struct hp_journal_entry *v, size_t nr)
{
	struct seq_ref *results = hp_xcalloc(nr, sizeof(*results));
	char *pending = hp_xcalloc(nr, 1);
	size_t nres = 0;

	for (size_t i = 0; i < nr; i++)
		if (strcmp(v[i].phase, "intent")) {
			results[nres].seq = v[i].seq;
			results[nres++].idx = i;
		}
	qsort(results, nres, sizeof(*results), cmp_seq_ref);
	for (size_t i = 0; i < nr; i++) {
		struct seq_ref key = { v[i].seq, 0 }, *r;

		if (strcmp(v[i].phase, "intent"))
			continue;
		r = bsearch(&key, results, nres, sizeof(*results), cmp_seq_ref);
		/* bsearch finds one of equal seqs: answered when any result
		 * with this seq comes after the intent. */
		while (r && r > results && r[-1].seq == v[i].seq)
			r--;
		pending[i] = 1;
		for (; r && r < results + nres && r->seq == v[i].seq; r++)
			if (r->idx > i)
				pending[i] = 0;
	}
	free(results);
	return pending;
}

/* Once the file is past JOURNAL_ROTATE: journal.jsonl becomes journal.jsonl.1
 * and a new journal.jsonl holds the pending intents and the last
 * JOURNAL_KEEP records of the tail (each record as it was read, re-encoded). */
static int compact(struct hp_journal *j, struct hp_strbuf *err)
{
	struct hp_journal_entry *v = NULL;
	struct hp_strbuf text = HP_STRBUF_INIT;
	char *old = NULL, *pending = NULL;
	size_t nr = 0;
	struct stat st;
	int fd = -1, ret = -1;

	if (j->fd < 0 || fstat(j->fd, &st) < 0 || st.st_size <= JOURNAL_ROTATE)
		return 0;
	if (hp_journal_read(j, &v, &nr, err))
		goto out;
	pending = mark_pending(v, nr);
	/* Older pending intents kept: the most recent PENDING_KEEP. */
	for (size_t i = nr, n = 0; i-- > 0;)
		if (pending[i] && i + JOURNAL_KEEP < nr && ++n > PENDING_KEEP)
			pending[i] = 0;
	for (size_t i = 0; i < nr; i++) {
		struct json_object *o;

		if (i + JOURNAL_KEEP < nr && !pending[i])
			continue;
		o = record_obj(v[i].seq, v[i].time, v[i].op, v[i].engine, v[i].package,
			       v[i].component, v[i].build, v[i].payload, v[i].live_name,
			       v[i].phase, v[i].detail);
		hp_strbuf_addf(&text, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	}
	old = hp_xasprintf("%s.1", j->path);
	if (link(j->path, old) < 0 && (errno != EEXIST || unlink(old) < 0 || link(j->path, old) < 0)) {
		hp_error_errno(err, errno, "cannot rotate '%s' to '%s'", j->path, old);
		goto out;
	}
	if (hp_write_file_atomic(j->path, text.buf, text.len, 0644, err))
		goto out;
	fd = open(j->path, O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		hp_error_errno(err, errno, "cannot open '%s'", j->path);
		goto out;
	}
	close(j->fd);
	j->fd = fd;
	ret = 0;
out:
	hp_journal_entries_free(v, nr);
	hp_strbuf_release(&text);
	free(pending);
	free(old);
	return ret;
}

int hp_journal_intent(struct hp_journal *j, const char *op, const char *engine,
		      const struct hp_engine_item *it, uint64_t *seq, struct hp_strbuf *err)
{
	if (!op || (strcmp(op, "apply") && strcmp(op, "revert")))
		return hp_error(err, "journal: unknown operation '%s'", op ? op : "");
	if (compact(j, err))
		return -1;
	if (write_record(j, j->next_seq, op, engine, it->package, it->component, it->build,
			 it->payload, it->live_name, "intent", NULL, err))
		return -1;
	*seq = j->next_seq++;
	return 0;
}

int hp_journal_result(struct hp_journal *j, uint64_t seq, const char *phase, const char *detail,
		      struct hp_strbuf *err)
{
	struct hp_journal_entry *v = NULL, *in = NULL;
	size_t nr = 0;
	int known = 0, ret = -1;

	for (size_t i = 1; i < sizeof(phases) / sizeof(*phases); i++)
		if (phase && !strcmp(phase, phases[i]))
			known = 1;
	if (!known)
		return hp_error(err, "journal: unknown result phase '%s'", phase ? phase : "");
	if (hp_journal_read(j, &v, &nr, err))
		goto out;
	for (size_t i = 0; i < nr; i++)
		if (v[i].seq == seq && !strcmp(v[i].phase, "intent"))
			in = &v[i];
	if (!in) {
		hp_error(err, "journal '%s': no intent with seq %" PRIu64, j->path, seq);
		goto out;
	}
	ret = write_record(j, seq, in->op, in->engine, in->package, in->component, in->build,
			   in->payload, in->live_name, phase, detail, err);
out:
	hp_journal_entries_free(v, nr);
	return ret;
}

int hp_journal_pending(struct hp_journal *j, struct hp_journal_entry **out, size_t *nr,
		       struct hp_strbuf *err)
{
	struct hp_journal_entry *v = NULL;
	size_t n = 0, keep = 0, npending = 0;
	char *pending;

	*out = NULL;
	*nr = 0;
	if (hp_journal_read(j, &v, &n, err))
		return -1;
	pending = mark_pending(v, n);
	for (size_t i = 0; i < n; i++)
		npending += pending[i];
	/* The most recent PENDING_KEEP: what one recovery handles. */
	for (size_t i = 0; i < n; i++) {
		if (!pending[i] || npending-- > PENDING_KEEP) {
			hp_journal_entry_release(&v[i]);
			continue;
		}
		v[keep++] = v[i];
	}
	free(pending);
	*out = v;
	*nr = keep;
	return 0;
}

int hp_journal_recover(struct hp_journal *j, const struct hp_engine_config *cfg,
		       struct hp_strbuf *report, struct hp_strbuf *err)
{
	struct hp_journal_entry *v = NULL;
	size_t nr = 0;
	int ret = 0;

	/* Compacted first: each result below reads the journal's tail. */
	if (compact(j, err) || hp_journal_pending(j, &v, &nr, err))
		return -1;
	for (size_t i = 0; i < nr; i++) {
		struct hp_engine_item it = { v[i].package, v[i].component, v[i].build,
					     v[i].payload, NULL, v[i].live_name };
		struct hp_strbuf why = HP_STRBUF_INIT;
		struct hp_engine *e = v[i].engine ? hp_engine_get(v[i].engine, cfg, &why) : NULL;
		int live = e ? hp_engine_is_live(e, &it, &why) : -1;

		if (live < 0) {
			hp_error(err, "journal: cannot recover %s of %s (seq %" PRIu64 "): %s",
				 v[i].op, v[i].package ? v[i].package : "?", v[i].seq,
				 why.len ? why.buf : "no engine recorded");
			ret = -1;
		} else if (hp_journal_result(j, v[i].seq, "recovered", live ? "live" : "not live",
					     err)) {
			ret = -1;
		} else if (report) {
			hp_strbuf_addf(report, "%s%s of %s (seq %" PRIu64 ") was interrupted; "
				       "recovered: %s\n", "", v[i].op,
				       v[i].package ? v[i].package : "?", v[i].seq,
				       live ? "live" : "not live");
		}
		hp_engine_free(e);
		hp_strbuf_release(&why);
	}
	hp_journal_entries_free(v, nr);
	return ret;
}

int hp_journal_engine_op(struct hp_journal *j, struct hp_engine *e, const char *op,
			 const struct hp_engine_item *it, struct hp_strbuf *err)
{
	struct hp_strbuf why = HP_STRBUF_INIT, tmp = HP_STRBUF_INIT;
	uint64_t seq;
	int live, ret;

	if (hp_journal_intent(j, op, hp_engine_name(e), it, &seq, err))
		return -1;
	if (!strcmp(op, "apply"))
		ret = hp_engine_apply(e, it, &why);
	else
		ret = hp_engine_revert(e, it, &why);
	if (!ret) {
		ret = hp_journal_result(j, seq, "done", NULL, err);
		goto out;
	}
	/* Say what is true now, not what we hoped: ask the engine. */
	live = hp_engine_is_live(e, it, &tmp);
	hp_strbuf_addf(&why, "%s(live now: %s)", why.len ? " " : "",
		       live < 0 ? "unknown" : live ? "yes" : "no");
	hp_strbuf_addf(err, "%s%s", err->len ? "\n" : "", why.buf);
	hp_journal_result(j, seq, "failed", why.buf, err);
	ret = -1;
out:
	hp_strbuf_release(&why);
	hp_strbuf_release(&tmp);
	return ret;
}
