/* Unit tests of the hotpatch metadata model and its XML codec (meta/meta.c,
 * meta/meta_xml.c). Fixtures: tests/data/meta/. Compression tests use the
 * real xz/zstd/bzip2 tools when they are installed. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hp_meta.h"

#define FIXTURE(name) HP_TEST_DATA "/meta/" name
#define SHA_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

#define ck_assert_contains(hay, needle)                                                \
	ck_assert_msg(strstr((hay), (needle)) != NULL, "expected \"%s\" in \"%s\"", (needle), \
		      (hay))

/* --- helpers --- */

static void add_baseline(struct hp_meta *m, const char *id, const char *issued,
			 const char *until)
{
	struct hp_baseline b;

	hp_baseline_init(&b);
	b.id = hp_xstrdup(id);
	b.kind = HP_BASELINE_PLANNED;
	b.issued = hp_xstrdup(issued);
	b.supported_until = hp_xstrdup(until);
	hp_baseline_add_build(&b, "kernel-core", "6.1.0-57");
	hp_baseline_add_build(&b, "openssl-libs", "1:3.0.11-1");
	hp_meta_add_baseline(m, &b);
	/* The passed record is left empty: releasing it is a no-op. */
	hp_baseline_release(&b);
}

static struct hp_hotpatch *add_patch(struct hp_meta *m, const char *name, const char *version)
{
	struct hp_hotpatch h;

	hp_hotpatch_init(&h);
	h.name = hp_xstrdup(name);
	h.epoch = hp_xstrdup("0");
	h.version = hp_xstrdup(version);
	h.release = hp_xstrdup("1");
	h.arch = hp_xstrdup("x86_64");
	h.component = hp_xstrdup("kernel-core");
	h.build = hp_xstrdup("6.1.0-57");
	h.engine = hp_xstrdup("klp");
	h.payload = hp_xasprintf("/usr/lib/hotpatch/kernel-core/6.1.0-57/%s.ko", name);
	h.payload_sha256 = hp_xstrdup(SHA_A);
	h.location = hp_xasprintf("Packages/%s-%s-1.x86_64.rpm", name, version);
	h.issued = hp_xstrdup("2026-11-10");
	h.severity = hp_xstrdup("Important");
	hp_strvec_push(&h.advisories, "HP-2026-0001");
	hp_strvec_push(&h.cves, "CVE-2026-1234");
	hp_strvec_push(&h.cves, "CVE-2026-5678");
	return hp_meta_add_hotpatch(m, &h);
}

/* A small valid model: two baselines, two hotpatches. */
static void make_valid(struct hp_meta *m)
{
	hp_meta_init(m);
	m->revision = 7;
	m->generated = 1764442800;
	m->expires = 1767034800;
	add_baseline(m, "2026-Q3", "2026-07-01", "2026-10-15");
	add_baseline(m, "2026-Q4", "2026-10-01", NULL);
	add_patch(m, "kpatch-kernel-core-6.1.0-57", "1");
	add_patch(m, "kpatch-kernel-core-6.1.0-57", "2");
}

static int streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static int strvec_eq(const struct hp_strvec *a, const struct hp_strvec *b)
{
	if (a->nr != b->nr)
		return 0;
	for (size_t i = 0; i < a->nr; i++)
		if (strcmp(a->v[i], b->v[i]))
			return 0;
	return 1;
}

static void assert_meta_equal(const struct hp_meta *a, const struct hp_meta *b)
{
	ck_assert_uint_eq(a->revision, b->revision);
	ck_assert_int_eq(a->generated, b->generated);
	ck_assert_int_eq(a->expires, b->expires);
	ck_assert_uint_eq(a->nr_baselines, b->nr_baselines);
	ck_assert_uint_eq(a->nr_hotpatches, b->nr_hotpatches);
	for (size_t i = 0; i < a->nr_baselines; i++) {
		const struct hp_baseline *x = &a->baselines[i], *y = &b->baselines[i];

		ck_assert(streq(x->id, y->id));
		ck_assert_int_eq(x->kind, y->kind);
		ck_assert(streq(x->issued, y->issued));
		ck_assert(streq(x->supported_until, y->supported_until));
		ck_assert_uint_eq(x->nr_builds, y->nr_builds);
		for (size_t j = 0; j < x->nr_builds; j++) {
			ck_assert(streq(x->builds[j].name, y->builds[j].name));
			ck_assert(streq(x->builds[j].evr, y->builds[j].evr));
		}
	}
	for (size_t i = 0; i < a->nr_hotpatches; i++) {
		const struct hp_hotpatch *x = &a->hotpatches[i], *y = &b->hotpatches[i];

		ck_assert_msg(streq(x->name, y->name), "name '%s' vs '%s'", x->name, y->name);
		ck_assert(streq(x->epoch, y->epoch));
		ck_assert(streq(x->version, y->version));
		ck_assert(streq(x->release, y->release));
		ck_assert(streq(x->arch, y->arch));
		ck_assert(streq(x->component, y->component));
		ck_assert(streq(x->build, y->build));
		ck_assert(streq(x->engine, y->engine));
		ck_assert(streq(x->payload, y->payload));
		ck_assert(streq(x->payload_sha256, y->payload_sha256));
		ck_assert(streq(x->location, y->location));
		ck_assert_msg(streq(x->severity, y->severity), "severity '%s' vs '%s'",
			      x->severity, y->severity);
		ck_assert(streq(x->issued, y->issued));
		ck_assert_int_eq(x->reboot_suggested, y->reboot_suggested);
		ck_assert(strvec_eq(&x->cves, &y->cves));
		ck_assert(strvec_eq(&x->advisories, &y->advisories));
	}
}

