/* Caches of derived data: see hp_cache.h.
 *
 * Every file is one header line naming what it holds, the key it was derived
 * from and the data's CRC-32 ("hotpatch-cache <format> <version> <kind> <key>
 * <crc>\n"), then the data: a small binary encoding for our records
 * (little-endian integers, strings as length + bytes), libsolv's solv format
 * for @System. */
#include "hp_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <solv/pool.h>
#include <solv/repo_solv.h>
#include <solv/repo_write.h>
#include <solv/solvversion.h>
#include <zlib.h>

#define NULL_STR UINT32_MAX
/* Ends every record file: a truncated file is a miss, not a short model. */
#define END_MARK 0x48504345u   /* "HPCE" */

/* --- encoding --- */

static void put_u32(struct hp_strbuf *b, uint32_t v)
{
	unsigned char x[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };

	hp_strbuf_add(b, x, sizeof(x));
}

static void put_u64(struct hp_strbuf *b, uint64_t v)
{
	put_u32(b, (uint32_t)v);
	put_u32(b, (uint32_t)(v >> 32));
}

static void put_str(struct hp_strbuf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	put_u32(b, s ? (uint32_t)n : NULL_STR);
	if (s)
		hp_strbuf_add(b, s, n);
}

/* Every record file ends with END_MARK: a truncated file is a miss. */
static void put_end(struct hp_strbuf *b)
{
	put_u32(b, END_MARK);
}

static void put_strvec(struct hp_strbuf *b, const struct hp_strvec *sv)
{
	put_u32(b, (uint32_t)sv->nr);
	for (size_t i = 0; i < sv->nr; i++)
		put_str(b, sv->v[i]);
}

/* A reader over the data; any inconsistency sets `bad` and yields zeros. */
struct cursor {
	const unsigned char *p, *end;
	int bad;
};

static uint32_t get_u32(struct cursor *c)
{
	uint32_t v;

	if (c->bad || c->end - c->p < 4) {
		c->bad = 1;
		return 0;
	}
	v = (uint32_t)c->p[0] | (uint32_t)c->p[1] << 8 | (uint32_t)c->p[2] << 16 |
	    (uint32_t)c->p[3] << 24;
	c->p += 4;
	return v;
}

static uint64_t get_u64(struct cursor *c)
{
	uint64_t lo = get_u32(c);

	return lo | (uint64_t)get_u32(c) << 32;
}

/* A count of items that take at least `min_size` bytes each: a corrupt
 * count must not turn into a huge allocation. */
static size_t get_count(struct cursor *c, size_t min_size)
{
	uint32_t n = get_u32(c);

	if (c->bad || n > (size_t)(c->end - c->p) / min_size) {
		c->bad = 1;
		return 0;
	}
	return n;
}

static char *get_str(struct cursor *c)
{
	uint32_t n = get_u32(c);
	char *s;

	if (c->bad || n == NULL_STR)
		return NULL;
	if (n > (size_t)(c->end - c->p) || memchr(c->p, '\0', n)) {
		c->bad = 1;
		return NULL;
	}
	s = hp_xstrndup((const char *)c->p, n);
	c->p += n;
	return s;
}

static void get_end(struct cursor *c)
{
	if (get_u32(c) != END_MARK || c->p != c->end)
		c->bad = 1;
}

static void get_strvec(struct cursor *c, struct hp_strvec *sv)
{
	size_t n = get_count(c, 4);

	for (size_t i = 0; i < n && !c->bad; i++) {
		char *s = get_str(c);

		if (!s)
			c->bad = 1;   /* a vector never holds NULL */
		else
			hp_strvec_push_nodup(sv, s);
	}
}

/* --- files --- */

/* The header without its last field, the data's CRC-32 ("%08x\n"): a disk
 * error or a torn copy in the data is a miss, not a different model. */
static char *header_line(const char *kind, const char *key)
{
	return hp_xasprintf("hotpatch-cache %d %s %s %s ", HP_CACHE_FORMAT, HP_VERSION, kind, key);
}

static unsigned long data_crc(const void *data, size_t len)
{
	uLong crc = crc32(0L, Z_NULL, 0);
	const Bytef *p = data;

	/* zlib takes an uInt length. */
	while (len) {
		uInt n = len > (1u << 30) ? 1u << 30 : (uInt)len;

		crc = crc32(crc, p, n);
		p += n;
		len -= n;
	}
	return crc;
}

