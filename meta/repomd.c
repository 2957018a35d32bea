/* Changing repomd.xml through libcreaterepo_c: the same parser and writer as
 * createrepo_c/modifyrepo_c, so records we do not know survive untouched.
 * Only hotpatch-repo writes; reading and checking records is repomd_read.c
 * (expat and rpm's digests), so that the client does not link createrepo_c. */
#include "hp_repomd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <createrepo_c/createrepo_c.h>

#define REPODATA "repodata"

/* createrepo_c's message for `gerr` (or `fallback`) as one line (its parse
 * errors quote libxml2's, which end in a newline); malloc'd, caller frees. */
static char *gerr_line(const GError *gerr, const char *fallback)
{
	return hp_oneline(gerr && gerr->message ? gerr->message : fallback);
}

struct parse_state {
	int no_repomd;     /* the document has no <repomd> element */
};

static int parse_warning(cr_XmlParserWarningType type, char *msg, void *cbdata, GError **gerr)
{
	struct parse_state *ps = cbdata;

	(void)msg;
	(void)gerr;
	if (type == CR_XML_WARNING_BADMDTYPE)
		ps->no_repomd = 1;
	/* Unknown tags are fine: repomd.xml grows new elements over time. */
	return CR_CB_RET_OK;
}

static void quiet_log(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
	(void)domain;
	(void)level;
	(void)msg;
	(void)data;
}

/* Parses repomd.xml into a libcreaterepo_c object; caller frees it. */
static cr_Repomd *parse_cr(const char *path, struct hp_strbuf *err)
{
	struct parse_state ps = { 0 };
	cr_Repomd *crmd;
	GError *gerr = NULL;
	struct stat st;
	guint log_id;
	int rc;

	/* createrepo_c reports a missing file as a generic parse error. */
	if (stat(path, &st) < 0) {
		hp_error_errno(err, errno, "cannot read '%s'", path);
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		hp_error_errno(err, EISDIR, "cannot read '%s'", path);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		hp_error(err, "cannot read '%s': not a regular file", path);
		return NULL;
	}
	crmd = cr_repomd_new();
	/* createrepo_c also logs parse errors through glib (stderr, or an
	 * abort under G_DEBUG=fatal-criticals); our message says it once. */
	log_id = g_log_set_handler("C_CREATEREPOLIB", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL,
				   quiet_log, NULL);
	rc = cr_xml_parse_repomd(path, crmd, parse_warning, &ps, &gerr);
	g_log_remove_handler("C_CREATEREPOLIB", log_id);
	if (rc != CRE_OK || gerr) {
		char *msg = gerr_line(gerr, "parse error");

		hp_error(err, "'%s': malformed repomd.xml: %s", path, msg);
		free(msg);
		goto fail;
	}
	if (ps.no_repomd) {
		hp_error(err, "'%s': malformed repomd.xml: no <repomd> element", path);
		goto fail;
	}
	return crmd;
fail:
	if (gerr)
		g_error_free(gerr);
	cr_repomd_free(crmd);
	return NULL;
}

static int write_repomd(cr_Repomd *crmd, const char *repomd_path, struct hp_strbuf *err)
{
	GError *gerr = NULL;
	char *xml;
	int ret;

	xml = cr_xml_dump_repomd(crmd, &gerr);
	if (!xml) {
		char *msg = gerr_line(gerr, "cannot generate repomd.xml");

		hp_error(err, "cannot write '%s': %s", repomd_path, msg);
		free(msg);
		if (gerr)
			g_error_free(gerr);
		return -1;
	}
	ret = hp_write_file_atomic(repomd_path, xml, strlen(xml), 0644, err);
	g_free(xml);
	return ret;
}

int hp_repomd_set_record(const char *repodir, const char *type, const char *file_path,
			 struct hp_strbuf *err)
{
	char *repodata = hp_path_join(repodir, REPODATA);
	char *repomd_path = hp_path_join(repodata, "repomd.xml");
	char *new_path = NULL, *old_path = NULL, *dir = NULL;
	const char *base, *suffix;
	cr_Repomd *crmd = NULL;
	cr_RepomdRecord *rec = NULL, *old;
	GError *gerr = NULL;
	char sha[65], *slash;
	int renamed = 0, existed = 0, ret = -1;
	struct stat st, st_dir;

