/* The derived-data caches (plugin/cache.c): a hit gives back exactly what was
 * stored, and everything else -- another key, a truncated or corrupt file, a
 * file others may write, a symlink -- is a miss that leaves the output empty.
 * The @System cache on a real rpmdb is tested in test_system.c. */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <solv/pool.h>
#include <solv/repo.h>

#include "hp_cache.h"
#include "testutil.h"

#define KEY "sha256:0123456789abcdef"

static char dir[64];
static struct hp_cache cache;

static void setup(void)
{
	hp_test_mkdtemp(dir, sizeof(dir), "hp-test-cache");
	hp_cache_init(&cache, dir);
}

static void teardown(void)
{
	hp_cache_release(&cache);
	hp_test_rm_rf(dir);
}

/* Two baselines (one supported until superseded) and two hotpatches, one
 * with every optional field and one with none. */
static void sample(struct hp_meta *m)
{
	struct hp_baseline b;
	struct hp_hotpatch h;

	hp_meta_init(m);
	m->revision = 42;
	m->generated = 1790000000;
	m->expires = 1800000000;
	hp_baseline_init(&b);
	b.id = hp_xstrdup("2026-Q3");
	b.issued = hp_xstrdup("2026-07-01");
	b.supported_until = hp_xstrdup("2026-12-31");
	hp_baseline_add_build(&b, "kernel-core", "6.1.0-57");
	hp_baseline_add_build(&b, "glibc", "2:2.36-9");
	hp_meta_add_baseline(m, &b);
	hp_baseline_init(&b);
	b.id = hp_xstrdup("2026-10-emergency");
	b.kind = HP_BASELINE_UNPLANNED;
	b.issued = hp_xstrdup("2026-10-03");
	hp_baseline_add_build(&b, "kernel-core", "6.1.0-58");
	hp_meta_add_baseline(m, &b);

	hp_hotpatch_init(&h);
	h.name = hp_xstrdup("kpatch-6.1.0-57");
	h.epoch = hp_xstrdup("1");
	h.version = hp_xstrdup("3");
	h.release = hp_xstrdup("1");
	h.arch = hp_xstrdup("x86_64");
	h.component = hp_xstrdup("kernel-core");
	h.build = hp_xstrdup("6.1.0-57");
	h.engine = hp_xstrdup("klp");
	h.payload = hp_xstrdup("/usr/lib/hotpatch/kernel/57/livepatch.ko");
	h.payload_sha256 = hp_xstrdup("aa00aa00aa00aa00aa00aa00aa00aa00aa00aa00aa00aa00aa00aa00aa00aa00");
	h.location = hp_xstrdup("Packages/kpatch-6.1.0-57-3-1.x86_64.rpm");
	h.severity = hp_xstrdup("Important");
	h.issued = hp_xstrdup("2026-08-01");
	h.reboot_suggested = 1;
	hp_strvec_push(&h.cves, "CVE-2026-1234");
	hp_strvec_push(&h.cves, "CVE-2026-5678");
	hp_strvec_push(&h.advisories, "HP-2026-0001");
	hp_meta_add_hotpatch(m, &h);
	hp_hotpatch_init(&h);
	h.name = hp_xstrdup("glibc-hotpatch");
	h.version = hp_xstrdup("1");
	h.release = hp_xstrdup("1");
	h.arch = hp_xstrdup("x86_64");
	h.component = hp_xstrdup("glibc");
	h.build = hp_xstrdup("2:2.36-9");
	h.engine = hp_xstrdup("ulp");
	h.payload = hp_xstrdup("/usr/lib/hotpatch/glibc/1.ulp");
	h.payload_sha256 = hp_xstrdup("bb00bb00bb00bb00bb00bb00bb00bb00bb00bb00bb00bb00bb00bb00bb00bb00");
	h.location = hp_xstrdup("Packages/glibc-hotpatch-1-1.x86_64.rpm");
	hp_meta_add_hotpatch(m, &h);
}

static char *as_xml(const struct hp_meta *m)
{
	struct hp_strbuf sb = HP_STRBUF_INIT;

	hp_meta_write(m, &sb);
	return hp_strbuf_detach(&sb);
}

static char *entry(const char *name)
{
	return hp_path_join(dir, name);
}

