/* publish: the lint rules on model data (one clear line per problem), the
 * baselines store, EVR and NAME=EVR parsing. */
#include <check.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rpm/rpmds.h>

#include "hp_publish.h"
#include "testutil.h"

static const char lp_modinfo[] = "livepatch=Y\0name=lp\0vermagic=6.1.0-57-amd64 SMP mod_unload ";
static const char plain_modinfo[] = "name=lp\0vermagic=6.1.0-57-amd64 SMP mod_unload ";
static const char other_modinfo[] = "livepatch=Y\0name=lp\0vermagic=6.1.0-58-amd64 SMP mod_unload ";

static void add_dep(struct hp_dep **deps, size_t *nr, const char *name, const char *evr)
{
	*deps = realloc(*deps, (*nr + 1) * sizeof(**deps));
	(*deps)[*nr].name = strdup(name);
	(*deps)[*nr].evr = evr ? strdup(evr) : NULL;
	(*deps)[*nr].sense = evr ? RPMSENSE_EQUAL : 0;
	(*nr)++;
}

static void add_file(struct hp_candidate *c, const char *path, const char *modinfo, size_t milen)
{
	struct hp_payload_file *f;
	size_t len = 0;
	unsigned char *data = modinfo ? hp_test_make_ko(modinfo, milen, &len) : NULL;

	HP_ALLOC_GROW(c->payload.files, c->payload.nr + 1, c->payload.alloc);
	f = &c->payload.files[c->payload.nr++];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	if (!data) {
		data = (unsigned char *)strdup("payload");
		len = 7;
	}
	hp_sha256_hex(data, len, f->sha256);
	f->size = len;
	if (strstr(path, ".ko")) {
		struct hp_strbuf err = HP_STRBUF_INIT;

		f->is_module = 1;
		if (hp_modinfo_parse(&f->modinfo, data, len, path, &err))
			f->modinfo_error = hp_strbuf_detach(&err);
		hp_strbuf_release(&err);
	}
	free(data);
	hp_strvec_push(&c->hdr.files, path);
	hp_strvec_push(&c->hdr.digests, f->sha256);
	c->hdr.digest_algo = 8;
}

/* Drops the payload and the header's file list with it. */
static void clear_payload(struct hp_candidate *c)
{
	hp_payload_release(&c->payload);
	hp_strvec_release(&c->hdr.files);
	hp_strvec_release(&c->hdr.digests);
}

/* A correct klp hotpatch for kernel-core 6.1.0-57. */
static void klp_candidate(struct hp_candidate *c)
{
	hp_candidate_init(c);
	c->hdr.name = strdup("kernel-hotpatch");
	c->hdr.version = strdup("2");
	c->hdr.release = strdup("1");
	c->hdr.arch = strdup("x86_64");
	c->hdr.buildtime = 1767225600; /* 2026-01-01 */
	c->location = strdup("kernel-hotpatch-2-1.x86_64.rpm");
	add_dep(&c->hdr.provides, &c->hdr.nr_provides, "kernel-hotpatch", "2-1");
	add_dep(&c->hdr.provides, &c->hdr.nr_provides, "hotpatch(kernel-core)", "6.1.0-57");
	add_dep(&c->hdr.provides, &c->hdr.nr_provides, "hotpatch-engine(klp)", NULL);
	add_dep(&c->hdr.requires, &c->hdr.nr_requires, "kernel-core", "6.1.0-57");
	add_file(c, "/usr/lib/hotpatch/kernel-core/6.1.0-57/lp.ko", lp_modinfo, sizeof(lp_modinfo));
	c->kernel_release = strdup("6.1.0-57-amd64");
}

static void baselines(struct hp_meta *m)
{
	struct hp_baseline b;

	hp_meta_init(m);
	hp_baseline_init(&b);
	b.id = strdup("2026-Q3");
	b.issued = strdup("2026-07-01");
	hp_baseline_add_build(&b, "kernel-core", "6.1.0-57");
	hp_baseline_add_build(&b, "openssl-libs", "3.0.11-1");
	hp_meta_add_baseline(m, &b);
}

