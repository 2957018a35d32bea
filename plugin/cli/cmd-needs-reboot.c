/* hotpatch needs-reboot: exit 0 no, 1 yes, as `needs-restarting -r`.
 *
 * A reboot is needed when a newer build of a reboot-requiring component is
 * installed than the one running (for the kernel: the newest installed
 * kernel package is not the running one). The list of reboot-requiring
 * packages is dnf needs-restarting's.
 *
 * Live hotpatches (asked from the engines now, never remembered): a live
 * hotpatch for a running build carries its fixes into that build, so when
 * nothing newer is installed the answer is "no reboot needed" and names the
 * live hotpatch that covers the build. It does not cancel a newer installed
 * kernel: that kernel may carry more than the hotpatch (nothing on the
 * machine says which fixes it has), so a reboot stays needed -- the same
 * answer as needs-restarting. An installed hotpatch that is not live is no
 * reason to reboot (rebooting into the same build does not bring its fixes;
 * `hotpatch apply` does); it is reported as a note. docs/engines.md
 * ("needs-reboot and live hotpatches") states the rule. */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include <solv/evr.h>

#include "hp_cli.h"
#include "hp_live.h"
#include "hp_output.h"

/* dnf-plugins-core needs-restarting's NEED_REBOOT, plus microcode_ctl (early
 * microcode is loaded at boot); the dnf plugin's default reboot_requiring
 * is the same set (docs/dnf-plugin.md). kernel-headers, kernel-tools or
 * dbus-libs are no reason to reboot. */
static const char *const reboot_packages[] = {
	"kernel", "kernel-core", "kernel-rt", "glibc", "linux-firmware", "systemd", "dbus",
	"dbus-broker", "dbus-daemon", "microcode_ctl", NULL,
};

static int reboot_requiring(const char *name)
{
	for (size_t i = 0; reboot_packages[i]; i++)
		if (!fnmatch(reboot_packages[i], name, 0))
			return 1;
	return 0;
}

/* Newer than `evr` installed? Appends the reason. */
static int newer_installed(struct hp_cli_ctx *ctx, const char *name, const char *evr,
			   const char *what, struct hp_strvec *why)
{
	Pool *pool = ctx->sys.pool;
	const char *newest = hp_pool_newest_installed(pool, name);

	if (!newest || pool_evrcmp_str(pool, newest, evr, EVRCMP_COMPARE) <= 0)
		return 0;
	hp_strvec_pushf(why, "%s %s-%s is installed, %s-%s is running", what, name, newest,
			name, evr);
	return 1;
}

int hp_cli_reboot_needed(struct hp_cli_ctx *ctx, struct hp_strvec *why)
{
	struct hp_system *s = &ctx->sys;
	const struct hp_running *kr;
	int needed = 0;

	if (!s->pool)
		return 0;
	/* --running applies even when nothing was resolved. */
	if (!s->nr_running && ctx->opts->running.nr) {
		struct hp_strbuf err = HP_STRBUF_INIT;

		hp_system_detect_running(s, NULL, &ctx->opts->running, &err);
		hp_strbuf_release(&err);   /* overrides were validated by the parser */
	}
	kr = s->kernel_name ? hp_system_running(s, s->kernel_name) : NULL;
	if (s->kernel_name && !(kr && kr->overridden)) {
		needed |= newer_installed(ctx, s->kernel_name, s->kernel_evr, "newer kernel", why);
	} else if (!s->kernel_name && s->uname_r) {
		/* The running kernel is no installed package (any more), but
		 * kernel packages are installed: booting one is the way back. */
		static const char *const kernels[] = { "kernel-core", "kernel", "kernel-default", NULL };

		for (size_t i = 0; kernels[i]; i++) {
			const char *newest = hp_pool_newest_installed(s->pool, kernels[i]);

			if (newest && !hp_system_running(s, kernels[i])) {
				hp_strvec_pushf(why, "running kernel %s is not installed; %s-%s is",
						s->uname_r, kernels[i], newest);
				needed = 1;
				break;
			}
		}
	}
	/* Other components run at the installed build unless told otherwise
	 * (--running, or what the engines detect); detected kernels are
	 * handled above. */
	for (size_t i = 0; i < s->nr_running; i++) {
		const struct hp_running *r = &s->running[i];

		if (hp_is_kernel_component(r->name) && !r->overridden)
			continue;
		if (reboot_requiring(r->name))
			needed |= newer_installed(ctx, r->name, r->evr, "newer", why);
	}
	return needed;
}

/* One installed hotpatch for a running build, with its live state now. */
struct hp_hp_state {
	char *package, *component, *build;
	int live;   /* 1, 0, -1 unknown */
};

/* The running build of `comp` as far as needs-reboot knows it. */
static const char *running_evr(struct hp_cli_ctx *ctx, const char *comp)
{
	struct hp_system *s = &ctx->sys;
	const struct hp_running *r = hp_system_running(s, comp);

	if (r)
		return r->evr;
	if (hp_is_kernel_component(comp))
		return s->kernel_evr && hp_pool_is_installed(s->pool, comp, s->kernel_evr)
			       ? s->kernel_evr : NULL;
	return hp_pool_newest_installed(s->pool, comp);
}