static char *make_tmpdir(void)
{
	char *dir = hp_xstrdup("/tmp/hp-test-meta-XXXXXX");

	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

static void rm_tmpdir(char *dir)
{
	char *cmd = hp_xasprintf("rm -rf '%s'", dir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(dir);
}

static int have_tool(const char *tool)
{
	char *cmd = hp_xasprintf("command -v %s >/dev/null 2>&1", tool);
	int ok = system(cmd) == 0;

	free(cmd);
	return ok;
}

/* Parses a fixture file, expects a refusal, returns the message (caller frees). */
static char *refusal_of(const char *path)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_meta m;

	ck_assert_int_eq(hp_meta_read_file(&m, path, &err), -1);
	/* On error the model is left empty. */
	ck_assert_uint_eq(m.nr_baselines, 0);
	ck_assert_uint_eq(m.nr_hotpatches, 0);
	ck_assert_uint_gt(err.len, 0);
	ck_assert_msg(!strchr(err.buf, '\n'), "one line expected: %s", err.buf);
	hp_meta_release(&m);
	return hp_strbuf_detach(&err);
}

/* --- model --- */

START_TEST(test_model_strings)
{
	struct hp_meta m;
	struct hp_hotpatch *h;
	enum hp_baseline_kind k;
	char *s;

	make_valid(&m);
	h = &m.hotpatches[0];
	s = hp_hotpatch_nevra(h);
	/* Epoch 0 is rpm's default and is left out, as rpm -q prints it. */
	ck_assert_str_eq(s, "kpatch-kernel-core-6.1.0-57-1-1.x86_64");
	free(s);
	free(h->epoch);
	h->epoch = hp_xstrdup("3");
	s = hp_hotpatch_nevra(h);
	ck_assert_str_eq(s, "kpatch-kernel-core-6.1.0-57-3:1-1.x86_64");
	free(s);
	s = hp_hotpatch_evr(h);
	ck_assert_str_eq(s, "3:1-1");
	free(s);
	free(h->epoch);
	h->epoch = NULL;
	s = hp_hotpatch_evr(h);
	ck_assert_str_eq(s, "1-1");
	free(s);

	ck_assert_str_eq(hp_baseline_kind_name(HP_BASELINE_PLANNED), "planned");
	ck_assert_str_eq(hp_baseline_kind_name(HP_BASELINE_UNPLANNED), "unplanned");
	ck_assert_int_eq(hp_baseline_kind_parse("unplanned", &k), 0);
	ck_assert_int_eq(k, HP_BASELINE_UNPLANNED);
	ck_assert_int_eq(hp_baseline_kind_parse("planned", &k), 0);
	ck_assert_int_eq(k, HP_BASELINE_PLANNED);
	ck_assert_int_eq(hp_baseline_kind_parse("Planned", &k), -1);
	ck_assert_int_eq(hp_baseline_kind_parse(NULL, &k), -1);

	ck_assert_ptr_eq(hp_meta_find_baseline(&m, "2026-Q4"), &m.baselines[1]);
	ck_assert_ptr_null(hp_meta_find_baseline(&m, "2025-Q1"));
	ck_assert_str_eq(hp_baseline_find_build(&m.baselines[0], "openssl-libs")->evr,
			 "1:3.0.11-1");
	ck_assert_ptr_null(hp_baseline_find_build(&m.baselines[0], "glibc"));
	hp_meta_release(&m);
	/* Released models are empty and can be released again. */
	ck_assert_uint_eq(m.nr_hotpatches, 0);
	hp_meta_release(&m);
}
END_TEST

/* --- XML round trips --- */

START_TEST(test_roundtrip_escaping)
{
	struct hp_strbuf xml = HP_STRBUF_INIT, xml2 = HP_STRBUF_INIT, err = HP_STRBUF_INIT;
	struct hp_meta m, back;
	struct hp_hotpatch *h;

	make_valid(&m);
	h = &m.hotpatches[1];
	free(h->severity);
	h->severity = hp_xstrdup("<Crit & \"odd\" 'quotes'> \xc3\xa9t\xc3\xa9 ]]> &amp;");
	free(h->location);
	h->location = hp_xstrdup("Packages/a b\tc\nd\re.rpm");
	free(h->epoch);
	h->epoch = NULL;
	h->reboot_suggested = 1;
	hp_strvec_push(&h->advisories, "HP-2026-<0002>&");
	free(m.baselines[1].id);
	m.baselines[1].id = hp_xstrdup("Q4 \"special\" & <emergency>");
	m.baselines[1].kind = HP_BASELINE_UNPLANNED;
	m.expires = 0;

	hp_meta_write(&m, &xml);
	ck_assert_contains(xml.buf, "&lt;Crit &amp; &quot;odd&quot; &apos;quotes&apos;&gt;");
	ck_assert_contains(xml.buf, "a b&#9;c&#10;d&#13;e.rpm");
	ck_assert_msg(!strstr(xml.buf, "expires="), "expires 0 is not written");
	ck_assert_int_eq(hp_meta_parse(&back, xml.buf, xml.len, "roundtrip", &err), 0);
	ck_assert_str_eq(err.buf, "");
	ck_assert_uint_eq(back.format, HP_META_FORMAT_VERSION);
	assert_meta_equal(&m, &back);
	/* Deterministic: writing what was read gives the same bytes. */
	hp_meta_write(&back, &xml2);
	ck_assert_str_eq(xml.buf, xml2.buf);
	/* The codec carries tab, LF and CR exactly; validate still refuses them
	 * in a field (the location here), as no name or path needs them. */
	ck_assert_int_eq(hp_meta_validate(&back, &err), 1);
	ck_assert_contains(err.buf, "control characters");

	hp_meta_release(&back);
	hp_meta_release(&m);
	hp_strbuf_release(&xml);
	hp_strbuf_release(&xml2);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_parse_example)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_meta m;
	const struct hp_hotpatch *h;

	ck_assert_msg(hp_meta_read_file(&m, FIXTURE("valid-small.xml"), &err) == 0, "%s",
		      err.buf);
	ck_assert_uint_eq(m.revision, 7);
	ck_assert_int_eq(m.generated, 1764442800);
	ck_assert_int_eq(m.expires, 1767034800);
	ck_assert_uint_eq(m.nr_baselines, 1);
	ck_assert_str_eq(m.baselines[0].supported_until, "2027-01-15");
	ck_assert_uint_eq(m.nr_hotpatches, 1);
	h = &m.hotpatches[0];
	ck_assert_str_eq(h->epoch, "0");
	ck_assert_str_eq(h->payload,
			 "/usr/lib/hotpatch/kernel-core/6.1.0-57/livepatch_cmdline.ko");
	ck_assert_str_eq(h->advisories.v[0], "HP-2026-0001");
	ck_assert_str_eq(h->cves.v[0], "CVE-2026-1234");
	ck_assert_int_eq(hp_meta_validate(&m, &err), 0);
	hp_meta_release(&m);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_gz_roundtrip)
{
	struct hp_strbuf err = HP_STRBUF_INIT, raw = HP_STRBUF_INIT, raw2 = HP_STRBUF_INIT;
	struct hp_meta m, back;
	char *dir = make_tmpdir();
	char *path = hp_path_join(dir, "hotpatch.xml.gz");

	make_valid(&m);
	ck_assert_msg(hp_meta_write_file_gz(&m, path, &err) == 0, "%s", err.buf);
	ck_assert_int_eq(hp_read_file(path, &raw, &err), 0);
	ck_assert_uint_gt(raw.len, 18);
	ck_assert_int_eq((unsigned char)raw.buf[0], 0x1f);
	ck_assert_int_eq((unsigned char)raw.buf[1], 0x8b);
	/* No file name flag and no mtime: the bytes depend on the model only. */
	ck_assert_int_eq(raw.buf[3], 0);
	ck_assert(!memcmp(raw.buf + 4, "\0\0\0\0", 4));
	ck_assert_msg(hp_meta_read_file(&back, path, &err) == 0, "%s", err.buf);
	assert_meta_equal(&m, &back);

	/* Rewriting replaces the file atomically with identical bytes. */
	ck_assert_int_eq(hp_meta_write_file_gz(&back, path, &err), 0);
	ck_assert_int_eq(hp_read_file(path, &raw2, &err), 0);
	ck_assert_uint_eq(raw.len, raw2.len);
	ck_assert(!memcmp(raw.buf, raw2.buf, raw.len));

	/* The gzip is readable by the real gzip tool. */
	if (have_tool("gzip")) {
		char *cmd = hp_xasprintf("gzip -t '%s'", path);
		ck_assert_int_eq(system(cmd), 0);
		free(cmd);
	}
	hp_meta_release(&back);
	hp_meta_release(&m);
	hp_strbuf_release(&raw);
	hp_strbuf_release(&raw2);
	hp_strbuf_release(&err);
	free(path);
	rm_tmpdir(dir);
}
END_TEST