/* Runs the lint; returns the number of problems, `problems` holds them. */
static int lint(struct hp_candidate *c, struct hp_strbuf *problems, struct hp_hotpatch *h)
{
	struct hp_meta m;
	int n;

	baselines(&m);
	hp_strbuf_reset(problems);
	n = hp_publish_lint(c, &m, h, problems);
	hp_meta_release(&m);
	return n;
}

#define EXPECT_ONE(c, text)                                                            \
	do {                                                                           \
		struct hp_strbuf p_ = HP_STRBUF_INIT;                                  \
		struct hp_hotpatch h_;                                                 \
		hp_hotpatch_init(&h_);                                                 \
		ck_assert_int_eq(lint((c), &p_, &h_), 1);                              \
		ck_assert_msg(strstr(p_.buf, (text)) != NULL, "got: %s", p_.buf);     \
		ck_assert_msg(!strncmp(p_.buf, "kernel-hotpatch-2-1.x86_64: ", 28),    \
			      "names the package: %s", p_.buf);                        \
		ck_assert_msg(!strchr(p_.buf, '\n'), "one line: %s", p_.buf);          \
		ck_assert_ptr_null(h_.name);                                           \
		hp_strbuf_release(&p_);                                                \
		hp_hotpatch_release(&h_);                                              \
	} while (0)

START_TEST(test_lint_ok_klp)
{
	struct hp_candidate c;
	struct hp_strbuf p = HP_STRBUF_INIT;
	struct hp_hotpatch h;
	struct hp_pkg_advisories adv;

	klp_candidate(&c);
	memset(&adv, 0, sizeof(adv));
	hp_strvec_push(&adv.cves, "CVE-2026-1111");
	hp_strvec_push(&adv.advisories, "HP-1");
	adv.severity = "Important";
	adv.issued = "2026-03-02";
	c.adv = &adv;
	hp_hotpatch_init(&h);
	ck_assert_msg(lint(&c, &p, &h) == 0, "%s", p.buf);
	ck_assert_str_eq(h.name, "kernel-hotpatch");
	ck_assert_str_eq(h.component, "kernel-core");
	ck_assert_str_eq(h.build, "6.1.0-57");
	ck_assert_str_eq(h.engine, "klp");
	ck_assert_str_eq(h.payload, "/usr/lib/hotpatch/kernel-core/6.1.0-57/lp.ko");
	ck_assert_str_eq(h.payload_sha256, c.payload.files[0].sha256);
	ck_assert_str_eq(h.severity, "Important");
	ck_assert_str_eq(h.issued, "2026-03-02");
	ck_assert_str_eq(h.cves.v[0], "CVE-2026-1111");
	ck_assert_str_eq(h.location, "kernel-hotpatch-2-1.x86_64.rpm");
	hp_hotpatch_release(&h);
	/* without updateinfo: issued is the build date */
	c.adv = NULL;
	ck_assert_int_eq(lint(&c, &p, &h), 0);
	ck_assert_str_eq(h.issued, "2026-01-01");
	ck_assert_ptr_null(h.severity);
	hp_hotpatch_release(&h);
	hp_strvec_release(&adv.cves);
	hp_strvec_release(&adv.advisories);
	hp_candidate_release(&c);
	hp_strbuf_release(&p);
}
END_TEST

START_TEST(test_lint_not_in_baseline)
{
	struct hp_candidate c;

	klp_candidate(&c);
	free(c.hdr.provides[1].evr);
	c.hdr.provides[1].evr = strdup("6.1.0-58");
	free(c.hdr.requires[0].evr);
	c.hdr.requires[0].evr = strdup("6.1.0-58");
	free(c.payload.files[0].path);
	c.payload.files[0].path = strdup("/usr/lib/hotpatch/kernel-core/6.1.0-58/lp.ko");
	free(c.hdr.files.v[0]);
	c.hdr.files.v[0] = strdup(c.payload.files[0].path);
	EXPECT_ONE(&c, "build kernel-core = 6.1.0-58 is in no baseline");
	hp_candidate_release(&c);
}
END_TEST