START_TEST(test_meta_round_trip)
{
	struct hp_meta m, got;
	char *want, *have, *path = entry("repo1.hotpatch");
	struct stat st;

	sample(&m);
	hp_meta_init(&got);
	ck_assert_int_eq(hp_cache_meta_get(&cache, "repo1", KEY, &got), 0);
	hp_cache_meta_put(&cache, "repo1", KEY, &m);
	hp_cache_flush(&cache);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
	ck_assert_int_eq(hp_cache_meta_get(&cache, "repo1", KEY, &got), 1);
	/* Every field, through the XML writer that prints all of them. */
	want = as_xml(&m);
	have = as_xml(&got);
	ck_assert_str_eq(have, want);
	ck_assert_int_eq(got.nr_hotpatches, 2);
	ck_assert_ptr_null(got.hotpatches[1].epoch);
	ck_assert_ptr_null(got.hotpatches[1].severity);
	ck_assert_ptr_null(got.baselines[1].supported_until);
	ck_assert_int_eq(got.baselines[1].kind, HP_BASELINE_UNPLANNED);
	ck_assert_int_eq(got.hotpatches[0].reboot_suggested, 1);
	free(want);
	free(have);

	/* Another checksum (a new document) or another repository: misses. */
	ck_assert_int_eq(hp_cache_meta_get(&cache, "repo1", "sha256:ffff", &got), 0);
	ck_assert_int_eq(got.nr_hotpatches, 0);
	ck_assert_int_eq(got.nr_baselines, 0);
	ck_assert_int_eq(hp_cache_meta_get(&cache, "repo2", KEY, &got), 0);
	ck_assert_int_eq(hp_cache_meta_get(NULL, "repo1", KEY, &got), 0);
	hp_cache_meta_put(NULL, "repo1", KEY, &m);   /* no cache: nothing */
	ck_assert_int_eq(hp_cache_meta_get(&cache, "repo1", NULL, &got), 0);
	hp_meta_release(&got);
	hp_meta_release(&m);
	free(path);
}
END_TEST

/* Rewrites the cache entry `name` with its last `cut` bytes removed, or
 * with `len` bytes at offset `at` from the end overwritten by 0xff. */
static void damage(const char *name, size_t cut, size_t at, size_t len)
{
	struct hp_strbuf sb = HP_STRBUF_INIT, err = HP_STRBUF_INIT;
	char *path = entry(name);

	ck_assert_int_eq(hp_read_file(path, &sb, &err), 0);
	ck_assert_uint_gt(sb.len, cut + at);
	sb.len -= cut;
	if (len)
		memset(sb.buf + sb.len - at, 0xff, len);
	ck_assert_int_eq(hp_write_file_atomic(path, sb.buf, sb.len, 0644, &err), 0);
	hp_strbuf_release(&err);
	hp_strbuf_release(&sb);
	free(path);
}

START_TEST(test_meta_damaged_is_a_miss)
{
	struct hp_meta m, got;

	sample(&m);
	hp_meta_init(&got);
	hp_cache_meta_put(&cache, "r", KEY, &m);
	hp_cache_flush(&cache);
	damage("r.hotpatch", 1, 0, 0);              /* truncated */
	ck_assert_int_eq(hp_cache_meta_get(&cache, "r", KEY, &got), 0);
	ck_assert_int_eq(got.nr_hotpatches, 0);

	hp_cache_meta_put(&cache, "r", KEY, &m);
	hp_cache_flush(&cache);
	damage("r.hotpatch", 0, 40, 4);             /* a length in the last record */
	ck_assert_int_eq(hp_cache_meta_get(&cache, "r", KEY, &got), 0);
	ck_assert_int_eq(got.nr_hotpatches, 0);

	hp_cache_meta_put(&cache, "r", KEY, &m);
	hp_cache_flush(&cache);
	damage("r.hotpatch", 0, 4, 4);              /* the end mark */
	ck_assert_int_eq(hp_cache_meta_get(&cache, "r", KEY, &got), 0);

	hp_cache_meta_put(&cache, "r", KEY, &m);
	hp_cache_flush(&cache);
	ck_assert_int_eq(hp_cache_meta_get(&cache, "r", KEY, &got), 1);
	hp_meta_release(&got);
	hp_meta_release(&m);
}
END_TEST