START_TEST(test_gz_write_error)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_meta m;

	make_valid(&m);
	ck_assert_int_eq(hp_meta_write_file_gz(&m, "/nonexistent-dir/hotpatch.xml.gz", &err), -1);
	ck_assert_contains(err.buf, "/nonexistent-dir/hotpatch.xml.gz");
	ck_assert_contains(err.buf, "No such file or directory");
	hp_meta_release(&m);
	hp_strbuf_release(&err);
}
END_TEST

static void write_bytes(const char *path, const char *buf, size_t len)
{
	struct hp_strbuf err = HP_STRBUF_INIT;

	ck_assert_msg(hp_write_file_atomic(path, buf, len, 0644, &err) == 0, "%s", err.buf);
	hp_strbuf_release(&err);
}

START_TEST(test_gz_truncated)
{
	struct hp_strbuf err = HP_STRBUF_INIT, raw = HP_STRBUF_INIT;
	struct hp_meta m;
	char *dir = make_tmpdir();
	char *path = hp_path_join(dir, "hotpatch.xml.gz");
	char *cut = hp_path_join(dir, "cut.xml.gz");
	/* Cut in the deflate data, in the trailer, and right after the header. */
	size_t cuts[3];

	make_valid(&m);
	ck_assert_int_eq(hp_meta_write_file_gz(&m, path, &err), 0);
	ck_assert_int_eq(hp_read_file(path, &raw, &err), 0);
	cuts[0] = raw.len / 2;
	cuts[1] = raw.len - 3;
	cuts[2] = 12;
	for (size_t i = 0; i < 3; i++) {
		char *msg;

		write_bytes(cut, raw.buf, cuts[i]);
		msg = refusal_of(cut);
		ck_assert_contains(msg, "truncated or corrupt compressed data");
		ck_assert_contains(msg, cut);
		free(msg);
	}
	/* A flipped byte in the deflate data is refused too (CRC or data error). */
	raw.buf[raw.len / 2] ^= 0x55;
	write_bytes(cut, raw.buf, raw.len);
	{
		char *msg = refusal_of(cut);
		ck_assert_msg(strstr(msg, "corrupt") || strstr(msg, "malformed"), "%s", msg);
		free(msg);
	}
	hp_meta_release(&m);
	hp_strbuf_release(&raw);
	hp_strbuf_release(&err);
	free(path);
	free(cut);
	rm_tmpdir(dir);
}
END_TEST

/* xz, zstd and bzip2 (libsolv's readers), by content not by name; truncated
 * streams are refused as for gzip. */
