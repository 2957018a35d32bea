/* The hotpatch metadata XML codec: a streaming expat reader (no DOM, so a
 * distribution-sized document costs one pass and the records themselves) and
 * a deterministic writer. docs/hotpatch-metadata.md is the format's spec. */
#include "hp_decomp.h"
#include "hp_meta.h"
#include "hp_xmlguard.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <expat.h>
#include <zlib.h>

#define HP_META_NS "http://dnf-hotpatch.org/metadata/hotpatch/1"
/* Any version of our namespace counts as ours: the format attribute, not the
 * namespace, decides whether a reader understands the document. */
#define HP_META_NS_PREFIX "http://dnf-hotpatch.org/metadata/hotpatch/"
/* Expat separates namespace and local name with this; a URI has no spaces. */
#define NS_SEP ' '
/* A distribution's metadata is a few MiB; refuse decompression bombs and
 * runaway files well before they exhaust memory. */
#define MAX_XML_BYTES ((size_t)256 << 20)
/* Expat takes an int length: feed big buffers in slices. */
#define FEED_CHUNK ((size_t)1 << 20)

struct reader {
	XML_Parser parser;
	struct hp_meta *m;
	const char *what;
	struct hp_strbuf *err;
	int failed;
	int seen_root;
	size_t fed;                 /* bytes of XML given to expat */
	struct hp_xml_guard guard;  /* token lengths, checked before expat */
	unsigned depth;             /* element nesting, root = 1 */
	unsigned skip_depth;        /* inside an ignored element started at this depth */
	int in_baseline, in_patch, have_payload;
	unsigned long patch_line;
	struct hp_baseline cur_b;
	struct hp_hotpatch cur_h;
};

