/* Baselines kept in REPO/.hotpatch/baselines.xml between publish runs, and
 * the NAME=EVR argument the operator commands share. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hp_publish.h"

int hp_build_arg_parse(const char *arg, char **name, char **evr, struct hp_strbuf *err)
{
	const char *eq = strchr(arg, '=');

	*name = *evr = NULL;
	if (!eq || eq == arg)
		return hp_error(err, "invalid build '%s': expected NAME=EVR with a non-empty name", arg);
	if (!hp_evr_valid(eq + 1))
		return hp_error(err, "invalid build '%s': EVR '%s' is not of the form [E:]V-R", arg,
				eq + 1);
	for (const char *p = arg; p < eq; p++)
		if (isspace((unsigned char)*p) || *p == '(' || *p == ')')
			return hp_error(err, "invalid build '%s': bad character in the package name", arg);
	*name = hp_xstrndup(arg, (size_t)(eq - arg));
	*evr = hp_xstrdup(eq + 1);
	return 0;
}

static char *baselines_path(const char *repodir)
{
	return hp_xasprintf("%s/%s/baselines.xml", repodir, HP_REPO_STATE_DIR);
}

int hp_baselines_load(struct hp_meta *m, const char *repodir, struct hp_strbuf *err)
{
	struct hp_strbuf problems = HP_STRBUF_INIT;
	char *path = baselines_path(repodir);
	struct stat st;
	int ret = -1;

	/* A missing baselines file means "none yet"; a missing repository
	 * directory is an error, not an empty list. */
	if (stat(repodir, &st)) {
		if (errno == ENOENT)
			hp_error(err, "'%s': no such repository directory", repodir);
		else
			hp_error_errno(err, errno, "cannot read '%s'", repodir);
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		hp_error(err, "'%s': not a directory", repodir);
		goto out;
	}
	if (stat(path, &st)) {
		if (errno != ENOENT) {
			hp_error_errno(err, errno, "cannot read '%s'", path);
			goto out;
		}
		ret = 0;
		goto out;
	}
	if (hp_meta_read_file(m, path, err))
		goto out;
	/* The file is ours, but may have been edited by hand: the same rules
	 * as for published metadata, one line per problem. */
	if (hp_meta_validate(m, &problems)) {
		char *prefix = hp_xasprintf("'%s': ", path);

		hp_error_lines(err, prefix, problems.buf);
		free(prefix);
		goto out;
	}
	ret = 0;
out:
	hp_strbuf_release(&problems);
	free(path);
	return ret;
}

static int check_baseline(const struct hp_baseline *b, struct hp_strbuf *err)
{
	time_t issued, until;

	if (!b->id || !*b->id)
		return hp_error(err, "baseline id must not be empty");
	for (const char *p = b->id; *p; p++)
		if (isspace((unsigned char)*p) || !isprint((unsigned char)*p))
			return hp_error(err, "baseline id '%s': must not contain spaces or control characters",
					b->id);
	if (!b->issued || hp_parse_date(b->issued, &issued))
		return hp_error(err, "baseline '%s': invalid issued date '%s' (expected YYYY-MM-DD)",
				b->id, b->issued ? b->issued : "");
	if (b->supported_until) {
		if (hp_parse_date(b->supported_until, &until))
			return hp_error(err, "baseline '%s': invalid supported-until date '%s' (expected YYYY-MM-DD)",
					b->id, b->supported_until);
		if (until < issued)
			return hp_error(err, "baseline '%s': supported-until %s is before issued %s",
					b->id, b->supported_until, b->issued);
	}
	if (!b->nr_builds)
		return hp_error(err, "baseline '%s': at least one --build NAME=EVR is required", b->id);
	for (size_t i = 0; i < b->nr_builds; i++) {
		if (!b->builds[i].name || !*b->builds[i].name || !hp_evr_valid(b->builds[i].evr))
			return hp_error(err, "baseline '%s': invalid build '%s=%s'", b->id,
					b->builds[i].name ? b->builds[i].name : "",
					b->builds[i].evr ? b->builds[i].evr : "");
		for (size_t j = 0; j < i; j++)
			if (!strcmp(b->builds[i].name, b->builds[j].name))
				return hp_error(err, "baseline '%s': component '%s' is listed twice",
						b->id, b->builds[i].name);
	}
	return 0;
}

int hp_baselines_add(const char *repodir, struct hp_baseline *b, struct hp_strbuf *err)
{
	struct hp_meta m;
	struct hp_strbuf xml = HP_STRBUF_INIT;
	struct hp_strbuf problems = HP_STRBUF_INIT;
	char *dir = hp_path_join(repodir, HP_REPO_STATE_DIR);
	char *path = baselines_path(repodir);
	int ret = -1;

	hp_meta_init(&m);
	/* hp_baselines_load refuses a REPO that is missing or not a directory
	 * (before the baseline itself is judged: the REPO is the first thing
	 * named on the command line). */
	if (hp_baselines_load(&m, repodir, err))
		goto out;
	if (check_baseline(b, err))
		goto out;
	if (hp_meta_find_baseline(&m, b->id)) {
		hp_error(err, "baseline '%s' already exists in '%s'", b->id, path);
		goto out;
	}
	hp_meta_add_baseline(&m, b);
	m.format = HP_META_FORMAT_VERSION;
	if (hp_meta_validate(&m, &problems)) {
		hp_error_lines(err, "baseline rejected: ", problems.buf);
		goto out;
	}
	hp_meta_write(&m, &xml);
	if (hp_mkdir_p(dir, 0755, err) ||
	    hp_write_file_atomic(path, xml.buf, xml.len, 0644, err))
		goto out;
	ret = 0;
out:
	hp_meta_release(&m);
	hp_strbuf_release(&xml);
	hp_strbuf_release(&problems);
	free(dir);
	free(path);
	return ret;
}