START_TEST(test_other_compressions)
{
	static const char *const tools[] = { "xz", "zstd", "bzip2" };
	struct hp_strbuf err = HP_STRBUF_INIT, xml = HP_STRBUF_INIT;
	struct hp_meta m, back;
	char *dir = make_tmpdir();
	char *plain = hp_path_join(dir, "hotpatch.xml");

	make_valid(&m);
	hp_meta_write(&m, &xml);
	write_bytes(plain, xml.buf, xml.len);
	/* Uncompressed files are read as they are. */
	ck_assert_msg(hp_meta_read_file(&back, plain, &err) == 0, "%s", err.buf);
	assert_meta_equal(&m, &back);
	hp_meta_release(&back);

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		char *comp = hp_xasprintf("%s/compressed-%s", dir, tools[i]);
		char *cmd;
		struct hp_strbuf raw = HP_STRBUF_INIT;
		char *msg;

		if (!have_tool(tools[i]))
			continue;
		cmd = hp_xasprintf("%s -c '%s' > '%s'", tools[i], plain, comp);
		ck_assert_int_eq(system(cmd), 0);
		free(cmd);
		ck_assert_msg(hp_meta_read_file(&back, comp, &err) == 0, "%s: %s", tools[i],
			      err.buf);
		assert_meta_equal(&m, &back);
		hp_meta_release(&back);

		ck_assert_int_eq(hp_read_file(comp, &raw, &err), 0);
		write_bytes(comp, raw.buf, raw.len / 2);
		msg = refusal_of(comp);
		ck_assert_contains(msg, "truncated or corrupt compressed data");
		free(msg);
		hp_strbuf_release(&raw);
		free(comp);
	}
	hp_meta_release(&m);
	hp_strbuf_release(&xml);
	hp_strbuf_release(&err);
	free(plain);
	rm_tmpdir(dir);
}
END_TEST

START_TEST(test_read_missing_file)
{
	char *msg = refusal_of(FIXTURE("does-not-exist.xml"));

	ck_assert_contains(msg, "cannot open '");
	ck_assert_contains(msg, "does-not-exist.xml': No such file or directory");
	free(msg);
}
END_TEST

/* --- refusals --- */

static const struct {
	const char *file;
	const char *expect[2];
} malformed[] = {
	{ "malformed-unclosed.xml", { "malformed XML at line 6: ", "no element found" } },
	{ "malformed-mismatch.xml", { "malformed XML at line 5: ", "mismatched tag" } },
	{ "malformed-ampersand.xml", { "malformed XML at line 6: ", "not well-formed" } },
	{ "malformed-truncated.xml", { "malformed XML at line 4: ", "unclosed token" } },
};

START_TEST(test_malformed_fixture)
{
	char *path = hp_xasprintf("%s/meta/%s", HP_TEST_DATA, malformed[_i].file);
	char *msg = refusal_of(path);
	char *prefix = hp_xasprintf("'%s': malformed XML at line ", path);

	ck_assert_msg(!strncmp(msg, prefix, strlen(prefix)), "got: %s", msg);
	ck_assert_contains(msg, malformed[_i].expect[0]);
	ck_assert_contains(msg, malformed[_i].expect[1]);
	free(prefix);
	free(msg);
	free(path);
}
END_TEST

START_TEST(test_malformed_buffers)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_meta m;

	ck_assert_int_eq(hp_meta_parse(&m, "", 0, "empty", &err), -1);
	ck_assert_str_eq(err.buf, "'empty': malformed XML at line 1: no element found");
	hp_strbuf_reset(&err);
	/* Two documents in one: junk after the root element. */
	static const char two[] =
		"<hotpatch format=\"1\" revision=\"1\" generated=\"0\"/>\n"
		"<hotpatch format=\"1\" revision=\"2\" generated=\"0\"/>\n";
	ck_assert_int_eq(hp_meta_parse(&m, two, sizeof(two) - 1, "two", &err), -1);
	ck_assert_contains(err.buf, "'two': malformed XML at line 2: junk after document element");
	hp_meta_release(&m);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_unsupported_format)
{
	char *msg = refusal_of(FIXTURE("format-2.xml"));
	char *want = hp_xasprintf("'%s': unsupported hotpatch metadata format 2 "
				  "(this hotpatch understands 1)", FIXTURE("format-2.xml"));

	ck_assert_str_eq(msg, want);
	free(want);
	free(msg);
}
END_TEST

START_TEST(test_format_missing_or_bad)
{
	char *msg = refusal_of(FIXTURE("format-missing.xml"));

	ck_assert_contains(msg, "line 2: <hotpatch> lacks the required attribute 'format'");
	free(msg);
	msg = refusal_of(FIXTURE("format-nonnumeric.xml"));
	ck_assert_contains(msg, "line 2: <hotpatch> attribute 'format' is not a number: 'one'");
	free(msg);
}
END_TEST

START_TEST(test_revision_nonnumeric)
{
	char *msg = refusal_of(FIXTURE("revision-nonnumeric.xml"));

	ck_assert_contains(msg, "<hotpatch> attribute 'revision' is not a number: '7a'");
	ck_assert_contains(msg, "line 2");
	free(msg);
}
END_TEST

START_TEST(test_wrong_root)
{
	char *msg = refusal_of(FIXTURE("wrong-root.xml"));

	ck_assert_contains(msg, "line 2: the root element is <updates>, not <hotpatch>");
	free(msg);
	{
		static const char other[] = "<hotpatch xmlns=\"http://example.org/x\" format=\"1\"/>";
		struct hp_strbuf err = HP_STRBUF_INIT;
		struct hp_meta m;

		ck_assert_int_eq(hp_meta_parse(&m, other, sizeof(other) - 1, "ns", &err), -1);
		ck_assert_str_eq(err.buf, "'ns': line 1: the root element is <hotpatch> of "
					  "namespace 'http://example.org/x', not <hotpatch>");
		hp_strbuf_release(&err);
	}
}
END_TEST