static void reader_fail(struct reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void reader_fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int n;

	/* Only the first problem is reported: after it the parser is stopped. */
	if (r->failed)
		return;
	r->failed = 1;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	msg = hp_xmalloc(n > 0 ? (size_t)n + 1 : 1);
	msg[0] = '\0';
	if (n > 0) {
		va_start(ap, fmt);
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	hp_error(r->err, "%s", msg);
	free(msg);
	if (r->parser)
		XML_StopParser(r->parser, XML_FALSE);
}

static unsigned long cur_line(struct reader *r)
{
	return (unsigned long)XML_GetCurrentLineNumber(r->parser);
}

/* Splits an expat NS name: returns the local part, *ours says whether the
 * element belongs to our namespace (or to none, for hand-written files). */
static const char *local_name(const char *name, int *ours)
{
	const char *sep = strchr(name, NS_SEP);

	if (!sep) {
		*ours = 1;
		return name;
	}
	*ours = !strncmp(name, HP_META_NS_PREFIX, strlen(HP_META_NS_PREFIX));
	return sep + 1;
}

static const char *attr(const char **atts, const char *name)
{
	/* A <patch> has a dozen attributes, looked up one by one for every
	 * record: comparing the first byte before calling strcmp() saves most
	 * of the calls (~90 per record otherwise). */
	for (size_t i = 0; atts[i]; i += 2)
		if (atts[i][0] == name[0] && !strcmp(atts[i], name))
			return atts[i + 1];
	return NULL;
}

static const char *req_attr(struct reader *r, const char *elem, const char **atts,
			    const char *name)
{
	const char *v = attr(atts, name);

	if (!v)
		reader_fail(r, "'%s': line %lu: <%s> lacks the required attribute '%s'", r->what,
			    cur_line(r), elem, name);
	return v;
}

/* Digits only: no sign, no spaces, no overflow. */
static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static int num_attr(struct reader *r, const char *elem, const char **atts, const char *name,
		    int required, uint64_t max, uint64_t *out)
{
	const char *v = required ? req_attr(r, elem, atts, name) : attr(atts, name);

	if (!v)
		return required ? -1 : 0;
	if (parse_u64(v, out) || *out > max) {
		reader_fail(r, "'%s': line %lu: <%s> attribute '%s' is not a number: '%s'", r->what,
			    cur_line(r), elem, name, v);
		return -1;
	}
	return 0;
}

static void start_root(struct reader *r, const char **atts)
{
	const char *fmt;
	uint64_t v;

	/* The format decides how to read everything else, so check it first:
	 * a newer document may well have changed the other attributes. */
	fmt = req_attr(r, "hotpatch", atts, "format");
	if (!fmt)
		return;
	if (parse_u64(fmt, &v)) {
		reader_fail(r, "'%s': line %lu: <hotpatch> attribute 'format' is not a number: '%s'",
			    r->what, cur_line(r), fmt);
		return;
	}
	if (v > HP_META_FORMAT_VERSION || v < 1) {
		reader_fail(r, "'%s': unsupported hotpatch metadata format %" PRIu64
			    " (this hotpatch understands %d)", r->what, v, HP_META_FORMAT_VERSION);
		return;
	}
	r->m->format = (unsigned)v;
	if (num_attr(r, "hotpatch", atts, "revision", 1, UINT64_MAX, &v))
		return;
	r->m->revision = v;
	if (num_attr(r, "hotpatch", atts, "generated", 1, INT64_MAX, &v))
		return;
	r->m->generated = (int64_t)v;
	v = 0;
	if (num_attr(r, "hotpatch", atts, "expires", 0, INT64_MAX, &v))
		return;
	r->m->expires = (int64_t)v;
	/* Optional (older publishers): the name the rollback record of a
	 * signed repository is kept under (issue 11). */
	if (attr(atts, "repo")) {
		if (!hp_meta_repo_name_ok(attr(atts, "repo"))) {
			reader_fail(r, "'%s': line %lu: <hotpatch> attribute 'repo' is not a "
				    "repository name (1..64 of [A-Za-z0-9._-])", r->what, cur_line(r));
			return;
		}
		r->m->repo = hp_xstrdup(attr(atts, "repo"));
	}
}

static void start_baseline(struct reader *r, const char **atts)
{
	const char *id, *kind, *issued;
	enum hp_baseline_kind k;

	if (!(id = req_attr(r, "baseline", atts, "id")) ||
	    !(kind = req_attr(r, "baseline", atts, "kind")) ||
	    !(issued = req_attr(r, "baseline", atts, "issued")))
		return;
	if (hp_baseline_kind_parse(kind, &k)) {
		reader_fail(r, "'%s': line %lu: <baseline id=\"%s\"> has unknown kind '%s' "
			    "(planned or unplanned)", r->what, cur_line(r), id, kind);
		return;
	}
	r->cur_b.id = hp_xstrdup(id);
	r->cur_b.kind = k;
	r->cur_b.issued = hp_xstrdup(issued);
	r->cur_b.supported_until = hp_xstrdup(attr(atts, "supported-until"));
	r->in_baseline = 1;
}

static void start_patch(struct reader *r, const char **atts)
{
	static const struct {
		const char *name;
		size_t off;
		int required;
	} fields[] = {
		{ "name", offsetof(struct hp_hotpatch, name), 1 },
		{ "epoch", offsetof(struct hp_hotpatch, epoch), 0 },
		{ "version", offsetof(struct hp_hotpatch, version), 1 },
		{ "release", offsetof(struct hp_hotpatch, release), 1 },
		{ "arch", offsetof(struct hp_hotpatch, arch), 1 },
		{ "component", offsetof(struct hp_hotpatch, component), 1 },
		{ "build", offsetof(struct hp_hotpatch, build), 1 },
		{ "engine", offsetof(struct hp_hotpatch, engine), 1 },
		{ "location", offsetof(struct hp_hotpatch, location), 0 },
		{ "issued", offsetof(struct hp_hotpatch, issued), 0 },
		{ "severity", offsetof(struct hp_hotpatch, severity), 0 },
	};
	struct hp_hotpatch *h = &r->cur_h;
	const char *rs;

	/* Mark the record open first so that the end tag releases it on error. */
	r->in_patch = 1;
	r->have_payload = 0;
	r->patch_line = cur_line(r);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *v = fields[i].required ? req_attr(r, "patch", atts, fields[i].name)
						   : attr(atts, fields[i].name);
		if (r->failed)
			return;
		*(char **)((char *)h + fields[i].off) = hp_xstrdup(v);
	}
	rs = attr(atts, "reboot-suggested");
	if (!rs || !strcmp(rs, "0") || !strcmp(rs, "false")) {
		h->reboot_suggested = 0;
	} else if (!strcmp(rs, "1") || !strcmp(rs, "true")) {
		h->reboot_suggested = 1;
	} else {
		reader_fail(r, "'%s': line %lu: <patch name=\"%s\"> attribute 'reboot-suggested' "
			    "is not 0 or 1: '%s'", r->what, cur_line(r), h->name, rs);
	}
}

