/* Reading repomd.xml with expat, and checking a record's file with rpm's
 * digests: the client (`hotpatch`) needs nothing else of repomd.xml, and
 * linking libcreaterepo_c (with glib, libxml2, libmagic, ...) only to read it
 * cost more start-up time than the whole `hotpatch check` should take.
 * Writing stays in repomd.c (libcreaterepo_c, used by hotpatch-repo).
 *
 * The reader walks the document with the state table of createrepo_c's
 * parser (src/xml_parser_repomd.c), so it accepts and ignores exactly what
 * that one did: the root must be <repomd>; only the known elements at their
 * known places count, and an unknown element is skipped with everything
 * inside it; element names are matched as written (no namespace
 * processing: repomd.xml declares its namespace as the default, and rpm:
 * prefixed elements are not ours). One deliberate difference: a DOCTYPE is
 * refused, as for every other XML this project reads. */
#include "hp_repomd.h"
#include "hp_xmlguard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <expat.h>
#include <rpm/rpmcrypto.h>

#define REPODATA "repodata"
/* A distribution's repomd.xml is a few KiB; the same bound as for fetching
 * one (HP_FETCH_MAX_REPOMD) keeps a runaway file from exhausting memory. */
#define MAX_REPOMD_BYTES ((uint64_t)16 << 20)

void hp_repomd_init(struct hp_repomd *md)
{
	md->revision = NULL;
	md->entries = NULL;
	md->nr = md->alloc = 0;
}

static void entry_release(struct hp_repomd_entry *e)
{
	free(e->type);
	free(e->location);
	free(e->location_base);
	free(e->checksum_type);
	free(e->checksum);
}

void hp_repomd_release(struct hp_repomd *md)
{
	for (size_t i = 0; i < md->nr; i++)
		entry_release(&md->entries[i]);
	free(md->entries);
	free(md->revision);
	hp_repomd_init(md);
}

const struct hp_repomd_entry *hp_repomd_find(const struct hp_repomd *md, const char *type)
{
	for (size_t i = 0; i < md->nr; i++)
		if (md->entries[i].type && !strcmp(md->entries[i].type, type))
			return &md->entries[i];
	return NULL;
}

/* --- the parser --- */

enum state {
	ST_START,
	ST_REPOMD,
	ST_REVISION,
	ST_REPOID,
	ST_CONTENTHASH,
	ST_TAGS,
	ST_REPO,
	ST_CONTENT,
	ST_DISTRO,
	ST_DATA,
	ST_LOCATION,
	ST_CHECKSUM,
	ST_OPENCHECKSUM,
	ST_HEADERCHECKSUM,
	ST_TIMESTAMP,
	ST_SIZE,
	ST_OPENSIZE,
	ST_HEADERSIZE,
	ST_DBVERSION,
	ST_NR
};

/* Which element leads from which state to which, and whether its text is
 * kept; createrepo_c's table. Elements we do not use (tags, open-checksum,
 * ...) are listed all the same: they decide what is skipped. */
static const struct transition {
	enum state from;
	const char *name;
	enum state to;
	int content;
} transitions[] = {
	{ ST_START, "repomd", ST_REPOMD, 0 },
	{ ST_REPOMD, "revision", ST_REVISION, 1 },
	{ ST_REPOMD, "repoid", ST_REPOID, 1 },
	{ ST_REPOMD, "contenthash", ST_CONTENTHASH, 1 },
	{ ST_REPOMD, "tags", ST_TAGS, 0 },
	{ ST_REPOMD, "data", ST_DATA, 0 },
	{ ST_TAGS, "repo", ST_REPO, 1 },
	{ ST_TAGS, "content", ST_CONTENT, 1 },
	{ ST_TAGS, "distro", ST_DISTRO, 1 },
	{ ST_DATA, "location", ST_LOCATION, 0 },
	{ ST_DATA, "checksum", ST_CHECKSUM, 1 },
	{ ST_DATA, "open-checksum", ST_OPENCHECKSUM, 1 },
	{ ST_DATA, "header-checksum", ST_HEADERCHECKSUM, 1 },
	{ ST_DATA, "timestamp", ST_TIMESTAMP, 1 },
	{ ST_DATA, "size", ST_SIZE, 1 },
	{ ST_DATA, "open-size", ST_OPENSIZE, 1 },
	{ ST_DATA, "header-size", ST_HEADERSIZE, 1 },
	{ ST_DATA, "database_version", ST_DBVERSION, 1 },
};