/* A key must fit the one header line. */
static int key_ok(const char *key)
{
	return key && *key && !strchr(key, '\n');
}

/* Every entry is the file <dir>/<id>.<kind>. */
static char *entry_path(const struct hp_cache *c, const char *id, const char *kind)
{
	/* Repository ids are sanitized (no '/'), but the cache must never be
	 * a way to write elsewhere. */
	if (!c || !c->dir || !id || !*id || strchr(id, '/') || !strcmp(id, ".") || !strcmp(id, ".."))
		return NULL;
	return hp_xasprintf("%s/%s.%s", c->dir, id, kind);
}

/* Reads `path` into `buf` when it is ours to trust and starts with the
 * header for `kind` and `key`; returns the offset of the data, or 0. */
static size_t read_entry(const char *path, const char *kind, const char *key,
			 struct hp_strbuf *buf)
{
	char *head = NULL;
	struct stat st;
	size_t off = 0, n;
	int fd;

	if (!path || !key_ok(key))
		return 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	/* Only root or we ourselves may have written what we are to trust. */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (st.st_uid && st.st_uid != geteuid()) ||
	    (st.st_mode & 022))
		goto out;
	if (hp_read_fd(fd, path, buf, NULL) < 0)
		goto out;
	head = header_line(kind, key);
	n = strlen(head);
	if (buf->len >= n + 9 && !memcmp(buf->buf, head, n) && buf->buf[n + 8] == '\n') {
		char crc[9], *end;
		unsigned long want;

		memcpy(crc, buf->buf + n, 8);
		crc[8] = '\0';
		want = strtoul(crc, &end, 16);
		if (end == crc + 8 && want == data_crc(buf->buf + n + 9, buf->len - n - 9))
			off = n + 9;
	}
out:
	free(head);
	close(fd);
	return off;
}

/* Reads the entry <id>.<kind> under `key` into `buf` and points `cur` at
 * its data: 1, or 0 on a miss. */
static int open_entry(const struct hp_cache *c, const char *id, const char *kind,
		      const char *key, struct hp_strbuf *buf, struct cursor *cur)
{
	char *path = entry_path(c, id, kind);
	size_t off = read_entry(path, kind, key, buf);

	free(path);
	if (!off)
		return 0;
	cur->p = (const unsigned char *)buf->buf + off;
	cur->end = (const unsigned char *)buf->buf + buf->len;
	cur->bad = 0;
	return 1;
}

struct hp_cache_entry {
	char *path;
	struct hp_strbuf file;   /* header line + data */
};

void hp_cache_init(struct hp_cache *c, const char *dir)
{
	memset(c, 0, sizeof(*c));
	c->dir = hp_xstrdup(dir);
}

static void drop_pending(struct hp_cache *c)
{
	for (size_t i = 0; i < c->nr_pending; i++) {
		free(c->pending[i].path);
		hp_strbuf_release(&c->pending[i].file);
	}
	free(c->pending);
	c->pending = NULL;
	c->nr_pending = c->alloc_pending = 0;
}

void hp_cache_release(struct hp_cache *c)
{
	drop_pending(c);
	free(c->dir);
	c->dir = NULL;
}

/* Failures only mean "not cached": nothing is reported. */
void hp_cache_flush(struct hp_cache *c)
{
	struct hp_strbuf err = HP_STRBUF_INIT;

	if (c->nr_pending && !hp_mkdir_p(c->dir, 0755, &err))
		for (size_t i = 0; i < c->nr_pending; i++)
			hp_write_file_atomic(c->pending[i].path, c->pending[i].file.buf,
					     c->pending[i].file.len, 0644, &err);
	hp_strbuf_release(&err);
	drop_pending(c);
}

/* Queues header + data for the entry <id>.<kind>, replacing an earlier
 * one for the same file. */