static void start_patch_child(struct reader *r, const char *local, const char **atts)
{
	const char *v, *sha;

	if (!strcmp(local, "payload")) {
		if (r->have_payload) {
			reader_fail(r, "'%s': line %lu: <patch name=\"%s\"> has more than one "
				    "<payload>", r->what, cur_line(r), r->cur_h.name);
			return;
		}
		if (!(v = req_attr(r, "payload", atts, "path")) ||
		    !(sha = req_attr(r, "payload", atts, "sha256")))
			return;
		r->cur_h.payload = hp_xstrdup(v);
		r->cur_h.payload_sha256 = hp_xstrdup(sha);
		r->have_payload = 1;
	} else if (!strcmp(local, "advisory")) {
		if ((v = req_attr(r, "advisory", atts, "id")))
			hp_strvec_push(&r->cur_h.advisories, v);
	} else if (!strcmp(local, "cve")) {
		if ((v = req_attr(r, "cve", atts, "id")))
			hp_strvec_push(&r->cur_h.cves, v);
	} else {
		r->skip_depth = r->depth;
	}
}

static void XMLCALL on_start(void *data, const char *name, const char **atts)
{
	struct reader *r = data;
	const char *local;
	int ours;

	if (r->failed)
		return;
	r->depth++;
	/* Unknown elements are skipped with their whole subtree: forward
	 * compatibility within a format, and no state kept for them. */
	if (r->skip_depth)
		return;
	local = local_name(name, &ours);
	if (r->depth == 1) {
		if (!ours || strcmp(local, "hotpatch")) {
			if (local != name)
				reader_fail(r, "'%s': line %lu: the root element is <%s> of namespace "
					    "'%.*s', not <hotpatch>", r->what, cur_line(r), local,
					    (int)(local - 1 - name), name);
			else
				reader_fail(r, "'%s': line %lu: the root element is <%s>, not "
					    "<hotpatch>", r->what, cur_line(r), local);
			return;
		}
		r->seen_root = 1;
		start_root(r, atts);
	} else if (r->depth == 2 && ours && !strcmp(local, "baseline")) {
		start_baseline(r, atts);
	} else if (r->depth == 2 && ours && !strcmp(local, "patch")) {
		start_patch(r, atts);
	} else if (r->depth == 3 && ours && r->in_baseline && !strcmp(local, "build")) {
		const char *n, *evr;

		if ((n = req_attr(r, "build", atts, "name")) &&
		    (evr = req_attr(r, "build", atts, "evr")))
			hp_baseline_add_build(&r->cur_b, n, evr);
		/* Children of <build> are not ours to read. */
		r->skip_depth = r->depth;
	} else if (r->depth == 3 && ours && r->in_patch) {
		start_patch_child(r, local, atts);
		if (!r->skip_depth)
			r->skip_depth = r->depth;
	} else {
		r->skip_depth = r->depth;
	}
}

static void XMLCALL on_end(void *data, const char *name)
{
	struct reader *r = data;

	if (r->failed)
		return;
	if (r->skip_depth) {
		if (r->depth == r->skip_depth)
			r->skip_depth = 0;
		r->depth--;
		return;
	}
	if (r->depth == 2 && r->in_baseline) {
		hp_meta_add_baseline(r->m, &r->cur_b);
		r->in_baseline = 0;
	} else if (r->depth == 2 && r->in_patch) {
		if (!r->have_payload) {
			reader_fail(r, "'%s': line %lu: <patch name=\"%s\"> has no <payload>", r->what,
				    r->patch_line, r->cur_h.name);
			return;
		}
		hp_meta_add_hotpatch(r->m, &r->cur_h);
		r->in_patch = 0;
	}
	r->depth--;
}

/* Metadata never needs a DTD; refusing one rules out entity expansion tricks
 * (billion laughs, external entities) whatever expat's defaults are. */
static void XMLCALL on_doctype(void *data, const char *name, const char *sysid,
			       const char *pubid, int has_internal_subset)
{
	struct reader *r = data;

	reader_fail(r, "'%s': line %lu: a DOCTYPE is not allowed in hotpatch metadata", r->what,
		    cur_line(r));
}