struct parser {
	XML_Parser xp;
	struct hp_repomd *md;
	const char *path;
	struct hp_strbuf *err;
	int failed;
	int root_found;
	/* Element nesting, and the depth of the innermost known element:
	 * they differ inside an unknown (skipped) element. */
	unsigned depth, statedepth;
	enum state state;
	int docontent;
	struct hp_strbuf content;    /* text of the current known element */
	size_t cur;                  /* index of the open <data> record */
	int in_data;
};

static const struct transition *find_transition(enum state from, const char *name)
{
	for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++)
		if (transitions[i].from == from && !strcmp(transitions[i].name, name))
			return &transitions[i];
	return NULL;
}

static enum state parent_state(enum state s)
{
	for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++)
		if (transitions[i].to == s)
			return transitions[i].from;
	return ST_START;
}

static const char *find_attr(const char **atts, const char *name)
{
	for (; atts && atts[0]; atts += 2)
		if (!strcmp(atts[0], name))
			return atts[1];
	return NULL;
}

static void replace_str(char **dst, const char *s)
{
	free(*dst);
	*dst = hp_xstrdup(s);
}

/* createrepo_c's numbers: strtoll with base 0 (so 0x.. and 0.. too); junk
 * makes 0 or the leading number, overflow saturates; never an error. */
static int64_t parse_number(const char *s)
{
	return (int64_t)strtoll(s, NULL, 0);
}

static void fail(struct parser *p, const char *what)
{
	if (p->failed)
		return;
	p->failed = 1;
	hp_error(p->err, "'%s': malformed repomd.xml: line %lu: %s", p->path,
		 (unsigned long)XML_GetCurrentLineNumber(p->xp), what);
	XML_StopParser(p->xp, XML_FALSE);
}

/* A new record, last in the list. As in createrepo_c, a repeated type
 * replaces the earlier records of that type: the last one wins. */
static struct hp_repomd_entry *new_entry(struct parser *p, const char *type)
{
	struct hp_repomd *md = p->md;
	struct hp_repomd_entry *e;
	size_t i, kept = 0;

	for (i = 0; i < md->nr; i++) {
		if (!strcmp(md->entries[i].type, type))
			entry_release(&md->entries[i]);
		else
			md->entries[kept++] = md->entries[i];
	}
	md->nr = kept;
	HP_ALLOC_GROW(md->entries, md->nr + 1, md->alloc);
	e = &md->entries[md->nr];
	memset(e, 0, sizeof(*e));
	e->type = hp_xstrdup(type);
	p->cur = md->nr++;
	p->in_data = 1;
	return e;
}

static struct hp_repomd_entry *cur_entry(struct parser *p)
{
	return p->in_data ? &p->md->entries[p->cur] : NULL;
}

static void XMLCALL on_start(void *data, const char *name, const char **atts)
{
	struct parser *p = data;
	const struct transition *t;
	struct hp_repomd_entry *e;
	const char *v;

	if (p->failed)
		return;
	if (p->depth != p->statedepth) {
		p->depth++;   /* inside an unknown element */
		return;
	}
	p->depth++;
	t = find_transition(p->state, name);
	if (!t)
		return;   /* unknown here: skipped with its content */
	p->state = t->to;
	p->docontent = t->content;
	p->statedepth = p->depth;
	hp_strbuf_reset(&p->content);

	switch (p->state) {
	case ST_REPOMD:
		p->root_found = 1;
		break;
	case ST_DATA:
		v = find_attr(atts, "type");
		new_entry(p, v ? v : "unknown");
		break;
	case ST_LOCATION:
		e = cur_entry(p);
		if ((v = find_attr(atts, "href")))
			replace_str(&e->location, v);
		if ((v = find_attr(atts, "xml:base")))
			replace_str(&e->location_base, v);
		break;
	case ST_CHECKSUM:
		e = cur_entry(p);
		if ((v = find_attr(atts, "type")))
			replace_str(&e->checksum_type, v);
		break;
	default:
		break;
	}
}