START_TEST(test_missing_attribute)
{
	char *msg = refusal_of(FIXTURE("missing-attr.xml"));
	char *want = hp_xasprintf("'%s': line 6: <patch> lacks the required attribute 'arch'",
				  FIXTURE("missing-attr.xml"));

	ck_assert_str_eq(msg, want);
	free(want);
	free(msg);
	msg = refusal_of(FIXTURE("missing-payload-sha.xml"));
	ck_assert_contains(msg, "line 6: <payload> lacks the required attribute 'sha256'");
	free(msg);
	msg = refusal_of(FIXTURE("no-payload.xml"));
	ck_assert_contains(msg, "line 3: <patch name=\"kpatch-kernel-core-6.1.0-57\"> has no "
			   "<payload>");
	free(msg);
}
END_TEST

START_TEST(test_doctype_refused)
{
	char *msg = refusal_of(FIXTURE("doctype.xml"));

	ck_assert_contains(msg, "line 2: a DOCTYPE is not allowed");
	free(msg);
}
END_TEST

START_TEST(test_unknown_elements_ignored)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_meta m;
	const struct hp_hotpatch *h;

	ck_assert_msg(hp_meta_read_file(&m, FIXTURE("unknown-elements.xml"), &err) == 0, "%s",
		      err.buf);
	ck_assert_uint_eq(m.revision, 12);
	ck_assert_int_eq(m.expires, 0);
	/* Records nested in unknown elements are not records of this format. */
	ck_assert_uint_eq(m.nr_baselines, 1);
	ck_assert_str_eq(m.baselines[0].id, "2026-Q4");
	ck_assert_int_eq(m.baselines[0].kind, HP_BASELINE_UNPLANNED);
	ck_assert_uint_eq(m.baselines[0].nr_builds, 2);
	ck_assert_str_eq(m.baselines[0].builds[1].evr, "1:3.0.11-1");
	ck_assert_ptr_null(m.baselines[0].supported_until);
	ck_assert_uint_eq(m.nr_hotpatches, 1);
	h = &m.hotpatches[0];
	ck_assert_ptr_null(h->epoch);
	ck_assert_ptr_null(h->severity);
	ck_assert_ptr_null(h->location);
	ck_assert_uint_eq(h->cves.nr, 2);
	ck_assert_str_eq(h->cves.v[1], "CVE-2026-5678");
	ck_assert_uint_eq(h->advisories.nr, 0);
	ck_assert_int_eq(hp_meta_validate(&m, &err), 0);
	hp_meta_release(&m);
	hp_strbuf_release(&err);
}
END_TEST

/* Every proper prefix of a document is refused (never read as a shorter
 * document), and none of them upsets the reader (ASan/valgrind runs). */
START_TEST(test_every_prefix_refused)
{
	struct hp_strbuf xml = HP_STRBUF_INIT, err = HP_STRBUF_INIT;
	struct hp_meta m, back;
	const char *end;
	size_t complete;

	make_valid(&m);
	hp_meta_write(&m, &xml);
	end = strstr(xml.buf, "</hotpatch>");
	ck_assert_ptr_nonnull(end);
	complete = (size_t)(end - xml.buf) + strlen("</hotpatch>");
	for (size_t len = 0; len < complete; len++) {
		hp_strbuf_reset(&err);
		ck_assert_msg(hp_meta_parse(&back, xml.buf, len, "prefix", &err) == -1,
			      "prefix of %zu bytes accepted", len);
		ck_assert_uint_eq(back.nr_hotpatches, 0);
		ck_assert_contains(err.buf, "'prefix': ");
	}
	ck_assert_int_eq(hp_meta_parse(&back, xml.buf, complete, "prefix", &err), 0);
	hp_meta_release(&back);
	hp_meta_release(&m);
	hp_strbuf_release(&xml);
	hp_strbuf_release(&err);
}
END_TEST

/* Deeply nested unknown elements cost no recursion and no memory per level
 * in our reader (expat keeps its own tag stack). */
START_TEST(test_deep_nesting)
{
	struct hp_strbuf xml = HP_STRBUF_INIT, err = HP_STRBUF_INIT;
	struct hp_meta m;
	const int depth = 100000;

	hp_strbuf_adds(&xml, "<hotpatch format=\"1\" revision=\"3\" generated=\"0\">");
	for (int i = 0; i < depth; i++)
		hp_strbuf_adds(&xml, "<x>");
	for (int i = 0; i < depth; i++)
		hp_strbuf_adds(&xml, "</x>");
	hp_strbuf_adds(&xml, "<baseline id=\"b\" kind=\"planned\" issued=\"2026-01-01\">"
			     "<build name=\"k\" evr=\"1-1\"/></baseline></hotpatch>");
	ck_assert_msg(hp_meta_parse(&m, xml.buf, xml.len, "deep", &err) == 0, "%s", err.buf);
	ck_assert_uint_eq(m.revision, 3);
	ck_assert_uint_eq(m.nr_baselines, 1);
	hp_meta_release(&m);
	hp_strbuf_release(&xml);
	hp_strbuf_release(&err);
}
END_TEST

/* --- validation: one test per rule --- */

/* Runs validate on a model `make_valid` built and `mutate` changed: expects
 * exactly `want` problems and `needle` in the message. */
static void expect_invalid(struct hp_meta *m, int want, const char *needle)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	int n = hp_meta_validate(m, &err);
	size_t lines = err.len ? 1 : 0;

	for (size_t i = 0; i < err.len; i++)
		lines += err.buf[i] == '\n';
	ck_assert_msg(n == want, "%d problems, want %d: %s", n, want, err.buf);
	ck_assert_uint_eq(lines, (size_t)want);
	ck_assert_contains(err.buf, needle);
	hp_strbuf_release(&err);
	hp_meta_release(m);
}