START_TEST(test_untrusted_files_are_misses)
{
	struct hp_meta m, got;
	char *path = entry("r.hotpatch"), *other = entry("other");

	sample(&m);
	hp_meta_init(&got);
	hp_cache_meta_put(&cache, "r", KEY, &m);
	hp_cache_flush(&cache);
	/* Writable by others: someone else may have put it there. */
	ck_assert_int_eq(chmod(path, 0664), 0);
	ck_assert_int_eq(hp_cache_meta_get(&cache, "r", KEY, &got), 0);
	ck_assert_int_eq(chmod(path, 0646), 0);
	ck_assert_int_eq(hp_cache_meta_get(&cache, "r", KEY, &got), 0);
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(hp_cache_meta_get(&cache, "r", KEY, &got), 1);
	/* A symlink is not followed. */
	ck_assert_int_eq(rename(path, other), 0);
	ck_assert_int_eq(symlink(other, path), 0);
	ck_assert_int_eq(hp_cache_meta_get(&cache, "r", KEY, &got), 0);
	ck_assert_int_eq(got.nr_baselines, 0);
	/* Ids never lead out of the directory. */
	hp_cache_meta_put(&cache, "../escape", KEY, &m);
	hp_cache_flush(&cache);
	ck_assert_int_eq(hp_cache_meta_get(&cache, "../escape", KEY, &got), 0);
	ck_assert_int_eq(hp_cache_meta_get(&cache, "..", KEY, &got), 0);
	hp_meta_release(&got);
	hp_meta_release(&m);
	free(other);
	free(path);
}
END_TEST

START_TEST(test_unwritable_dir_is_silent)
{
	struct hp_cache other;
	struct hp_meta m, got;
	char *file = entry("plain-file"), *below = entry("plain-file/cache");

	sample(&m);
	hp_meta_init(&got);
	hp_test_write_file(file, "x", 0644);
	/* Cannot create the directory: nothing cached, nothing reported. */
	hp_cache_init(&other, below);
	hp_cache_meta_put(&other, "r", KEY, &m);
	hp_cache_flush(&other);
	ck_assert_int_eq(hp_cache_meta_get(&other, "r", KEY, &got), 0);
	hp_cache_release(&other);
	/* The directory is created (0755) when missing. */
	free(below);
	below = entry("a/b");
	hp_cache_init(&other, below);
	hp_cache_meta_put(&other, "r", KEY, &m);
	hp_cache_flush(&other);
	ck_assert_int_eq(hp_cache_meta_get(&other, "r", KEY, &got), 1);
	hp_cache_release(&other);
	hp_meta_release(&got);
	hp_meta_release(&m);
	free(below);
	free(file);
}
END_TEST

/* Puts are written by hp_cache_flush only: a command that fails releases
 * its cache unflushed and the directory stays as it was. */
START_TEST(test_unflushed_is_not_written)
{
	struct hp_meta m, got;
	struct hp_reboot_pkgs l;
	char *path = entry("r.hotpatch");

	sample(&m);
	hp_meta_init(&got);
	hp_reboot_pkgs_init(&l);
	hp_cache_meta_put(&cache, "r", KEY, &m);
	hp_cache_meta_put(&cache, "r", KEY, &m);   /* the same file queued once */
	hp_cache_reboot_put(&cache, "r", KEY, &l);
	ck_assert_int_eq(cache.nr_pending, 2);
	ck_assert_int_eq(hp_cache_meta_get(&cache, "r", KEY, &got), 0);
	hp_cache_release(&cache);
	ck_assert(!hp_test_exists(path));
	hp_cache_init(&cache, dir);
	hp_cache_meta_put(&cache, "r", KEY, &m);
	hp_cache_flush(&cache);
	ck_assert_int_eq(cache.nr_pending, 0);
	ck_assert(hp_test_exists(path));
	hp_meta_release(&m);
	free(path);
}
END_TEST

