/* Metalink documents: mirrors and the expected repomd.xml; see
 * hp_metalink.h. */
#include "hp_metalink.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <expat.h>
#include <rpm/rpmcrypto.h>

#define NS_SEP '\x01'   /* expat: "<namespace>\x01<local name>" */

struct mirror {
	char *url;
	long preference;
	size_t order;
};

struct parser {
	XML_Parser xp;
	struct hp_metalink *m;
	int depth_file;          /* depth of the <file name="repomd.xml">, 0 = outside */
	int seen_file;           /* only the first such entry counts */
	int depth;
	struct hp_metalink_version *cur;   /* where <size>/<hash> go */
	struct hp_strbuf text;   /* character data of the leaf being read */
	int collecting;
	char *hash_type;         /* of the <hash> being read */
	long preference;         /* of the <url> being read */
	int url_ok;              /* its protocol is one we read */
	struct mirror *mirrors;
	size_t nr_mirrors, alloc_mirrors;
};

static const char *local_name(const char *name)
{
	const char *sep = strrchr(name, NS_SEP);

	return sep ? sep + 1 : name;
}

static const char *attr(const char **atts, const char *name)
{
	for (size_t i = 0; atts[i]; i += 2)
		if (!strcmp(local_name(atts[i]), name))
			return atts[i + 1];
	return NULL;
}

static struct hp_metalink_version *add_version(struct hp_metalink *m)
{
	struct hp_metalink_version *v;

	m->versions = hp_xrealloc(m->versions, (m->nr_versions + 1) * sizeof(*m->versions));
	v = &m->versions[m->nr_versions++];
	v->size = -1;
	hp_strvec_init(&v->types);
	hp_strvec_init(&v->values);
	return v;
}

static void on_start(void *data, const char *el, const char **atts)
{
	struct parser *p = data;
	const char *name = local_name(el);

	p->depth++;
	if (!p->depth_file) {
		const char *fname = attr(atts, "name");

		if (!strcmp(name, "file") && !p->seen_file && fname && !strcmp(fname, "repomd.xml")) {
			p->depth_file = p->depth;
			p->seen_file = 1;
			p->cur = add_version(p->m);
		}
		return;
	}
	if (!strcmp(name, "alternate")) {
		p->cur = add_version(p->m);
	} else if (!strcmp(name, "size") || !strcmp(name, "hash") || !strcmp(name, "url")) {
		hp_strbuf_reset(&p->text);
		p->collecting = 1;
		if (!strcmp(name, "hash")) {
			const char *t = attr(atts, "type");

			free(p->hash_type);
			p->hash_type = hp_xstrdup(t ? t : "");
		} else if (!strcmp(name, "url")) {
			const char *proto = attr(atts, "protocol"), *pref = attr(atts, "preference");

			p->url_ok = !proto || !strcasecmp(proto, "http") || !strcasecmp(proto, "https") ||
				    !strcasecmp(proto, "file");
			p->preference = pref ? strtol(pref, NULL, 10) : 100;
		}
	}
}

static char *trimmed(const struct hp_strbuf *sb)
{
	const char *s = sb->buf ? sb->buf : "";
	size_t n;

	s += strspn(s, " \t\r\n");
	n = strlen(s);
	while (n && strchr(" \t\r\n", s[n - 1]))
		n--;
	return hp_xstrndup(s, n);
}

/* A mirror's repomd.xml URL cut back to the repository's base URL. */
static char *base_url(char *url)
{
	static const char tail[] = "repodata/repomd.xml";
	size_t n = strlen(url), t = sizeof(tail) - 1;

	if (n >= t && !strcmp(url + n - t, tail))
		url[n - t] = '\0';
	n = strlen(url);
	while (n && url[n - 1] == '/')
		url[--n] = '\0';
	return url;
}

static void on_end(void *data, const char *el)
{
	struct parser *p = data;
	const char *name = local_name(el);
	char *val;

	if (p->depth_file && p->collecting) {
		val = trimmed(&p->text);
		p->collecting = 0;
		if (!strcmp(name, "size")) {
			char *end;

			errno = 0;
			p->cur->size = strtoll(val, &end, 10);
			if (errno || *end || end == val || p->cur->size < 0)
				p->cur->size = -1;
			free(val);
		} else if (!strcmp(name, "hash") && *val) {
			for (char *c = p->hash_type; *c; c++)
				*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
			for (char *c = val; *c; c++)
				*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
			hp_strvec_push(&p->cur->types, p->hash_type);
			hp_strvec_push_nodup(&p->cur->values, val);
		} else if (!strcmp(name, "url") && p->url_ok && *val) {
			HP_ALLOC_GROW(p->mirrors, p->nr_mirrors + 1, p->alloc_mirrors);
			p->mirrors[p->nr_mirrors].url = base_url(val);
			p->mirrors[p->nr_mirrors].preference = p->preference;
			p->mirrors[p->nr_mirrors].order = p->nr_mirrors;
			p->nr_mirrors++;
		} else {
			free(val);
		}
	}
	if (p->depth_file && !strcmp(name, "alternate"))
		p->cur = &p->m->versions[0];
	if (p->depth == p->depth_file)
		p->depth_file = 0;
	p->depth--;
}