static void queue_entry(struct hp_cache *c, const char *id, const char *kind, const char *key,
			const void *data, size_t len)
{
	struct hp_cache_entry *e = NULL;
	char *path = entry_path(c, id, kind), *head;

	if (!path || !key_ok(key)) {
		free(path);
		return;
	}
	for (size_t i = 0; i < c->nr_pending; i++)
		if (!strcmp(c->pending[i].path, path)) {
			e = &c->pending[i];
			free(path);
			hp_strbuf_reset(&e->file);
			break;
		}
	if (!e) {
		HP_ALLOC_GROW(c->pending, c->nr_pending + 1, c->alloc_pending);
		e = &c->pending[c->nr_pending++];
		e->path = path;
		hp_strbuf_init(&e->file);
	}
	head = header_line(kind, key);
	hp_strbuf_adds(&e->file, head);
	hp_strbuf_addf(&e->file, "%08lx\n", data_crc(data, len));
	hp_strbuf_add(&e->file, data, len);
	free(head);
}

/* --- metadata --- */

static void encode_meta(struct hp_strbuf *b, const struct hp_meta *m)
{
	put_u32(b, m->format);
	put_u64(b, m->revision);
	put_u64(b, (uint64_t)m->generated);
	put_u64(b, (uint64_t)m->expires);
	put_str(b, m->repo);
	put_u32(b, (uint32_t)m->nr_baselines);
	for (size_t i = 0; i < m->nr_baselines; i++) {
		const struct hp_baseline *bl = &m->baselines[i];

		put_str(b, bl->id);
		put_u32(b, (uint32_t)bl->kind);
		put_str(b, bl->issued);
		put_str(b, bl->supported_until);
		put_u32(b, (uint32_t)bl->nr_builds);
		for (size_t k = 0; k < bl->nr_builds; k++) {
			put_str(b, bl->builds[k].name);
			put_str(b, bl->builds[k].evr);
		}
	}
	put_u32(b, (uint32_t)m->nr_hotpatches);
	for (size_t i = 0; i < m->nr_hotpatches; i++) {
		const struct hp_hotpatch *h = &m->hotpatches[i];
		const char *s[] = { h->name, h->epoch, h->version, h->release, h->arch,
				    h->component, h->build, h->engine, h->payload,
				    h->payload_sha256, h->location, h->severity, h->issued };

		for (size_t k = 0; k < sizeof(s) / sizeof(s[0]); k++)
			put_str(b, s[k]);
		put_u32(b, (uint32_t)h->reboot_suggested);
		put_strvec(b, &h->cves);
		put_strvec(b, &h->advisories);
	}
	put_end(b);
}

static void decode_meta(struct cursor *c, struct hp_meta *m)
{
	size_t n;

	m->format = get_u32(c);
	m->revision = get_u64(c);
	m->generated = (int64_t)get_u64(c);
	m->expires = (int64_t)get_u64(c);
	m->repo = get_str(c);
	n = get_count(c, 20);
	for (size_t i = 0; i < n && !c->bad; i++) {
		struct hp_baseline b;
		size_t nb;

		hp_baseline_init(&b);
		b.id = get_str(c);
		b.kind = get_u32(c) ? HP_BASELINE_UNPLANNED : HP_BASELINE_PLANNED;
		b.issued = get_str(c);
		b.supported_until = get_str(c);
		nb = get_count(c, 8);
		for (size_t k = 0; k < nb && !c->bad; k++) {
			HP_ALLOC_GROW(b.builds, b.nr_builds + 1, b.alloc_builds);
			b.builds[b.nr_builds].name = get_str(c);
			b.builds[b.nr_builds].evr = get_str(c);
			b.nr_builds++;
		}
		hp_meta_add_baseline(m, &b);
	}
	n = get_count(c, 13 * 4 + 12);
	for (size_t i = 0; i < n && !c->bad; i++) {
		struct hp_hotpatch h;

		hp_hotpatch_init(&h);
		h.name = get_str(c);
		h.epoch = get_str(c);
		h.version = get_str(c);
		h.release = get_str(c);
		h.arch = get_str(c);
		h.component = get_str(c);
		h.build = get_str(c);
		h.engine = get_str(c);
		h.payload = get_str(c);
		h.payload_sha256 = get_str(c);
		h.location = get_str(c);
		h.severity = get_str(c);
		h.issued = get_str(c);
		h.reboot_suggested = get_u32(c) != 0;
		get_strvec(c, &h.cves);
		get_strvec(c, &h.advisories);
		hp_meta_add_hotpatch(m, &h);
	}
	get_end(c);
}

int hp_cache_meta_get(const struct hp_cache *c, const char *id, const char *key,
		      struct hp_meta *m)
{
	struct hp_strbuf buf = HP_STRBUF_INIT;
	struct cursor cur;
	int hit;