static void XMLCALL on_end(void *data, const char *name)
{
	struct parser *p = data;
	enum state left = p->state;
	struct hp_repomd_entry *e = cur_entry(p);

	(void)name;
	if (p->failed)
		return;
	if (p->depth != p->statedepth) {
		p->depth--;   /* leaving an unknown element */
		return;
	}
	p->depth--;
	p->statedepth--;
	p->state = parent_state(left);
	p->docontent = 0;

	switch (left) {
	case ST_REVISION:
		/* An empty <revision> keeps the previous one (none: NULL). */
		if (p->content.len)
			replace_str(&p->md->revision, p->content.buf);
		break;
	case ST_DATA:
		p->in_data = 0;
		break;
	case ST_CHECKSUM:
		replace_str(&e->checksum, p->content.buf);
		break;
	case ST_TIMESTAMP:
		e->timestamp = parse_number(p->content.buf);
		break;
	case ST_SIZE:
		e->size = parse_number(p->content.buf);
		break;
	default:
		break;
	}
}

/* Text is kept whole (whitespace included) while in a known element that
 * has text; also the text of elements nested in it, as createrepo_c did. */
static void XMLCALL on_text(void *data, const char *s, int len)
{
	struct parser *p = data;

	if (!p->failed && p->docontent && len > 0)
		hp_strbuf_add(&p->content, s, (size_t)len);
}

/* repomd.xml never needs a DTD; refusing one rules out entity tricks. */
static void XMLCALL on_doctype(void *data, const char *name, const char *sysid,
			       const char *pubid, int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	fail(data, "a DOCTYPE is not allowed");
}

/* Feeds the open file `fd` to the parser, in pieces. */
static int parse_fd(struct parser *p, int fd)
{
	char buf[65536];
	uint64_t total = 0;
	struct hp_xml_guard guard;

	hp_xml_guard_init(&guard, HP_XML_MAX_TOKEN);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hp_error_errno(p->err, errno, "cannot read '%s'", p->path);
		total += (uint64_t)n;
		if (total > MAX_REPOMD_BYTES)
			return hp_error(p->err, "'%s': repomd.xml larger than %llu MiB refused",
					p->path, (unsigned long long)(MAX_REPOMD_BYTES >> 20));
		if (hp_xml_guard_scan(&guard, buf, (size_t)n, p->path, p->err))
			return -1;
		if (XML_Parse(p->xp, buf, (int)n, n == 0) != XML_STATUS_OK) {
			fail(p, XML_ErrorString(XML_GetErrorCode(p->xp)));
			return -1;
		}
		if (p->failed)
			return -1;
		if (!n)
			break;
	}
	if (!p->root_found)
		return hp_error(p->err, "'%s': malformed repomd.xml: no <repomd> element", p->path);
	return 0;
}