START_TEST(test_lint_requires_disagree)
{
	struct hp_candidate c;

	klp_candidate(&c);
	free(c.hdr.requires[0].evr);
	c.hdr.requires[0].evr = strdup("6.1.0-58");
	EXPECT_ONE(&c, "Provides hotpatch(kernel-core) = 6.1.0-57 but Requires kernel-core = 6.1.0-58");
	hp_candidate_release(&c);
	/* epoch 0 spelled out is the same build */
	klp_candidate(&c);
	free(c.hdr.requires[0].evr);
	c.hdr.requires[0].evr = strdup("0:6.1.0-57");
	{
		struct hp_strbuf p = HP_STRBUF_INIT;
		struct hp_hotpatch h;

		hp_hotpatch_init(&h);
		ck_assert_msg(lint(&c, &p, &h) == 0, "%s", p.buf);
		hp_hotpatch_release(&h);
		hp_strbuf_release(&p);
	}
	hp_candidate_release(&c);
}
END_TEST

START_TEST(test_lint_requires_missing)
{
	struct hp_candidate c;

	klp_candidate(&c);
	free(c.hdr.requires[0].name);
	c.hdr.requires[0].name = strdup("kernel");
	EXPECT_ONE(&c, "'Requires: kernel-core = 6.1.0-57' is missing");
	hp_candidate_release(&c);
}
END_TEST

START_TEST(test_lint_two_hotpatch_provides)
{
	struct hp_candidate c;

	klp_candidate(&c);
	add_dep(&c.hdr.provides, &c.hdr.nr_provides, "hotpatch(glibc)", "2.36-9");
	EXPECT_ONE(&c, "2 hotpatch() provides; a hotpatch patches exactly one build");
	hp_candidate_release(&c);
}
END_TEST

START_TEST(test_lint_no_hotpatch_provide)
{
	struct hp_candidate c;

	klp_candidate(&c);
	free(c.hdr.provides[1].name);
	c.hdr.provides[1].name = strdup("something-else");
	EXPECT_ONE(&c, "no 'Provides: hotpatch(<component>) = <build EVR>'");
	hp_candidate_release(&c);
}
END_TEST

START_TEST(test_lint_unversioned_provide)
{
	struct hp_candidate c;

	klp_candidate(&c);
	free(c.hdr.provides[1].evr);
	c.hdr.provides[1].evr = NULL;
	c.hdr.provides[1].sense = 0;
	EXPECT_ONE(&c, "'Provides: hotpatch(kernel-core)' must be '= <build EVR>'");
	hp_candidate_release(&c);
}
END_TEST

START_TEST(test_lint_no_engine)
{
	struct hp_candidate c;

	klp_candidate(&c);
	free(c.hdr.provides[2].name);
	c.hdr.provides[2].name = strdup("hotpatch-enginex");
	EXPECT_ONE(&c, "no 'Provides: hotpatch-engine(<engine>)'");
	hp_candidate_release(&c);
}
END_TEST

START_TEST(test_lint_payload_missing)
{
	struct hp_candidate c;

	klp_candidate(&c);
	clear_payload(&c);
	EXPECT_ONE(&c, "payload missing: no file under /usr/lib/hotpatch/kernel-core/6.1.0-57/");
	hp_candidate_release(&c);
}
END_TEST

START_TEST(test_lint_payload_outside)
{
	struct hp_candidate c;

	klp_candidate(&c);
	add_file(&c, "/usr/lib/hotpatch/kernel-core/6.1.0-58/evil.sh", NULL, 0);
	EXPECT_ONE(&c, "payload file '/usr/lib/hotpatch/kernel-core/6.1.0-58/evil.sh' is not under "
		       "/usr/lib/hotpatch/kernel-core/6.1.0-57/");
	hp_candidate_release(&c);
	klp_candidate(&c);
	add_file(&c, "/usr/lib/hotpatch/kernel-core/6.1.0-57/../../../../etc/x", NULL, 0);
	EXPECT_ONE(&c, "is not under");
	hp_candidate_release(&c);
}
END_TEST