	if (!type || !*type || strchr(type, '/')) {
		hp_error(err, "'%s': invalid repodata type '%s'", repodir, type ? type : "");
		goto out;
	}
	/* The file must be inside repodata/ to be renamed there. */
	dir = hp_xstrdup(file_path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	if (stat(file_path, &st) < 0) {
		hp_error_errno(err, errno, "cannot read '%s'", file_path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		hp_error(err, "'%s': not a regular file", file_path);
		goto out;
	}
	if (stat(slash ? dir : ".", &st) < 0 || stat(repodata, &st_dir) < 0 ||
	    st.st_dev != st_dir.st_dev || st.st_ino != st_dir.st_ino) {
		hp_error(err, "'%s': not inside '%s'", file_path, repodata);
		goto out;
	}
	crmd = parse_cr(repomd_path, err);
	if (!crmd)
		goto out;
	if (hp_sha256_file(file_path, sha, err) < 0)
		goto out;

	base = slash ? slash + 1 : file_path;
	suffix = strstr(base, ".xml");
	new_path = hp_xasprintf("%s/%s-%s%s", repodata, sha, type, suffix ? suffix : "");
	/* Re-publishing identical content finds its file already in place;
	 * then the new copy is dropped on success instead of replacing it, so
	 * that a failure cannot take the existing file away. */
	existed = lstat(new_path, &st) == 0;
	if (strcmp(new_path, file_path) && !existed) {
		if (rename(file_path, new_path) < 0) {
			hp_error_errno(err, errno, "cannot rename '%s' to '%s'", file_path,
				       new_path);
			goto out;
		}
		renamed = 1;
	}

	rec = cr_repomd_record_new(type, new_path);
	if (cr_repomd_record_fill(rec, CR_CHECKSUM_SHA256, &gerr) != CRE_OK || gerr) {
		char *msg = gerr_line(gerr, "unknown error");

		hp_error(err, "cannot describe '%s' for repomd.xml: %s", new_path, msg);
		free(msg);
		goto out;
	}
	if (!rec->checksum || strcmp(rec->checksum, sha)) {
		hp_error(err, "'%s' changed while it was being added to repomd.xml", new_path);
		goto out;
	}

	old = cr_repomd_get_record(crmd, type);
	if (old && hp_repomd_safe_location(old->location_href))
		old_path = hp_path_join(repodir, old->location_href);
	cr_repomd_set_record(crmd, rec);   /* frees `old` */
	rec = NULL;
	if (write_repomd(crmd, repomd_path, err) < 0)
		goto out;
	renamed = 0;   /* committed */
	/* The old file is only garbage now; failing to delete it is harmless. */
	if (old_path && strcmp(old_path, new_path))
		unlink(old_path);
	if (existed && strcmp(new_path, file_path))
		unlink(file_path);
	ret = 0;
out:
	if (renamed)
		rename(new_path, file_path);
	if (gerr)
		g_error_free(gerr);
	cr_repomd_record_free(rec);
	cr_repomd_free(crmd);
	free(old_path);
	free(new_path);
	free(dir);
	free(repomd_path);
	free(repodata);
	return ret;
}

int hp_repomd_remove_record(const char *repodir, const char *type, struct hp_strbuf *err)
{
	char *repomd_path = hp_path_join(repodir, REPODATA "/repomd.xml");
	char *old_path = NULL;
	cr_Repomd *crmd;
	cr_RepomdRecord *old;
	int ret = -1;

	crmd = parse_cr(repomd_path, err);
	if (!crmd)
		goto out;
	old = cr_repomd_get_record(crmd, type);
	if (!old) {
		ret = 0;
		goto out;
	}
	if (hp_repomd_safe_location(old->location_href))
		old_path = hp_path_join(repodir, old->location_href);
	cr_repomd_remove_record(crmd, type);
	if (write_repomd(crmd, repomd_path, err) < 0)
		goto out;
	if (old_path)
		unlink(old_path);
	ret = 0;
out:
	cr_repomd_free(crmd);
	free(old_path);
	free(repomd_path);
	return ret;
}