static void set(char **field, const char *value)
{
	free(*field);
	*field = hp_xstrdup(value);
}

START_TEST(test_validate_valid)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_meta m;

	make_valid(&m);
	ck_assert_int_eq(hp_meta_validate(&m, &err), 0);
	ck_assert_str_eq(err.buf, "");
	hp_meta_release(&m);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_validate_baseline_id_unique)
{
	struct hp_meta m;

	make_valid(&m);
	set(&m.baselines[1].id, "2026-Q3");
	expect_invalid(&m, 1, "baseline id '2026-Q3' is listed more than once");
}
END_TEST

START_TEST(test_validate_baseline_id_missing)
{
	struct hp_meta m;

	make_valid(&m);
	free(m.baselines[1].id);
	m.baselines[1].id = NULL;
	expect_invalid(&m, 1, "baseline #2: missing id");
}
END_TEST

START_TEST(test_validate_kind)
{
	struct hp_meta m;

	make_valid(&m);
	m.baselines[0].kind = (enum hp_baseline_kind)7;
	expect_invalid(&m, 1, "baseline '2026-Q3': invalid kind 7");
}
END_TEST

START_TEST(test_validate_issued_date)
{
	struct hp_meta m;

	make_valid(&m);
	set(&m.baselines[1].issued, "2026-02-30");
	expect_invalid(&m, 1, "baseline '2026-Q4': invalid issued date '2026-02-30'");
}
END_TEST

START_TEST(test_validate_supported_until_date)
{
	struct hp_meta m;

	make_valid(&m);
	set(&m.baselines[0].supported_until, "next year");
	expect_invalid(&m, 1, "invalid supported-until date 'next year'");
}
END_TEST

START_TEST(test_validate_until_before_issued)
{
	struct hp_meta m;

	make_valid(&m);
	set(&m.baselines[0].supported_until, "2026-06-30");
	expect_invalid(&m, 1, "supported-until 2026-06-30 is before issued 2026-07-01");
}
END_TEST

START_TEST(test_validate_baseline_no_builds)
{
	struct hp_meta m;
	struct hp_baseline b;

	make_valid(&m);
	hp_baseline_init(&b);
	b.id = hp_xstrdup("empty");
	b.issued = hp_xstrdup("2026-12-01");
	hp_meta_add_baseline(&m, &b);
	expect_invalid(&m, 1, "baseline 'empty': has no builds");
}
END_TEST

START_TEST(test_validate_duplicate_component)
{
	struct hp_meta m;

	make_valid(&m);
	hp_baseline_add_build(&m.baselines[1], "kernel-core", "6.1.0-58");
	expect_invalid(&m, 1, "baseline '2026-Q4': component 'kernel-core' is listed more than once");
}
END_TEST

START_TEST(test_validate_hotpatch_required)
{
	static const struct {
		size_t off;
		const char *what;
	} fields[] = {
		{ offsetof(struct hp_hotpatch, name), "missing name" },
		{ offsetof(struct hp_hotpatch, version), "missing version" },
		{ offsetof(struct hp_hotpatch, release), "missing release" },
		{ offsetof(struct hp_hotpatch, arch), "missing arch" },
		{ offsetof(struct hp_hotpatch, component), "missing component" },
		{ offsetof(struct hp_hotpatch, build), "missing build" },
		{ offsetof(struct hp_hotpatch, engine), "missing engine" },
		{ offsetof(struct hp_hotpatch, payload), "missing payload" },
		{ offsetof(struct hp_hotpatch, payload_sha256), "missing payload sha256" },
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		struct hp_meta m;
		char **f;

		make_valid(&m);
		/* Missing (NULL) and empty count the same; the NEVRAs of
		 * the two records stay distinct either way. */
		f = (char **)((char *)&m.hotpatches[0] + fields[i].off);
		free(*f);
		*f = (i % 2) ? hp_xstrdup("") : NULL;
		expect_invalid(&m, 1, fields[i].what);
	}
}
END_TEST

START_TEST(test_validate_payload_absolute)
{
	struct hp_meta m;

	make_valid(&m);
	set(&m.hotpatches[0].payload, "usr/lib/hotpatch/x.ko");
	expect_invalid(&m, 1, "payload 'usr/lib/hotpatch/x.ko' is not absolute");
}
END_TEST

START_TEST(test_validate_payload_root)
{
	static const char *const bad[] = {
		"/usr/lib/modules/x.ko", "/usr/lib/hotpatchX/x.ko", "/usr/lib/hotpatch/", "/etc/passwd",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hp_meta m;

		make_valid(&m);
		set(&m.hotpatches[0].payload, bad[i]);
		expect_invalid(&m, 1, "is not below /usr/lib/hotpatch/");
	}
}
END_TEST

START_TEST(test_validate_payload_dotdot)
{
	static const char *const bad[] = {
		"/usr/lib/hotpatch/../../../etc/shadow", "/usr/lib/hotpatch/k/..",
		"/usr/lib/hotpatch/./x.ko", "/usr/lib/hotpatch/k/.",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hp_meta m;

		make_valid(&m);
		set(&m.hotpatches[0].payload, bad[i]);
		expect_invalid(&m, 1, "contains a '.' or '..' component");
	}
}
END_TEST

START_TEST(test_validate_payload_double_slash)
{
	struct hp_meta m;

	make_valid(&m);
	set(&m.hotpatches[0].payload, "/usr/lib/hotpatch/kernel-core//x.ko");
	expect_invalid(&m, 1, "contains '//'");
	make_valid(&m);
	set(&m.hotpatches[0].payload, "/usr/lib/hotpatch/kernel-core/");
	expect_invalid(&m, 1, "ends with '/'");
	/* Names that merely contain dots are fine. */
	make_valid(&m);
	set(&m.hotpatches[0].payload, "/usr/lib/hotpatch/kernel-core/6.1.0-57/..ko...");
	{
		struct hp_strbuf err = HP_STRBUF_INIT;
		ck_assert_int_eq(hp_meta_validate(&m, &err), 0);
		hp_strbuf_release(&err);
	}
	hp_meta_release(&m);
}
END_TEST

