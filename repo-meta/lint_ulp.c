/* The lint of user-space hotpatches for the ulp engine (libpulp): the
 * payload must be an ELF shared object carrying libpulp metadata (`ulp
 * packer`), and the target library it names must be, byte for byte, the
 * one the component build's package in this repository ships: the patch's
 * target build-id equals that library's GNU build-id. A patch made against
 * another build would be refused by every process at apply time; publish
 * refuses it first.
 *
 * Unlike the facts in struct hp_candidate (cached by pkgid), the payload
 * and the component's library are read from the rpms on every publish. */
#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>

#include "hp_publish.h"
#include "hp_ulpmeta.h"

/* Patches and libraries are read into memory up to this size. */
#define ULP_FILE_MAX (256u << 20)

/* Reads the regular file `path` (absolute) of the rpm's payload into `out`. */
static int rpm_file_read(const char *rpm_path, const char *path, struct hp_strbuf *out,
			 struct hp_strbuf *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char buf[65536];
	int r, found = 0, ret = -1;

	archive_read_support_filter_all(a);
	archive_read_support_format_cpio(a);
	if (archive_read_open_filename(a, rpm_path, sizeof(buf)) != ARCHIVE_OK)
		goto fail;
	while (!found && ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN)) {
		const char *name = archive_entry_pathname(e);
		la_ssize_t n;

		/* cpio names are "./usr/lib/...": compare without the leading dot */
		if (!name || archive_entry_filetype(e) != AE_IFREG ||
		    strcmp(name + (name[0] == '.'), path))
			continue;
		found = 1;
		while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
			if (out->len + (size_t)n > ULP_FILE_MAX) {
				hp_error(err, "'%s' in '%s' is larger than %u bytes", path, rpm_path,
					 ULP_FILE_MAX);
				goto out;
			}
			hp_strbuf_add(out, buf, (size_t)n);
		}
		if (n < 0)
			goto fail;
	}
	if (!found) {
		hp_error(err, "'%s' has no file '%s'", rpm_path, path);
		goto out;
	}
	ret = 0;
	goto out;
fail: {
		char *msg = hp_oneline(archive_error_string(a) ? archive_error_string(a) : "?");

		hp_error(err, "cannot read '%s' from '%s': %s", path, rpm_path, msg);
		free(msg);
	}
out:
	archive_read_free(a);
	return ret;
}

static void add_problem(struct hp_strbuf *problems, int *n, const char *nevra, const char *msg)
{
	if (problems->len)
		hp_strbuf_adds(problems, "\n");
	hp_strbuf_addf(problems, "%s: %s", nevra, msg);
	(*n)++;
}

/* The build's library named `target` in the component package `rp`: 0 when
 * one has build-id `want`, else -1 with the problem. */
static int check_target(struct hp_reposcan *rs, const struct hp_repo_pkg *rp, const char *target,
			const char *want, struct hp_strbuf *why)
{
	struct hp_pkghdr hdr;
	struct hp_strbuf seen = HP_STRBUF_INIT;
	char *rpm = hp_path_join(rs->repodir, rp->location);
	size_t nr = 0;
	int ret = -1;

	hp_pkghdr_init(&hdr);
	if (hp_pkghdr_read(&hdr, rpm, why))
		goto out;
	for (size_t i = 0; i < hdr.files.nr && ret; i++) {
		const char *f = hdr.files.v[i], *slash = strrchr(f, '/');
		struct hp_strbuf buf = HP_STRBUF_INIT, tmp = HP_STRBUF_INIT;
		char hex[HP_BUILD_ID_HEX];

		if (!slash || strcmp(slash + 1, target))
			continue;
		nr++;
		if (rpm_file_read(rpm, f, &buf, &tmp) ||
		    hp_elf_build_id(buf.buf, buf.len, f, hex, &tmp))
			hp_strbuf_addf(&seen, "%s%s", seen.len ? "; " : "", tmp.buf);
		else if (strcmp(hex, want))
			hp_strbuf_addf(&seen, "%s%s has build-id %s", seen.len ? "; " : "", f, hex);
		else
			ret = 0;
		hp_strbuf_release(&buf);
		hp_strbuf_release(&tmp);
	}
	if (ret && !nr)
		hp_error(why, "the patch targets %s, which %s-%s does not ship", target, rp->name,
			 rp->evr);
	else if (ret)
		hp_error(why, "the patch targets %s build-id %s, but in %s-%s %s", target, want,
			 rp->name, rp->evr, seen.buf);
out:
	hp_pkghdr_release(&hdr);
	hp_strbuf_release(&seen);
	free(rpm);
	return ret;
}

int hp_publish_lint_ulp(struct hp_reposcan *rs, const struct hp_candidate *c,
			struct hp_strbuf *problems)
{
	char *component = NULL, *build = NULL, *engine = NULL, *dir = NULL, *rpm = NULL;
	char *nevra = hp_pkghdr_nevra(&c->hdr);
	const struct hp_payload_file *pf = NULL;
	struct hp_strbuf buf = HP_STRBUF_INIT, why = HP_STRBUF_INIT;
	struct hp_ulp_meta m;
	struct hp_repo_pkg rp;
	size_t nr = 0;
	int n = 0;

	hp_ulp_meta_init(&m);
	hp_repo_pkg_init(&rp);
	hp_candidate_target(&c->hdr, &component, &build, &engine);
	/* Missing or ambiguous provides and payloads are hp_publish_lint's. */
	if (!engine || strcmp(engine, "ulp") || !component || !build || c->payload_error)
		goto out;
	dir = hp_xasprintf(HP_PAYLOAD_ROOT "%s/%s/", component, build);
	for (size_t i = 0; i < c->payload.nr; i++)
		if (!strncmp(c->payload.files[i].path, dir, strlen(dir)) && !nr++)
			pf = &c->payload.files[i];
	if (nr != 1)
		goto out;
	rpm = hp_path_join(rs->repodir, c->location);
	if (rpm_file_read(rpm, pf->path, &buf, &why) ||
	    hp_ulp_meta_parse(&m, buf.buf, buf.len, pf->path, &why)) {
		add_problem(problems, &n, nevra, why.buf);
		goto out;
	}
	if (hp_reposcan_find(rs, component, build, &rp)) {
		hp_strbuf_reset(&why);
		hp_strbuf_addf(&why, "component package %s = %s is not in the repository: cannot "
			       "check the patch's target %s (build-id %s)", component, build,
			       m.target, m.target_build_id);
		add_problem(problems, &n, nevra, why.buf);
		goto out;
	}
	if (check_target(rs, &rp, m.target, m.target_build_id, &why))
		add_problem(problems, &n, nevra, why.buf);
out:
	hp_repo_pkg_release(&rp);
	hp_ulp_meta_release(&m);
	hp_strbuf_release(&buf);
	hp_strbuf_release(&why);
	free(component);
	free(build);
	free(engine);
	free(dir);
	free(rpm);
	free(nevra);
	return n;
}
