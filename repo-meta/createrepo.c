/* `publish --createrepo`: what `createrepo_c --update --no-database` does,
 * through libcreaterepo_c, but into the staged repodata/ of stage.c, so that
 * the new primary, the hotpatch record and the signature appear together.
 *
 * Packages: every *.rpm below REPO (dot-directories and repodata/ left out),
 * described anew unless the previous primary has the same location, size and
 * mtime (createrepo_c's --update reuse rule). primary, filelists and other
 * are rewritten; every other record of repomd.xml (updateinfo, modules,
 * group, ...) is kept; the sqlite databases, which would describe the old
 * package set, are dropped rather than rebuilt (dnf does not read them). */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <createrepo_c/createrepo_c.h>

#include "hp_publish.h"
#include "hp_repomd.h"

/* Records describing the old package set, left out of the new repomd.xml. */
static const char *const stale_types[] = {
	"primary_db", "filelists_db", "other_db",
	"primary_zck", "filelists_zck", "other_zck",
};

static const char empty_repomd[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<repomd xmlns=\"http://linux.duke.edu/metadata/repo\" "
	"xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\">\n</repomd>\n";

static int rpm_name(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && !strcmp(name + n - 4, ".rpm");
}

/* Relative paths of the packages below `dir` (rel = its path in REPO). */
static int find_rpms(const char *repodir, const char *rel, struct hp_strvec *out,
		     struct hp_strbuf *err)
{
	char *dir = rel ? hp_path_join(repodir, rel) : hp_xstrdup(repodir);
	DIR *d = opendir(dir);
	struct dirent *de;
	int ret = -1;

	if (!d) {
		hp_error_errno(err, errno, "cannot read directory '%s'", dir);
		goto out;
	}
	while ((de = readdir(d))) {
		char *sub, *full;
		struct stat st;
		int r = 0;

		if (de->d_name[0] == '.' || (!rel && !strcmp(de->d_name, "repodata")))
			continue;
		sub = rel ? hp_xasprintf("%s/%s", rel, de->d_name) : hp_xstrdup(de->d_name);
		full = hp_path_join(repodir, sub);
		/* directories are not followed through symlinks: no cycles */
		if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode))
			r = find_rpms(repodir, sub, out, err);
		else if (rpm_name(de->d_name) && stat(full, &st) == 0 && S_ISREG(st.st_mode))
			hp_strvec_push(out, sub);
		free(sub);
		free(full);
		if (r)
			goto out;
	}
	ret = 0;
out:
	if (d)
		closedir(d);
	free(dir);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *gerr_take(GError **gerr, const char *fallback)
{
	char *m = hp_oneline(*gerr && (*gerr)->message ? (*gerr)->message : fallback);

	if (*gerr)
		g_error_free(*gerr);
	*gerr = NULL;
	return m;
}

/* The package of `rel`: reused from the previous metadata when unchanged
 * (not owned then: *owned = 0), else read from the rpm. */
static cr_Package *describe(const char *repodir, const char *rel, GHashTable *old, int *owned,
			    struct hp_strbuf *err)
{
	char *full = hp_path_join(repodir, rel);
	cr_Package *pkg = old ? g_hash_table_lookup(old, rel) : NULL;
	GError *gerr = NULL;
	struct stat st;

	*owned = 0;
	if (stat(full, &st) < 0) {
		hp_error_errno(err, errno, "cannot read '%s'", full);
		pkg = NULL;
		goto out;
	}
	if (pkg && pkg->time_file == (gint64)st.st_mtime && pkg->size_package == (gint64)st.st_size &&
	    pkg->checksum_type && !strcmp(pkg->checksum_type, "sha256"))
		goto out;
	pkg = cr_package_from_rpm(full, CR_CHECKSUM_SHA256, rel, NULL, 10, &st, CR_HDRR_NONE, &gerr);
	if (!pkg) {
		char *m = gerr_take(&gerr, "cannot read the package");

		hp_error(err, "'%s': %s", full, m);
		free(m);
		goto out;
	}
	*owned = 1;
out:
	free(full);
	return pkg;
}