static void reader_init(struct reader *r, struct hp_meta *m, const char *what,
			struct hp_strbuf *err)
{
	memset(r, 0, sizeof(*r));
	r->m = m;
	r->what = what ? what : "(metadata)";
	r->err = err;
	hp_xml_guard_init(&r->guard, HP_XML_MAX_TOKEN);
	hp_baseline_init(&r->cur_b);
	hp_hotpatch_init(&r->cur_h);
	hp_meta_init(m);
	r->parser = XML_ParserCreateNS(NULL, NS_SEP);
	if (!r->parser) {
		fprintf(stderr, "fatal: out of memory (expat parser)\n");
		abort();
	}
	XML_SetUserData(r->parser, r);
	XML_SetElementHandler(r->parser, on_start, on_end);
	XML_SetStartDoctypeDeclHandler(r->parser, on_doctype);
}

/* Feeds one piece of the document; `final` on the last one. */
static int reader_feed(struct reader *r, const char *buf, size_t len, int final)
{
	if (r->failed)
		return -1;
	if (len > MAX_XML_BYTES - r->fed) {
		reader_fail(r, "'%s': hotpatch metadata larger than %zu MiB refused", r->what,
			    MAX_XML_BYTES >> 20);
		return -1;
	}
	r->fed += len;
	if (hp_xml_guard_scan(&r->guard, buf, len, r->what, r->err)) {
		r->failed = 1;
		return -1;
	}
	do {
		size_t n = len < FEED_CHUNK ? len : FEED_CHUNK;
		int last = final && n == len;

		if (XML_Parse(r->parser, buf, (int)n, last) != XML_STATUS_OK) {
			if (!r->failed)
				reader_fail(r, "'%s': malformed XML at line %lu: %s", r->what,
					    cur_line(r),
					    XML_ErrorString(XML_GetErrorCode(r->parser)));
			return -1;
		}
		buf += n;
		len -= n;
	} while (len);
	if (final && !r->seen_root)
		reader_fail(r, "'%s': no <hotpatch> element", r->what);
	return r->failed ? -1 : 0;
}

/* Frees the parser state; on failure also empties the model. */
static int reader_finish(struct reader *r, int ret)
{
	if (r->failed)
		ret = -1;
	XML_ParserFree(r->parser);
	r->parser = NULL;
	hp_baseline_release(&r->cur_b);
	hp_hotpatch_release(&r->cur_h);
	if (ret)
		hp_meta_release(r->m);
	return ret;
}

int hp_meta_parse(struct hp_meta *m, const char *buf, size_t len, const char *what,
		  struct hp_strbuf *err)
{
	struct reader r;
	int ret;

	reader_init(&r, m, what, err);
	ret = reader_feed(&r, buf, len, 1);
	return reader_finish(&r, ret);
}

/* --- reading files --- */

static int feed_cb(void *data, const char *buf, size_t len)
{
	return reader_feed(data, buf, len, 0);
}

int hp_meta_read_file(struct hp_meta *m, const char *path, struct hp_strbuf *err)
{
	struct hp_strbuf raw = HP_STRBUF_INIT;
	struct reader r;
	int ret = -1;

	reader_init(&r, m, path, err);
	/* Regular files only, capped while reading; the codecs check
	 * progress and the decoded size (hp_decomp.h). */
	if (hp_read_file_max(path, MAX_XML_BYTES, &raw, err))
		goto out;
	if (hp_decompress(path, raw.buf, raw.len, MAX_XML_BYTES, feed_cb, &r, err))
		goto out;
	ret = reader_feed(&r, "", 0, 1);
out:
	hp_strbuf_release(&raw);
	return reader_finish(&r, ret);
}

/* --- writing --- */

/* Escapes for an attribute value in double quotes. Tab, LF and CR become
 * character references because a reader normalises them to spaces otherwise;
 * other C0 controls cannot be written in XML 1.0 at all (hp_meta_validate
 * refuses them) and become U+FFFD rather than a broken document. */
static void add_escaped(struct hp_strbuf *out, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		const char *rep;
		unsigned char ch = (unsigned char)*s;

		switch (ch) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		case '\t': rep = "&#9;"; break;
		case '\n': rep = "&#10;"; break;
		case '\r': rep = "&#13;"; break;
		default:
			if (ch >= 0x20)
				continue;
			rep = "\xef\xbf\xbd";
			break;
		}
		hp_strbuf_add(out, run, (size_t)(s - run));
		hp_strbuf_adds(out, rep);
		run = s + 1;
	}
	hp_strbuf_add(out, run, (size_t)(s - run));
}

static void add_attr(struct hp_strbuf *out, const char *name, const char *value)
{
	if (!value)
		return;
	hp_strbuf_addf(out, " %s=\"", name);
	add_escaped(out, value);
	hp_strbuf_adds(out, "\"");
}