static void on_text(void *data, const char *s, int len)
{
	struct parser *p = data;

	if (p->collecting)
		hp_strbuf_add(&p->text, s, (size_t)len);
}

static int by_preference(const void *a, const void *b)
{
	const struct mirror *x = a, *y = b;

	if (x->preference != y->preference)
		return x->preference > y->preference ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

void hp_metalink_init(struct hp_metalink *m)
{
	m->versions = NULL;
	m->nr_versions = 0;
	hp_strvec_init(&m->mirrors);
}

void hp_metalink_release(struct hp_metalink *m)
{
	for (size_t i = 0; i < m->nr_versions; i++) {
		hp_strvec_release(&m->versions[i].types);
		hp_strvec_release(&m->versions[i].values);
	}
	free(m->versions);
	hp_strvec_release(&m->mirrors);
	hp_metalink_init(m);
}

int hp_metalink_parse(struct hp_metalink *m, const char *data, size_t len, const char *what,
		      struct hp_strbuf *err)
{
	struct parser p;
	int ret = -1;

	hp_metalink_release(m);
	memset(&p, 0, sizeof(p));
	p.m = m;
	hp_strbuf_init(&p.text);
	p.xp = XML_ParserCreateNS(NULL, NS_SEP);
	if (!p.xp) {
		hp_error(err, "'%s': cannot create an XML parser", what);
		goto out;
	}
	XML_SetUserData(p.xp, &p);
	XML_SetElementHandler(p.xp, on_start, on_end);
	XML_SetCharacterDataHandler(p.xp, on_text);
	if (XML_Parse(p.xp, data, (int)len, 1) == XML_STATUS_ERROR) {
		hp_error(err, "'%s': not a metalink: %s at line %lu", what,
			 XML_ErrorString(XML_GetErrorCode(p.xp)),
			 (unsigned long)XML_GetCurrentLineNumber(p.xp));
		goto out;
	}
	if (!p.seen_file) {
		hp_error(err, "'%s': the metalink has no entry for repomd.xml", what);
		goto out;
	}
	if (!p.nr_mirrors) {
		hp_error(err, "'%s': the metalink lists no http, https or file mirror", what);
		goto out;
	}
	qsort(p.mirrors, p.nr_mirrors, sizeof(*p.mirrors), by_preference);
	for (size_t i = 0; i < p.nr_mirrors; i++) {
		if (!hp_strvec_contains(&m->mirrors, p.mirrors[i].url))
			hp_strvec_push(&m->mirrors, p.mirrors[i].url);
	}
	ret = 0;
out:
	if (ret)
		hp_metalink_release(m);
	for (size_t i = 0; i < p.nr_mirrors; i++)
		free(p.mirrors[i].url);
	free(p.mirrors);
	free(p.hash_type);
	hp_strbuf_release(&p.text);
	if (p.xp)
		XML_ParserFree(p.xp);
	return ret;
}

/* The strongest hash a version gives: sha512, else sha256; -1 for none. */
static long strongest(const struct hp_metalink_version *v, int *algo)
{
	static const struct {
		const char *name;
		int algo;
	} order[] = { { "sha512", RPM_HASH_SHA512 }, { "sha256", RPM_HASH_SHA256 } };

	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		for (size_t i = 0; i < v->types.nr; i++)
			if (!strcmp(v->types.v[i], order[k].name)) {
				*algo = order[k].algo;
				return (long)i;
			}
	return -1;
}

int hp_metalink_check_file(const struct hp_metalink *m, const char *path, const char *what,
			   struct hp_strbuf *err)
{
	char *digest[2] = { NULL, NULL };   /* sha512, sha256 of the file, when needed */
	int fd = -1, ret = -1, usable = 0;
	struct stat st;
	const char *why = "size and hash differ from every version it lists";

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		hp_error_errno(err, errno, "cannot read '%s'", path);
		goto out;
	}
	for (size_t i = 0; i < m->nr_versions; i++) {
		const struct hp_metalink_version *v = &m->versions[i];
		int algo = 0, slot;
		long h = strongest(v, &algo);

		if (h < 0)
			continue;
		usable = 1;
		if (v->size >= 0 && v->size != (int64_t)st.st_size)
			continue;
		slot = algo == RPM_HASH_SHA512 ? 0 : 1;
		if (!digest[slot]) {
			if (lseek(fd, 0, SEEK_SET) < 0) {
				hp_error_errno(err, errno, "cannot read '%s'", path);
				goto out;
			}
			if (hp_digest_fd(fd, algo, path, &digest[slot], err) < 0)
				goto out;
		}
		if (!strcmp(digest[slot], v->values.v[h])) {
			ret = 0;
			goto out;
		}
	}
	if (!usable)
		why = "it gives no sha256 or sha512 hash";
	hp_error(err, "'%s': repomd.xml does not match the metalink (%s)", what, why);
out:
	free(digest[0]);
	free(digest[1]);
	if (fd >= 0)
		close(fd);
	return ret;
}