START_TEST(test_lint_digest_mismatch)
{
	struct hp_candidate c;

	klp_candidate(&c);
	free(c.hdr.digests.v[0]);
	c.hdr.digests.v[0] = strdup("00000000000000000000000000000000"
				    "00000000000000000000000000000000");
	EXPECT_ONE(&c, "does not match the rpm header's digest");
	hp_candidate_release(&c);
}
END_TEST

START_TEST(test_lint_klp_ko_count)
{
	struct hp_candidate c;

	klp_candidate(&c);
	add_file(&c, "/usr/lib/hotpatch/kernel-core/6.1.0-57/lp2.ko", lp_modinfo, sizeof(lp_modinfo));
	EXPECT_ONE(&c, "klp hotpatch has 2 .ko modules under /usr/lib/hotpatch/kernel-core/6.1.0-57/; "
		       "exactly one allowed");
	hp_candidate_release(&c);
	klp_candidate(&c);
	clear_payload(&c);
	add_file(&c, "/usr/lib/hotpatch/kernel-core/6.1.0-57/readme", NULL, 0);
	EXPECT_ONE(&c, "klp hotpatch has no .ko module");
	hp_candidate_release(&c);
}
END_TEST

START_TEST(test_lint_vermagic)
{
	struct hp_candidate c;

	klp_candidate(&c);
	clear_payload(&c);
	add_file(&c, "/usr/lib/hotpatch/kernel-core/6.1.0-57/lp.ko", other_modinfo,
		 sizeof(other_modinfo));
	EXPECT_ONE(&c, "vermagic '6.1.0-58-amd64 SMP mod_unload ' does not match the kernel build's "
		       "release 6.1.0-57-amd64");
	hp_candidate_release(&c);
	klp_candidate(&c);
	free(c.kernel_release);
	c.kernel_release = NULL;
	c.kernel_release_error = strdup("the build kernel-core-6.1.0-57 is not in the repository");
	EXPECT_ONE(&c, "cannot check the module's vermagic: the build kernel-core-6.1.0-57 is not");
	hp_candidate_release(&c);
}
END_TEST

START_TEST(test_lint_not_livepatch)
{
	struct hp_candidate c;

	klp_candidate(&c);
	clear_payload(&c);
	add_file(&c, "/usr/lib/hotpatch/kernel-core/6.1.0-57/lp.ko", plain_modinfo,
		 sizeof(plain_modinfo));
	EXPECT_ONE(&c, "is not a livepatch module (no livepatch=Y in .modinfo)");
	hp_candidate_release(&c);
	klp_candidate(&c);
	clear_payload(&c);
	add_file(&c, "/usr/lib/hotpatch/kernel-core/6.1.0-57/lp.ko", NULL, 0);
	EXPECT_ONE(&c, "not an ELF file");
	hp_candidate_release(&c);
}
END_TEST