int hp_repomd_read(struct hp_repomd *md, const char *repomd_path, struct hp_strbuf *err)
{
	struct parser p;
	struct stat st;
	int fd = -1, ret = -1;

	memset(&p, 0, sizeof(p));
	hp_strbuf_init(&p.content);
	hp_repomd_release(md);
	/* A directory or a FIFO is refused before open() can block on it. */
	if (stat(repomd_path, &st) < 0) {
		hp_error_errno(err, errno, "cannot read '%s'", repomd_path);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		hp_error_errno(err, EISDIR, "cannot read '%s'", repomd_path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		hp_error(err, "cannot read '%s': not a regular file", repomd_path);
		goto out;
	}
	/* Checked again on the descriptor: the file may have been swapped. */
	fd = hp_open_regular(repomd_path, 0, err);
	if (fd < 0)
		goto out;
	p.md = md;
	p.path = repomd_path;
	p.err = err;
	p.state = ST_START;
	p.xp = XML_ParserCreate(NULL);
	if (!p.xp) {
		fprintf(stderr, "fatal: out of memory (expat parser)\n");
		abort();
	}
	XML_SetUserData(p.xp, &p);
	XML_SetElementHandler(p.xp, on_start, on_end);
	XML_SetCharacterDataHandler(p.xp, on_text);
	XML_SetStartDoctypeDeclHandler(p.xp, on_doctype);
	ret = parse_fd(&p, fd);
out:
	if (p.xp)
		XML_ParserFree(p.xp);
	if (fd >= 0)
		close(fd);
	hp_strbuf_release(&p.content);
	if (ret < 0)
		hp_repomd_release(md);
	return ret;
}

/* --- checking records --- */

int hp_repomd_safe_location(const char *loc)
{
	const char *p;

	if (!loc || strncmp(loc, REPODATA "/", sizeof(REPODATA)) || strchr(loc, '\\'))
		return 0;
	for (p = loc; *p; p++) {
		if ((p == loc || p[-1] == '/') && p[0] == '.' && p[1] == '.' &&
		    (p[2] == '/' || !p[2]))
			return 0;
	}
	return loc[sizeof(REPODATA)] != '\0';
}

int hp_repomd_check_location(const char *repodir, const struct hp_repomd_entry *e,
			     struct hp_strbuf *err)
{
	if (e->location_base && *e->location_base)
		return hp_error(err, "'%s': repomd.xml record '%s' points to another location "
				"(xml:base '%s'); refused", repodir, e->type, e->location_base);
	if (!e->location || !hp_repomd_safe_location(e->location))
		return hp_error(err, "'%s': repomd.xml record '%s' has an unsafe location '%s'",
				repodir, e->type, e->location ? e->location : "");
	return 0;
}

/* The checksum types repomd.xml records may use, as createrepo_c names them
 * (case-insensitive). md5 and sha1 ("sha", yum's old name) are too weak to
 * bind a file to a signature (RHEL 9 / Fedora crypto policy; issue 11). */
static int digest_algo(const char *type)
{
	static const struct {
		const char *name;
		int algo;
	} algos[] = {
		{ "sha224", RPM_HASH_SHA224 },  { "sha256", RPM_HASH_SHA256 },
		{ "sha384", RPM_HASH_SHA384 },  { "sha512", RPM_HASH_SHA512 },
	};

	for (size_t i = 0; type && i < sizeof(algos) / sizeof(algos[0]); i++)
		if (!strcasecmp(type, algos[i].name))
			return algos[i].algo;
	return -1;
}

/* Lower-case hex digest of the file at `path`; malloc'd into *hex. */
static int digest_file(const char *path, int algo, char **hex, struct hp_strbuf *err)
{
	int fd = hp_open_regular(path, 0, err), ret;

	*hex = NULL;
	if (fd < 0)
		return -1;
	ret = hp_digest_fd(fd, algo, path, hex, err);
	close(fd);
	return ret;
}

int hp_repomd_check_entry(const char *repodir, const struct hp_repomd_entry *e,
			  struct hp_strbuf *err)
{
	char *path = NULL, *sum = NULL;
	struct stat st;
	int algo, ret = -1;

	if (hp_repomd_check_location(repodir, e, err) < 0)
		return -1;
	path = hp_path_join(repodir, e->location);
	algo = digest_algo(e->checksum_type);
	if (algo < 0 && e->checksum_type && (!strcasecmp(e->checksum_type, "sha") ||
					     !strcasecmp(e->checksum_type, "sha1") ||
					     !strcasecmp(e->checksum_type, "md5"))) {
		hp_error(err, "'%s': weak checksum type '%s' in repomd.xml refused "
			 "(sha224 or stronger needed)", path, e->checksum_type);
		goto out;
	}
	if (algo < 0) {
		hp_error(err, "'%s': unsupported checksum type '%s' in repomd.xml", path,
			 e->checksum_type ? e->checksum_type : "");
		goto out;
	}
	if (!e->checksum || !*e->checksum) {
		hp_error(err, "'%s': no checksum in repomd.xml", path);
		goto out;
	}
	if (stat(path, &st) < 0) {
		hp_error_errno(err, errno, "cannot read '%s'", path);
		goto out;
	}
	/* A directory opens, then fails to read with EISDIR; a FIFO would block. */
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		hp_error(err, "cannot read '%s': not a regular file", path);
		goto out;
	}
	if (digest_file(path, algo, &sum, err) < 0)
		goto out;
	if (strcasecmp(sum, e->checksum)) {
		/* The digest found is not printed: through a symlink it
		 * would tell the hash of a file the user cannot read. */
		hp_error(err, "'%s': checksum mismatch with repomd.xml (expected %s)", path,
			 e->checksum);
		goto out;
	}
	ret = 0;
out:
	free(sum);
	free(path);
	return ret;
}