void hp_meta_write(const struct hp_meta *m, struct hp_strbuf *out)
{
	hp_strbuf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	hp_strbuf_addf(out, "<hotpatch xmlns=\"%s\" format=\"%d\" revision=\"%" PRIu64 "\""
		       " generated=\"%" PRId64 "\"", HP_META_NS, HP_META_FORMAT_VERSION,
		       m->revision, m->generated);
	if (m->expires)
		hp_strbuf_addf(out, " expires=\"%" PRId64 "\"", m->expires);
	if (m->repo)
		add_attr(out, "repo", m->repo);
	hp_strbuf_adds(out, ">\n");

	for (size_t i = 0; i < m->nr_baselines; i++) {
		const struct hp_baseline *b = &m->baselines[i];

		hp_strbuf_adds(out, "  <baseline");
		add_attr(out, "id", b->id);
		add_attr(out, "kind", hp_baseline_kind_name(b->kind));
		add_attr(out, "issued", b->issued);
		add_attr(out, "supported-until", b->supported_until);
		hp_strbuf_adds(out, ">\n");
		for (size_t j = 0; j < b->nr_builds; j++) {
			hp_strbuf_adds(out, "    <build");
			add_attr(out, "name", b->builds[j].name);
			add_attr(out, "evr", b->builds[j].evr);
			hp_strbuf_adds(out, "/>\n");
		}
		hp_strbuf_adds(out, "  </baseline>\n");
	}

	for (size_t i = 0; i < m->nr_hotpatches; i++) {
		const struct hp_hotpatch *h = &m->hotpatches[i];

		hp_strbuf_adds(out, "  <patch");
		add_attr(out, "name", h->name);
		add_attr(out, "epoch", h->epoch);
		add_attr(out, "version", h->version);
		add_attr(out, "release", h->release);
		add_attr(out, "arch", h->arch);
		add_attr(out, "component", h->component);
		add_attr(out, "build", h->build);
		add_attr(out, "engine", h->engine);
		add_attr(out, "location", h->location);
		add_attr(out, "issued", h->issued);
		add_attr(out, "severity", h->severity);
		hp_strbuf_addf(out, " reboot-suggested=\"%d\">\n", h->reboot_suggested ? 1 : 0);
		hp_strbuf_adds(out, "    <payload");
		add_attr(out, "path", h->payload);
		add_attr(out, "sha256", h->payload_sha256);
		hp_strbuf_adds(out, "/>\n");
		for (size_t j = 0; j < h->advisories.nr; j++) {
			hp_strbuf_adds(out, "    <advisory");
			add_attr(out, "id", h->advisories.v[j]);
			hp_strbuf_adds(out, "/>\n");
		}
		for (size_t j = 0; j < h->cves.nr; j++) {
			hp_strbuf_adds(out, "    <cve");
			add_attr(out, "id", h->cves.v[j]);
			hp_strbuf_adds(out, "/>\n");
		}
		hp_strbuf_adds(out, "  </patch>\n");
	}
	hp_strbuf_adds(out, "</hotpatch>\n");
}

int hp_meta_write_file_gz(const struct hp_meta *m, const char *path, struct hp_strbuf *err)
{
	struct hp_strbuf xml = HP_STRBUF_INIT;
	unsigned char *gz = NULL;
	z_stream zs;
	uLong bound;
	int zinit = 0, ret = -1;

	hp_meta_write(m, &xml);
	memset(&zs, 0, sizeof(zs));
	/* windowBits 16+15 writes a gzip header with no name and mtime 0, so the
	 * same model always gives the same bytes (and repomd.xml checksum). */
	if (deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		hp_error(err, "'%s': cannot initialise zlib", path);
		goto out;
	}
	zinit = 1;
	bound = deflateBound(&zs, (uLong)xml.len);
	gz = hp_xmalloc(bound);
	zs.next_in = (unsigned char *)xml.buf;
	zs.avail_in = (uInt)xml.len;
	zs.next_out = gz;
	zs.avail_out = (uInt)bound;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
		hp_error(err, "'%s': gzip compression failed", path);
		goto out;
	}
	ret = hp_write_file_atomic(path, gz, zs.total_out, 0644, err);
out:
	if (zinit)
		deflateEnd(&zs);
	free(gz);
	hp_strbuf_release(&xml);
	return ret;
}