	hp_meta_release(m);
	hit = open_entry(c, id, "hotpatch", key, &buf, &cur);
	if (hit) {
		decode_meta(&cur, m);
		if (cur.bad) {
			hp_meta_release(m);
			hit = 0;
		}
	}
	hp_strbuf_release(&buf);
	return hit;
}

void hp_cache_meta_put(struct hp_cache *c, const char *id, const char *key,
		       const struct hp_meta *m)
{
	struct hp_strbuf data = HP_STRBUF_INIT;

	if (!c || !key_ok(key))
		return;   /* nothing to encode for */
	encode_meta(&data, m);
	queue_entry(c, id, "hotpatch", key, data.buf, data.len);
	hp_strbuf_release(&data);
}

/* --- reboot_suggested packages --- */

int hp_cache_reboot_get(const struct hp_cache *c, const char *id, const char *key,
			struct hp_reboot_pkgs *l)
{
	struct hp_strbuf buf = HP_STRBUF_INIT;
	struct hp_reboot_pkgs got;
	struct cursor cur;
	size_t n;
	int hit;

	hp_reboot_pkgs_init(&got);
	hit = open_entry(c, id, "reboot", key, &buf, &cur);
	if (hit) {
		n = get_count(&cur, 16);
		for (size_t i = 0; i < n && !cur.bad; i++) {
			struct hp_reboot_pkg *p;

			HP_ALLOC_GROW(got.v, got.nr + 1, got.alloc);
			p = &got.v[got.nr++];
			p->name = get_str(&cur);
			p->evr = get_str(&cur);
			p->arch = get_str(&cur);
			p->advisory = get_str(&cur);
			if (!p->name || !p->evr || !p->arch || !p->advisory)
				cur.bad = 1;
		}
		get_end(&cur);
		if (cur.bad) {
			hp_reboot_pkgs_release(&got);
			hit = 0;
		} else {
			hp_reboot_pkgs_release(l);
			*l = got;
		}
	}
	hp_strbuf_release(&buf);
	return hit;
}

void hp_cache_reboot_put(struct hp_cache *c, const char *id, const char *key,
			 const struct hp_reboot_pkgs *l)
{
	struct hp_strbuf data = HP_STRBUF_INIT;

	if (!c || !key_ok(key))
		return;
	put_u32(&data, (uint32_t)l->nr);
	for (size_t i = 0; i < l->nr; i++) {
		put_str(&data, l->v[i].name);
		put_str(&data, l->v[i].evr);
		put_str(&data, l->v[i].arch);
		put_str(&data, l->v[i].advisory);
	}
	put_end(&data);
	queue_entry(c, id, "reboot", key, data.buf, data.len);
	hp_strbuf_release(&data);
}

/* --- @System --- */

/* libsolv's version is part of the key: its solv format is its own. */
static char *system_key(const char *key)
{
	if (!key_ok(key))
		return NULL;
	return hp_xasprintf("%s libsolv-%s", key, solv_version);
}

int hp_cache_system_get(const struct hp_cache *c, const char *key, Repo *repo)
{
	struct hp_strbuf buf = HP_STRBUF_INIT;
	char *k = system_key(key);
	struct cursor cur;
	FILE *fp = NULL;
	int hit = 0;

	if (open_entry(c, "system", "solv", k, &buf, &cur))
		fp = fmemopen((void *)cur.p, (size_t)(cur.end - cur.p), "r");
	if (fp) {
		hit = !repo_add_solv(repo, fp, 0);
		fclose(fp);
		/* A half-read file must not leave half a system behind. */
		if (!hit)
			repo_empty(repo, 1);
	}
	hp_strbuf_release(&buf);
	free(k);
	return hit;
}

void hp_cache_system_put(struct hp_cache *c, const char *key, Repo *repo)
{
	char *k = system_key(key), *data = NULL;
	size_t len = 0;
	FILE *fp;

	if (!c || !k)
		goto out;
	fp = open_memstream(&data, &len);
	if (!fp)
		goto out;
	if (repo_write(repo, fp)) {
		fclose(fp);
		goto out;
	}
	if (!fclose(fp))
		queue_entry(c, "system", "solv", k, data, len);
out:
	free(data);
	free(k);
}