/* Installed hotpatches for running builds (newest of each series) and
 * whether their engine reports them live. *out malloc'd, *nr entries. */
static void hotpatch_states(struct hp_cli_ctx *ctx, struct hp_hp_state **out, size_t *nr)
{
	struct hp_live_pkgs inst;
	struct hp_running *run = NULL;
	size_t nr_run = 0, *sel = NULL, nr_sel = 0;
	struct hp_strbuf err = HP_STRBUF_INIT;

	*out = NULL;
	*nr = 0;
	hp_live_pkgs_init(&inst);
	if (!ctx->sys.pool || hp_live_read_installed(ctx->sys.root, ctx->opts->dbpath, &inst, &err))
		goto out;
	run = hp_xcalloc(inst.nr + 1, sizeof(*run));
	for (size_t i = 0; i < inst.nr; i++) {
		const char *evr = running_evr(ctx, inst.v[i].component);
		int dup = 0;

		for (size_t k = 0; k < nr_run; k++)
			dup |= !strcmp(run[k].name, inst.v[i].component);
		if (!evr || dup)
			continue;
		run[nr_run].name = (char *)inst.v[i].component;
		run[nr_run++].evr = (char *)evr;
	}
	hp_live_select(&inst, run, nr_run, NULL, &sel, &nr_sel, NULL, &err);
	*out = hp_xcalloc(nr_sel + 1, sizeof(**out));
	for (size_t i = 0; i < nr_sel; i++) {
		const struct hp_live_pkg *p = &inst.v[sel[i]];
		struct hp_hp_state *st = &(*out)[(*nr)++];

		st->package = hp_xstrdup(p->nevra);
		st->component = hp_xstrdup(p->component);
		st->build = hp_xstrdup(p->build);
		st->live = hp_live_pkg_is_live(p, ctx->sys.root, ctx->sys.uname_r, NULL);
	}
out:
	free(sel);
	free(run);
	hp_live_pkgs_release(&inst);
	hp_strbuf_release(&err);
}

int hp_cmd_needs_reboot(struct hp_cli_ctx *ctx, int argc, char **argv)
{
	struct hp_strvec why = HP_STRVEC_INIT, covers = HP_STRVEC_INIT, notes = HP_STRVEC_INIT;
	struct hp_hp_state *st = NULL;
	size_t nr_st = 0;
	int needed = hp_cli_reboot_needed(ctx, &why);

	hotpatch_states(ctx, &st, &nr_st);
	for (size_t i = 0; i < nr_st; i++) {
		if (st[i].live == 1)
			hp_strvec_pushf(&covers, "live hotpatch %s covers %s-%s", st[i].package,
					st[i].component, st[i].build);
		else if (st[i].live == 0)
			hp_strvec_pushf(&notes, "hotpatch %s is installed but not live: run "
					"'hotpatch apply' (a reboot does not bring its fixes)",
					st[i].package);
	}
	if (ctx->opts->json) {
		struct json_object *o = json_object_new_object(), *a = json_object_new_array();

		json_object_object_add(o, "reboot_needed", json_object_new_boolean(needed));
		json_object_object_add(o, "reasons", hp_json_strings(&why, NULL));
		for (size_t i = 0; i < nr_st; i++) {
			struct json_object *h = json_object_new_object();

			json_object_object_add(h, "package", json_object_new_string(st[i].package));
			json_object_object_add(h, "component", json_object_new_string(st[i].component));
			json_object_object_add(h, "build", json_object_new_string(st[i].build));
			json_object_object_add(h, "live", st[i].live < 0 ? NULL
					       : json_object_new_boolean(st[i].live));
			json_object_array_add(a, h);
		}
		json_object_object_add(o, "hotpatches", a);
		json_object_object_add(o, "covered", hp_json_strings(&covers, NULL));
		json_object_object_add(o, "notes", hp_json_strings(&notes, NULL));
		hp_json_print(stdout, o);
	} else {
		if (needed) {
			printf("Reboot is required:\n");
			for (size_t i = 0; i < why.nr; i++)
				printf("  * %s\n", why.v[i]);
			for (size_t i = 0; i < covers.nr; i++)
				printf("  (%s, but only with the fixes it carries)\n", covers.v[i]);
		} else if (covers.nr) {
			for (size_t i = 0; i < covers.nr; i++)
				printf("No reboot is required: %s.\n", covers.v[i]);
		} else {
			printf("No reboot is required.\n");
		}
		for (size_t i = 0; i < notes.nr; i++)
			hp_cli_note("%s", notes.v[i]);
	}
	for (size_t i = 0; i < nr_st; i++) {
		free(st[i].package);
		free(st[i].component);
		free(st[i].build);
	}
	free(st);
	hp_strvec_release(&why);
	hp_strvec_release(&covers);
	hp_strvec_release(&notes);
	return needed ? HP_EXIT_ERROR : HP_EXIT_OK;
}