START_TEST(test_validate_sha256)
{
	static const char *const bad[] = {
		"0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
		"0123456789abcdef",
		SHA_A "0",
		"g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hp_meta m;

		make_valid(&m);
		set(&m.hotpatches[1].payload_sha256, bad[i]);
		expect_invalid(&m, 1, "is not 64 lower-case hex digits");
	}
}
END_TEST

START_TEST(test_validate_engine_name)
{
	static const char *const bad[] = { "KLP", "ulp;rm -rf /", "../bin/sh", "a b" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hp_meta m;

		make_valid(&m);
		set(&m.hotpatches[1].engine, bad[i]);
		expect_invalid(&m, 1, "is not [a-z0-9_-]+");
	}
}
END_TEST

/* The build a hotpatch targets and each baseline build are full [E:]V-R
 * (hp_evr_valid): "x-" or "6.1.0-" would match no installed build. */
START_TEST(test_validate_build_evr)
{
	static const char *const bad[] = { "x-", "6.1.0-", "-57", "6.1.0", "a:1-1", "1-2-3", "6.1 -57" };
	static const char *const good[] = { "6.1.0-57", "1:3.0.11-1", "0:1.0~rc1-1.el9", "1.0^post1-2" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hp_meta m;

		make_valid(&m);
		set(&m.hotpatches[1].build, bad[i]);
		expect_invalid(&m, 1, "build EVR");
		make_valid(&m);
		set(&m.baselines[0].builds[1].evr, bad[i]);
		expect_invalid(&m, 1, "EVR is not of the form [E:]V-R");
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct hp_strbuf err = HP_STRBUF_INIT;
		struct hp_meta m;

		make_valid(&m);
		set(&m.hotpatches[1].build, good[i]);
		set(&m.baselines[0].builds[1].evr, good[i]);
		ck_assert_msg(hp_meta_validate(&m, &err) == 0, "'%s': %s", good[i], err.buf);
		hp_meta_release(&m);
		hp_strbuf_release(&err);
	}
}
END_TEST

/* The client joins a package location to the repository's path and
 * downloads what it names: it must stay inside the repository. */
START_TEST(test_validate_location)
{
	static const struct {
		const char *loc, *why;
	} bad[] = {
		{ "../../../../etc/passwd", "contains a '..' component" },
		{ "Packages/../../x.rpm", "contains a '..' component" },
		{ "Packages/..", "contains a '..' component" },
		{ "..", "contains a '..' component" },
		{ "/etc/passwd", "is absolute" },
		{ "/srv/repo/Packages/x.rpm", "is absolute" },
		{ "", "is empty" },
	};
	static const char *const good[] = { "Packages/x.rpm", "x.rpm", "a/b/c..d.rpm",
					    "..x/y.rpm", "Packages/./x.rpm" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hp_meta m;
		char *want = hp_xasprintf("package location '%s' %s", bad[i].loc, bad[i].why);

		make_valid(&m);
		set(&m.hotpatches[0].location, bad[i].loc);
		expect_invalid(&m, 1, want);
		free(want);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct hp_strbuf err = HP_STRBUF_INIT;
		struct hp_meta m;

		make_valid(&m);
		set(&m.hotpatches[0].location, good[i]);
		ck_assert_msg(hp_meta_validate(&m, &err) == 0, "'%s': %s", good[i], err.buf);
		hp_meta_release(&m);
		hp_strbuf_release(&err);
	}
	/* Absent is fine: location is optional. */
	{
		struct hp_strbuf err = HP_STRBUF_INIT;
		struct hp_meta m;

		make_valid(&m);
		free(m.hotpatches[0].location);
		m.hotpatches[0].location = NULL;
		ck_assert_int_eq(hp_meta_validate(&m, &err), 0);
		hp_meta_release(&m);
		hp_strbuf_release(&err);
	}
}
END_TEST

START_TEST(test_validate_nevra_unique)
{
	struct hp_meta m;

	make_valid(&m);
	set(&m.hotpatches[1].version, "1");
	expect_invalid(&m, 1,
		       "hotpatch 'kpatch-kernel-core-6.1.0-57-1-1.x86_64' is listed more than once");
	/* Epoch 0 and no epoch are the same package. */
	make_valid(&m);
	set(&m.hotpatches[1].version, "1");
	free(m.hotpatches[1].epoch);
	m.hotpatches[1].epoch = NULL;
	expect_invalid(&m, 1, "is listed more than once");
}
END_TEST

START_TEST(test_validate_hotpatch_dates)
{
	struct hp_meta m;

	make_valid(&m);
	set(&m.hotpatches[0].issued, "10/11/2026");
	expect_invalid(&m, 1, "invalid issued date '10/11/2026'");
	make_valid(&m);
	set(&m.hotpatches[0].epoch, "one");
	expect_invalid(&m, 1, "epoch 'one' is not a number");
}
END_TEST

START_TEST(test_validate_control_chars)
{
	struct hp_meta m;

	make_valid(&m);
	set(&m.hotpatches[0].severity, "Important\x01");
	expect_invalid(&m, 1, "contains control characters");
	/* Invalid UTF-8 (a lone continuation byte, an overlong '/'). */
	make_valid(&m);
	set(&m.hotpatches[0].severity, "Imp\x80rtant");
	expect_invalid(&m, 1, "is not UTF-8");
	make_valid(&m);
	set(&m.baselines[0].builds[0].evr, "6.1\xc0\xaf" "0-57");
	expect_invalid(&m, 1, "is not UTF-8");
	/* Valid multi-byte text is fine. */
	make_valid(&m);
	set(&m.hotpatches[0].severity, "Wichtig \xc3\xa4\xe2\x82\xac\xf0\x9f\x94\xa5");
	{
		struct hp_strbuf err = HP_STRBUF_INIT;
		ck_assert_int_eq(hp_meta_validate(&m, &err), 0);
		hp_strbuf_release(&err);
	}
	hp_meta_release(&m);
}
END_TEST