int hp_createrepo_stage(const char *repodir, const char *stage_root, struct hp_strbuf *err)
{
	static const char *const types[3] = { "primary", "filelists", "other" };
	char *repodata = hp_path_join(stage_root, "repodata");
	char *repomd = hp_path_join(repodata, "repomd.xml");
	char *paths[3] = { NULL, NULL, NULL };
	cr_XmlFile *xf[3] = { NULL, NULL, NULL };
	struct hp_strvec rpms = HP_STRVEC_INIT;
	cr_Metadata *old = NULL;
	GHashTable *ht = NULL;
	GError *gerr = NULL;
	struct stat st;
	int ret = -1;

	cr_xml_dump_init();
	cr_package_parser_init();
	if (find_rpms(repodir, NULL, &rpms, err))
		goto out;
	if (rpms.nr)
		qsort(rpms.v, rpms.nr, sizeof(*rpms.v), cmp_str);
	if (stat(repomd, &st) == 0) {
		old = cr_metadata_new(CR_HT_KEY_HREF, 0, NULL);
		/* Unreadable old metadata only costs the reuse. */
		if (cr_metadata_locate_and_load_xml(old, stage_root, &gerr) == CRE_OK)
			ht = cr_metadata_hashtable(old);
		if (gerr)
			g_clear_error(&gerr);
	} else if (hp_mkdir_p(repodata, 0755, err) ||
		   hp_write_file_atomic(repomd, empty_repomd, sizeof(empty_repomd) - 1, 0644, err)) {
		goto out;
	}
	for (int t = 0; t < 3; t++) {
		paths[t] = hp_xasprintf("%s/%s.xml.gz", repodata, types[t]);
		xf[t] = t == 0 ? cr_xmlfile_sopen_primary(paths[t], CR_CW_GZ_COMPRESSION, NULL, &gerr) :
			t == 1 ? cr_xmlfile_sopen_filelists(paths[t], CR_CW_GZ_COMPRESSION, NULL, &gerr) :
			cr_xmlfile_sopen_other(paths[t], CR_CW_GZ_COMPRESSION, NULL, &gerr);
		if (!xf[t] || cr_xmlfile_set_num_of_pkgs(xf[t], (long)rpms.nr, &gerr) != CRE_OK)
			goto gerr_out;
	}
	for (size_t i = 0; i < rpms.nr; i++) {
		int owned, rc = CRE_OK;
		cr_Package *pkg = describe(repodir, rpms.v[i], ht, &owned, err);

		if (!pkg)
			goto out;
		for (int t = 0; t < 3 && rc == CRE_OK; t++)
			rc = cr_xmlfile_add_pkg(xf[t], pkg, &gerr);
		if (owned)
			cr_package_free(pkg);
		if (rc != CRE_OK)
			goto gerr_out;
	}
	for (int t = 0; t < 3; t++) {
		int rc = cr_xmlfile_close(xf[t], &gerr);

		xf[t] = NULL;
		if (rc != CRE_OK)
			goto gerr_out;
		if (hp_fsync_path(paths[t], err) ||
		    hp_repomd_set_record(stage_root, types[t], paths[t], err))
			goto out;
	}
	for (size_t i = 0; i < sizeof(stale_types) / sizeof(*stale_types); i++)
		if (hp_repomd_remove_record(stage_root, stale_types[i], err))
			goto out;
	ret = 0;
	goto out;
gerr_out: {
		char *m = gerr_take(&gerr, "unknown error");

		hp_error(err, "'%s': cannot write the package metadata: %s", repodata, m);
		free(m);
	}
out:
	for (int t = 0; t < 3; t++) {
		if (xf[t])
			cr_xmlfile_close(xf[t], NULL);
		free(paths[t]);
	}
	if (old)
		cr_metadata_free(old);
	hp_strvec_release(&rpms);
	free(repodata);
	free(repomd);
	return ret;
}