START_TEST(test_reboot_round_trip)
{
	struct hp_reboot_pkgs l, got;

	hp_reboot_pkgs_init(&l);
	hp_reboot_pkgs_init(&got);
	hp_reboot_pkgs_add(&l, "kernel-core", "6.1.0-58", "x86_64", "HP-2026-1");
	hp_reboot_pkgs_add(&l, "glibc", "2:2.36-10", "x86_64", "HP-2026-2");
	ck_assert_int_eq(hp_cache_reboot_get(&cache, "r", KEY, &got), 0);
	hp_cache_reboot_put(&cache, "r", KEY, &l);
	hp_cache_flush(&cache);
	hp_reboot_pkgs_add(&got, "stale", "1-1", "noarch", "X");   /* replaced by a hit */
	ck_assert_int_eq(hp_cache_reboot_get(&cache, "r", KEY, &got), 1);
	ck_assert_int_eq(got.nr, 2);
	ck_assert_str_eq(got.v[0].name, "kernel-core");
	ck_assert_str_eq(got.v[1].evr, "2:2.36-10");
	ck_assert_str_eq(got.v[1].arch, "x86_64");
	ck_assert_str_eq(got.v[1].advisory, "HP-2026-2");
	ck_assert_int_eq(hp_cache_reboot_get(&cache, "r", "sha256:other", &got), 0);
	ck_assert_int_eq(got.nr, 2);   /* a miss leaves the list alone */
	damage("r.reboot", 2, 0, 0);
	ck_assert_int_eq(hp_cache_reboot_get(&cache, "r", KEY, &got), 0);
	/* The empty list is a valid entry too (no reboot_suggested advisory). */
	hp_reboot_pkgs_release(&l);
	hp_cache_reboot_put(&cache, "r", KEY, &l);
	hp_cache_flush(&cache);
	ck_assert_int_eq(hp_cache_reboot_get(&cache, "r", KEY, &got), 1);
	ck_assert_int_eq(got.nr, 0);
	hp_reboot_pkgs_release(&got);
}
END_TEST

static void add_solvable(Repo *repo, const char *name, const char *evr)
{
	Pool *pool = repo->pool;
	Id p = repo_add_solvable(repo);
	Solvable *s = pool->solvables + p;

	s->name = pool_str2id(pool, name, 1);
	s->evr = pool_str2id(pool, evr, 1);
	s->arch = pool_str2id(pool, "x86_64", 1);
	s->provides = repo_addid_dep(repo, s->provides,
				     pool_rel2id(pool, s->name, s->evr, REL_EQ, 1), 0);
}

START_TEST(test_system_round_trip)
{
	Pool *pool = pool_create(), *pool2 = pool_create();
	Repo *repo = repo_create(pool, "@System"), *repo2 = repo_create(pool2, "@System");
	Solvable *s;
	Id p;
	int n = 0;

	add_solvable(repo, "kernel-core", "6.1.0-57");
	add_solvable(repo, "glibc", "2.36-9");
	repo_internalize(repo);
	hp_cache_system_put(&cache, "rpmdb /root/.rpmdb cookie1", repo);
	hp_cache_flush(&cache);
	ck_assert_int_eq(hp_cache_system_get(&cache, "rpmdb /root/.rpmdb cookie2", repo2), 0);
	ck_assert_int_eq(repo2->nsolvables, 0);
	ck_assert_int_eq(hp_cache_system_get(&cache, "rpmdb /root/.rpmdb cookie1", repo2), 1);
	FOR_REPO_SOLVABLES(repo2, p, s) {
		n++;
		if (!strcmp(pool_id2str(pool2, s->name), "glibc"))
			ck_assert_str_eq(pool_id2str(pool2, s->evr), "2.36-9");
	}
	ck_assert_int_eq(n, 2);
	/* A damaged solv body: a miss, and no half-loaded repository. */
	repo_empty(repo2, 1);
	damage("system.solv", 10, 0, 0);
	ck_assert_int_eq(hp_cache_system_get(&cache, "rpmdb /root/.rpmdb cookie1", repo2), 0);
	ck_assert_int_eq(repo2->nsolvables, 0);
	pool_free(pool2);
	pool_free(pool);
}
END_TEST

Suite *cache_suite(void)
{
	Suite *s = suite_create("cache");
	TCase *tc = tcase_create("cache");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_meta_round_trip);
	tcase_add_test(tc, test_meta_damaged_is_a_miss);
	tcase_add_test(tc, test_untrusted_files_are_misses);
	tcase_add_test(tc, test_unwritable_dir_is_silent);
	tcase_add_test(tc, test_unflushed_is_not_written);
	tcase_add_test(tc, test_reboot_round_trip);
	tcase_add_test(tc, test_system_round_trip);
	suite_add_tcase(s, tc);
	return s;
}