START_TEST(test_validate_expiry)
{
	struct hp_meta m;

	make_valid(&m);
	m.expires = m.generated - 1;
	expect_invalid(&m, 1, "expires");
	make_valid(&m);
	m.generated = -1;
	expect_invalid(&m, 1, "must not be negative");
}
END_TEST

START_TEST(test_validate_counts_all)
{
	struct hp_meta m;

	/* Problems in several records: each one reported, one line each. */
	make_valid(&m);
	set(&m.baselines[0].issued, "2026-13-01");
	set(&m.hotpatches[0].engine, "K");
	set(&m.hotpatches[1].payload, "/tmp/x.ko");
	expect_invalid(&m, 3, "/tmp/x.ko");
}
END_TEST

/* --- scale --- */

START_TEST(test_distribution_scale)
{
	struct hp_strbuf xml = HP_STRBUF_INIT, err = HP_STRBUF_INIT;
	struct hp_meta m, back;

	hp_meta_init(&m);
	m.revision = 1234;
	m.generated = 1764442800;
	for (int i = 0; i < 40; i++) {
		char id[32];

		snprintf(id, sizeof(id), "20%02d-Q%d", 16 + i / 4, i % 4 + 1);
		add_baseline(&m, id, "2026-01-01", NULL);
	}
	for (int i = 0; i < 5000; i++) {
		char name[64], ver[16];

		snprintf(name, sizeof(name), "kpatch-component-%d", i / 10);
		snprintf(ver, sizeof(ver), "%d", i % 10);
		add_patch(&m, name, ver);
	}
	ck_assert_int_eq(hp_meta_validate(&m, &err), 0);
	hp_meta_write(&m, &xml);
	ck_assert_msg(hp_meta_parse(&back, xml.buf, xml.len, "scale", &err) == 0, "%s", err.buf);
	ck_assert_uint_eq(back.nr_baselines, 40);
	ck_assert_uint_eq(back.nr_hotpatches, 5000);
	assert_meta_equal(&m, &back);
	ck_assert_int_eq(hp_meta_validate(&back, &err), 0);
	hp_meta_release(&back);
	hp_meta_release(&m);
	hp_strbuf_release(&xml);
	hp_strbuf_release(&err);
}
END_TEST

Suite *meta_suite(void)
{
	Suite *s = suite_create("meta");
	TCase *tc;

	tc = tcase_create("model");
	tcase_add_test(tc, test_model_strings);
	suite_add_tcase(s, tc);

	tc = tcase_create("xml");
	tcase_add_test(tc, test_roundtrip_escaping);
	tcase_add_test(tc, test_parse_example);
	tcase_add_test(tc, test_gz_roundtrip);
	tcase_add_test(tc, test_gz_write_error);
	tcase_add_test(tc, test_gz_truncated);
	tcase_add_test(tc, test_other_compressions);
	tcase_add_test(tc, test_read_missing_file);
	tcase_add_loop_test(tc, test_malformed_fixture, 0,
			    (int)(sizeof(malformed) / sizeof(malformed[0])));
	tcase_add_test(tc, test_malformed_buffers);
	tcase_add_test(tc, test_unsupported_format);
	tcase_add_test(tc, test_format_missing_or_bad);
	tcase_add_test(tc, test_revision_nonnumeric);
	tcase_add_test(tc, test_wrong_root);
	tcase_add_test(tc, test_missing_attribute);
	tcase_add_test(tc, test_doctype_refused);
	tcase_add_test(tc, test_unknown_elements_ignored);
	tcase_add_test(tc, test_every_prefix_refused);
	tcase_add_test(tc, test_deep_nesting);
	suite_add_tcase(s, tc);

	tc = tcase_create("validate");
	tcase_add_test(tc, test_validate_valid);
	tcase_add_test(tc, test_validate_baseline_id_unique);
	tcase_add_test(tc, test_validate_baseline_id_missing);
	tcase_add_test(tc, test_validate_kind);
	tcase_add_test(tc, test_validate_issued_date);
	tcase_add_test(tc, test_validate_supported_until_date);
	tcase_add_test(tc, test_validate_until_before_issued);
	tcase_add_test(tc, test_validate_baseline_no_builds);
	tcase_add_test(tc, test_validate_duplicate_component);
	tcase_add_test(tc, test_validate_hotpatch_required);
	tcase_add_test(tc, test_validate_payload_absolute);
	tcase_add_test(tc, test_validate_payload_root);
	tcase_add_test(tc, test_validate_payload_dotdot);
	tcase_add_test(tc, test_validate_payload_double_slash);
	tcase_add_test(tc, test_validate_sha256);
	tcase_add_test(tc, test_validate_engine_name);
	tcase_add_test(tc, test_validate_build_evr);
	tcase_add_test(tc, test_validate_location);
	tcase_add_test(tc, test_validate_nevra_unique);
	tcase_add_test(tc, test_validate_hotpatch_dates);
	tcase_add_test(tc, test_validate_control_chars);
	tcase_add_test(tc, test_validate_expiry);
	tcase_add_test(tc, test_validate_counts_all);
	suite_add_tcase(s, tc);

	tc = tcase_create("scale");
	/* 5,000 records under valgrind take a while; no timing is asserted. */
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_distribution_scale);
	suite_add_tcase(s, tc);
	return s;
}