START_TEST(test_lint_ulp_and_many_problems)
{
	struct hp_candidate c;
	struct hp_strbuf p = HP_STRBUF_INIT;
	struct hp_hotpatch h;

	hp_candidate_init(&c);
	hp_hotpatch_init(&h);
	c.hdr.name = strdup("openssl-libs-hotpatch");
	c.hdr.epoch = strdup("1");
	c.hdr.version = strdup("1");
	c.hdr.release = strdup("1");
	c.hdr.arch = strdup("x86_64");
	add_dep(&c.hdr.provides, &c.hdr.nr_provides, "hotpatch(openssl-libs)", "3.0.11-1");
	add_dep(&c.hdr.provides, &c.hdr.nr_provides, "hotpatch-engine(ulp)", NULL);
	add_dep(&c.hdr.requires, &c.hdr.nr_requires, "openssl-libs", "3.0.11-1");
	add_file(&c, "/usr/lib/hotpatch/openssl-libs/3.0.11-1/libssl_lp.so", NULL, 0);
	ck_assert_msg(lint(&c, &p, &h) == 0, "%s", p.buf);
	ck_assert_str_eq(h.engine, "ulp");
	ck_assert_str_eq(h.payload, "/usr/lib/hotpatch/openssl-libs/3.0.11-1/libssl_lp.so");
	ck_assert_str_eq(h.epoch, "1");
	hp_hotpatch_release(&h);
	/* several problems: one line each */
	free(c.hdr.requires[0].evr);
	c.hdr.requires[0].evr = strdup("3.0.12-1");
	add_file(&c, "/etc/evil", NULL, 0);
	add_dep(&c.hdr.provides, &c.hdr.nr_provides, "hotpatch-engine(klp)", NULL);
	ck_assert_int_eq(lint(&c, &p, &h), 3);
	ck_assert_msg(strstr(p.buf, "openssl-libs-hotpatch-1:1-1.x86_64: 2 hotpatch-engine() provides") != NULL, "%s", p.buf);
	ck_assert_msg(strstr(p.buf, "\nopenssl-libs-hotpatch-1:1-1.x86_64: payload file '/etc/evil' is not under") != NULL, "%s", p.buf);
	hp_hotpatch_release(&h);
	hp_candidate_release(&c);
	hp_strbuf_release(&p);
}
END_TEST

/* Issue 10: a kpatch hotpatch's .ko used to crash the lint (NULL payload);
 * kpatch modules get the klp module checks. */
START_TEST(test_lint_kpatch)
{
	struct hp_candidate c;
	struct hp_strbuf p = HP_STRBUF_INIT;
	struct hp_hotpatch h;

	klp_candidate(&c);
	free(c.hdr.provides[2].name);
	c.hdr.provides[2].name = strdup("hotpatch-engine(kpatch)");
	hp_hotpatch_init(&h);
	ck_assert_msg(lint(&c, &p, &h) == 0, "%s", p.buf);
	ck_assert_str_eq(h.engine, "kpatch");
	ck_assert_str_eq(h.payload, "/usr/lib/hotpatch/kernel-core/6.1.0-57/lp.ko");
	ck_assert_str_eq(h.payload_sha256, c.payload.files[0].sha256);
	hp_hotpatch_release(&h);
	clear_payload(&c);
	add_file(&c, "/usr/lib/hotpatch/kernel-core/6.1.0-57/lp.ko", other_modinfo,
		 sizeof(other_modinfo));
	EXPECT_ONE(&c, "does not match the kernel build's release 6.1.0-57-amd64");
	clear_payload(&c);
	add_file(&c, "/usr/lib/hotpatch/kernel-core/6.1.0-57/lp.ko", plain_modinfo,
		 sizeof(plain_modinfo));
	EXPECT_ONE(&c, "is not a livepatch module");
	clear_payload(&c);
	add_file(&c, "/usr/lib/hotpatch/kernel-core/6.1.0-57/notes.txt", NULL, 0);
	EXPECT_ONE(&c, "kpatch hotpatch has no .ko module");
	/* an exec engine's single payload is taken whatever its name */
	free(c.hdr.provides[2].name);
	c.hdr.provides[2].name = strdup("hotpatch-engine(ulp)");
	clear_payload(&c);
	add_file(&c, "/usr/lib/hotpatch/kernel-core/6.1.0-57/lp.ko", lp_modinfo, sizeof(lp_modinfo));
	ck_assert_msg(lint(&c, &p, &h) == 0, "%s", p.buf);
	ck_assert_str_eq(h.payload, "/usr/lib/hotpatch/kernel-core/6.1.0-57/lp.ko");
	hp_hotpatch_release(&h);
	hp_candidate_release(&c);
	hp_strbuf_release(&p);
}
END_TEST

START_TEST(test_build_arg_parse)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *n, *e;

	ck_assert_int_eq(hp_build_arg_parse("kernel-core=6.1.0-57", &n, &e, &err), 0);
	ck_assert_str_eq(n, "kernel-core");
	ck_assert_str_eq(e, "6.1.0-57");
	free(n);
	free(e);
	ck_assert_int_eq(hp_build_arg_parse("=1-1", &n, &e, &err), -1);
	ck_assert_int_eq(hp_build_arg_parse("kernel-core", &n, &e, &err), -1);
	ck_assert_int_eq(hp_build_arg_parse("k=1.0", &n, &e, &err), -1);
	ck_assert_ptr_null(n);
	hp_strbuf_release(&err);
}
END_TEST

START_TEST(test_baselines_store)
{
	char dir[] = "/tmp/hp-test-publish.XXXXXX";
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_baseline b;
	struct hp_meta m;
	char *path;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	hp_meta_init(&m);
	ck_assert_int_eq(hp_baselines_load(&m, dir, &err), 0);
	ck_assert_int_eq(m.nr_baselines, 0);

	hp_baseline_init(&b);
	b.id = strdup("2026-Q3");
	b.issued = strdup("2026-07-01");
	b.supported_until = strdup("2026-12-31");
	hp_baseline_add_build(&b, "kernel-core", "6.1.0-57");
	ck_assert_msg(hp_baselines_add(dir, &b, &err) == 0, "%s", err.buf);
	hp_baseline_release(&b);

	hp_baseline_init(&b);
	b.id = strdup("2026-Q3");
	b.issued = strdup("2026-07-01");
	hp_baseline_add_build(&b, "kernel-core", "6.1.0-58");
	ck_assert_int_eq(hp_baselines_add(dir, &b, &err), -1);
	ck_assert_msg(strstr(err.buf, "baseline '2026-Q3' already exists") != NULL, "%s", err.buf);
	hp_baseline_release(&b);

	hp_strbuf_reset(&err);
	hp_baseline_init(&b);
	b.id = strdup("2026-Q4");
	b.kind = HP_BASELINE_UNPLANNED;
	b.issued = strdup("2026-10-01");
	b.supported_until = strdup("2026-09-30");
	hp_baseline_add_build(&b, "kernel-core", "6.1.0-58");
	ck_assert_int_eq(hp_baselines_add(dir, &b, &err), -1);
	ck_assert_str_eq(err.buf, "baseline '2026-Q4': supported-until 2026-09-30 is before issued 2026-10-01");
	free(b.supported_until);
	b.supported_until = NULL;
	hp_strbuf_reset(&err);
	ck_assert_msg(hp_baselines_add(dir, &b, &err) == 0, "%s", err.buf);
	hp_baseline_release(&b);

	ck_assert_int_eq(hp_baselines_load(&m, dir, &err), 0);
	ck_assert_int_eq(m.nr_baselines, 2);
	ck_assert_str_eq(m.baselines[1].id, "2026-Q4");
	ck_assert_int_eq(m.baselines[1].kind, HP_BASELINE_UNPLANNED);
	ck_assert_ptr_null(m.baselines[1].supported_until);
	ck_assert_str_eq(m.baselines[0].builds[0].evr, "6.1.0-57");
	hp_meta_release(&m);

	path = hp_xasprintf("%s/.hotpatch/baselines.xml", dir);
	unlink(path);
	free(path);
	path = hp_xasprintf("%s/.hotpatch", dir);
	rmdir(path);
	free(path);
	rmdir(dir);
	hp_strbuf_release(&err);
}
END_TEST

/* The scan cache gives back the same facts (and so the same lint verdict),
 * and misses when the rpm file changed. */
START_TEST(test_scan_cache_roundtrip)
{
	char dir[] = "/tmp/hp-test-cache.XXXXXX";
	struct hp_strbuf err = HP_STRBUF_INIT, p1 = HP_STRBUF_INIT, p2 = HP_STRBUF_INIT;
	struct hp_scan_cache sc;
	struct hp_candidate c, back;
	struct hp_hotpatch h1, h2;
	char *rpm, *path;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	rpm = hp_xasprintf("%s/x.rpm", dir);
	ck_assert_int_eq(hp_write_file_atomic(rpm, "rpm", 3, 0644, &err), 0);
	klp_candidate(&c);
	hp_hotpatch_init(&h1);
	hp_hotpatch_init(&h2);
	ck_assert_int_eq(lint(&c, &p1, &h1), 0);

	hp_scan_cache_init(&sc);
	hp_scan_cache_put(&sc, "abc", rpm, &c);
	ck_assert_int_eq(hp_scan_cache_save(&sc, dir, &err), 0);
	hp_scan_cache_release(&sc);

	hp_scan_cache_init(&sc);
	hp_scan_cache_load(&sc, dir);
	hp_candidate_init(&back);
	ck_assert_int_eq(hp_scan_cache_get(&sc, "other", rpm, &back), -1);
	ck_assert_int_eq(hp_scan_cache_get(&sc, "abc", rpm, &back), 0);
	back.location = strdup(c.location);
	back.kernel_release = strdup(c.kernel_release);
	ck_assert_int_eq(lint(&back, &p2, &h2), 0);
	ck_assert_str_eq(h2.payload_sha256, h1.payload_sha256);
	ck_assert_str_eq(h2.payload, h1.payload);
	ck_assert_str_eq(h2.build, h1.build);
	ck_assert_str_eq(back.payload.files[0].modinfo.vermagic, "6.1.0-57-amd64 SMP mod_unload ");
	ck_assert_int_eq(back.hdr.digest_algo, 8);
	ck_assert_int_eq(back.hdr.provides[1].sense, c.hdr.provides[1].sense);
	hp_candidate_release(&back);
	hp_scan_cache_release(&sc);

	/* the rpm changed (size): miss */
	ck_assert_int_eq(hp_write_file_atomic(rpm, "rpm2", 4, 0644, &err), 0);
	hp_scan_cache_init(&sc);
	hp_scan_cache_load(&sc, dir);
	hp_candidate_init(&back);
	ck_assert_int_eq(hp_scan_cache_get(&sc, "abc", rpm, &back), -1);
	ck_assert_ptr_null(back.hdr.name);
	hp_candidate_release(&back);
	hp_scan_cache_release(&sc);

	unlink(rpm);
	path = hp_xasprintf("%s/.hotpatch/cache.json", dir);
	unlink(path);
	free(path);
	path = hp_xasprintf("%s/.hotpatch", dir);
	rmdir(path);
	free(path);
	rmdir(dir);
	free(rpm);
	hp_hotpatch_release(&h1);
	hp_hotpatch_release(&h2);
	hp_candidate_release(&c);
	hp_strbuf_release(&err);
	hp_strbuf_release(&p1);
	hp_strbuf_release(&p2);
}
END_TEST

Suite *publish_suite(void)
{
	Suite *s = suite_create("publish");
	TCase *tc = tcase_create("lint");

	tcase_add_test(tc, test_lint_ok_klp);
	tcase_add_test(tc, test_lint_not_in_baseline);
	tcase_add_test(tc, test_lint_requires_disagree);
	tcase_add_test(tc, test_lint_requires_missing);
	tcase_add_test(tc, test_lint_two_hotpatch_provides);
	tcase_add_test(tc, test_lint_no_hotpatch_provide);
	tcase_add_test(tc, test_lint_unversioned_provide);
	tcase_add_test(tc, test_lint_no_engine);
	tcase_add_test(tc, test_lint_kpatch);
	tcase_add_test(tc, test_lint_payload_missing);
	tcase_add_test(tc, test_lint_payload_outside);
	tcase_add_test(tc, test_lint_digest_mismatch);
	tcase_add_test(tc, test_lint_klp_ko_count);
	tcase_add_test(tc, test_lint_vermagic);
	tcase_add_test(tc, test_lint_not_livepatch);
	tcase_add_test(tc, test_lint_ulp_and_many_problems);
	suite_add_tcase(s, tc);
	tc = tcase_create("baselines");
	tcase_add_test(tc, test_build_arg_parse);
	tcase_add_test(tc, test_baselines_store);
	tcase_add_test(tc, test_scan_cache_roundtrip);
	suite_add_tcase(s, tc);
	return s;
}
