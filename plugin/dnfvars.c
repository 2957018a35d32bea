/* dnf's variables: where they come from and how they are substituted; see
 * hp_dnfvars.h. Written from dnf 4's rules (dnf/conf/substitutions.py,
 * dnf/rpm/__init__.py, dnf/cli/cli.py _read_conf_file, libdnf's
 * ConfigParser::substitute). */
#include "hp_dnfvars.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <rpm/header.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmds.h>
#include <rpm/rpmts.h>

#include "hp_rpmdb.h"

extern char **environ;

/* dnf.rpm._BASEARCH_MAP: base architecture <- the arches that map to it. */
static const struct {
	const char *basearch;
	const char *arches;   /* space separated */
} basearch_map[] = {
	{ "aarch64", "aarch64" },
	{ "alpha", "alpha alphaev4 alphaev45 alphaev5 alphaev56 alphaev6 alphaev67 alphaev68 "
		   "alphaev7 alphapca56" },
	{ "arm", "armv5tejl armv5tel armv5tl armv6l armv7l armv8l" },
	{ "armhfp", "armv6hl armv7hl armv7hnl armv8hl" },
	{ "i386", "i386 athlon geode i486 i586 i686" },
	{ "ia64", "ia64" },
	{ "mips", "mips" },
	{ "mipsel", "mipsel" },
	{ "mips64", "mips64" },
	{ "mips64el", "mips64el" },
	{ "loongarch64", "loongarch64" },
	{ "noarch", "noarch" },
	{ "ppc", "ppc" },
	{ "ppc64", "ppc64 ppc64iseries ppc64p7 ppc64pseries" },
	{ "ppc64le", "ppc64le" },
	{ "riscv32", "riscv32" },
	{ "riscv64", "riscv64" },
	{ "riscv128", "riscv128" },
	{ "s390", "s390" },
	{ "s390x", "s390x" },
	{ "sh3", "sh3" },
	{ "sh4", "sh4 sh4a" },
	{ "sparc", "sparc sparc64 sparc64v sparcv8 sparcv9 sparcv9v" },
	{ "x86_64", "x86_64 amd64 ia32e" },
};

/* dnf.const.DISTROVERPKG, in dnf's order. */
static const char *const distroverpkg[] = {
	"system-release(releasever)", "system-release", "distribution-release(releasever)",
	"distribution-release", "redhat-release", "suse-release",
};

const char *hp_dnf_basearch(const char *arch)
{
	size_t n = strlen(arch);

	for (size_t i = 0; i < sizeof(basearch_map) / sizeof(basearch_map[0]); i++) {
		for (const char *p = basearch_map[i].arches; *p;) {
			size_t len = strcspn(p, " ");

			if (len == n && !strncmp(p, arch, n))
				return basearch_map[i].basearch;
			p += len;
			p += strspn(p, " ");
		}
	}
	return NULL;
}

void hp_dnfvars_init(struct hp_dnfvars *v)
{
	hp_strvec_init(&v->names);
	hp_strvec_init(&v->values);
	v->root = NULL;
	v->dbpath = NULL;
	v->releasever_detected = 0;
}

void hp_dnfvars_release(struct hp_dnfvars *v)
{
	hp_strvec_release(&v->names);
	hp_strvec_release(&v->values);
	free(v->root);
	free(v->dbpath);
	hp_dnfvars_init(v);
}

static long find(const struct hp_dnfvars *v, const char *name, size_t len)
{
	for (size_t i = 0; i < v->names.nr; i++)
		if (strlen(v->names.v[i]) == len && !strncmp(v->names.v[i], name, len))
			return (long)i;
	return -1;
}

void hp_dnfvars_set(struct hp_dnfvars *v, const char *name, const char *value)
{
	long i = find(v, name, strlen(name));

	if (i >= 0) {
		free(v->values.v[i]);
		v->values.v[i] = hp_xstrdup(value);
		return;
	}
	hp_strvec_push(&v->names, name);
	hp_strvec_push(&v->values, value);
}

static int is_name_char(int c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* DNF_VAR_<name> (name of [A-Za-z0-9_]) and DNF0..DNF9. */
static void load_env(struct hp_dnfvars *v)
{
	for (char **e = environ; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		char *name;
		int ok = 1;

		if (!eq)
			continue;
		if (!strncmp(*e, "DNF_VAR_", 8) && eq > *e + 8) {
			for (const char *p = *e + 8; p < eq; p++)
				ok &= is_name_char(*p);
			if (!ok)
				continue;
			name = hp_xstrndup(*e + 8, (size_t)(eq - *e - 8));
		} else if (eq - *e == 4 && !strncmp(*e, "DNF", 3) && isdigit((unsigned char)(*e)[3])) {
			name = hp_xstrndup(*e, 4);
		} else {
			continue;
		}
		hp_dnfvars_set(v, name, eq + 1);
		free(name);
	}
}

/* One vars directory: every regular file is a variable, its first line
 * (without the newline) the value; what cannot be read is skipped. */
static void load_dir(struct hp_dnfvars *v, const char *root, const char *dir)
{
	char *path = hp_path_join(root, dir);
	struct dirent **names = NULL;
	int n = scandir(path, &names, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		struct hp_strbuf text = HP_STRBUF_INIT, err = HP_STRBUF_INIT;
		char *file = hp_path_join(path, names[i]->d_name);
		struct stat st;

		if (stat(file, &st) == 0 && S_ISREG(st.st_mode) &&
		    hp_read_file(file, &text, &err) == 0) {
			text.buf[strcspn(text.buf, "\n")] = '\0';
			hp_dnfvars_set(v, names[i]->d_name, text.buf);
		}
		hp_strbuf_release(&err);
		hp_strbuf_release(&text);
		free(file);
		free(names[i]);
	}
	free(names);
	free(path);
}

/* dnf's arch: uname's machine (hawkey.detect_arch). */
static void load_arch(struct hp_dnfvars *v)
{
	const char *m = getenv("HP_UNAME_M");
	struct utsname u;
	const char *base;

	if (!m || !*m) {
		if (uname(&u) < 0)
			return;
		m = u.machine;
	}
	base = hp_dnf_basearch(m);
	if (!base)
		return;   /* dnf refuses an unknown arch; the URLs keep $arch */
	hp_dnfvars_set(v, "arch", m);
	hp_dnfvars_set(v, "basearch", base);
}

void hp_dnfvars_load(struct hp_dnfvars *v, const struct hp_dnfvars_opts *o)
{
	const char *root = o->root && *o->root ? o->root : "/";

	free(v->root);
	free(v->dbpath);
	v->root = hp_xstrdup(root);
	v->dbpath = hp_xstrdup(o->dbpath);
	load_env(v);
	load_arch(v);
	if (o->conf_releasever)
		hp_dnfvars_set(v, "releasever", o->conf_releasever);
	/* dnf's default varsdir, yum's first so that dnf's wins. */
	load_dir(v, root, "etc/yum/vars");
	load_dir(v, root, "etc/dnf/vars");
	v->releasever_detected = 0;
	if (o->releasever) {
		hp_dnfvars_set(v, "releasever", o->releasever);
		v->releasever_detected = 1;
	} else if (find(v, "releasever", 10) >= 0) {
		v->releasever_detected = 1;
	}
}

/* The version a DISTROVERPKG provide of `h` gives, as dnf reads it. */
static char *header_releasever(Header h, const char *provide)
{
	const char *name = headerGetString(h, RPMTAG_NAME);
	char *ver = hp_xstrdup(headerGetString(h, RPMTAG_VERSION));
	rpmds ds = rpmdsNew(h, RPMTAG_PROVIDENAME, 0);

	while (ds && rpmdsNext(ds) >= 0) {
		const char *evr;

		if (strcmp(rpmdsN(ds), provide))
			continue;
		evr = rpmdsEVR(ds);
		/* the raw flags equal RPMSENSE_EQUAL, a non-empty version, and a
		 * package not named like the provide: the provide wins */
		if (rpmdsFlags(ds) == RPMSENSE_EQUAL && evr && *evr && name && strcmp(name, provide)) {
			free(ver);
			ver = hp_xstrdup(evr);
		}
		break;
	}
	rpmdsFree(ds);
	return ver;
}

int hp_dnf_detect_releasever(const char *root, const char *dbpath, char **out,
			     struct hp_strbuf *err)
{
	struct hp_rpmdb db = HP_RPMDB_INIT;

	*out = NULL;
	if (hp_rpmdb_open(&db, root, dbpath, err))
		return -1;
	for (size_t i = 0; i < sizeof(distroverpkg) / sizeof(distroverpkg[0]) && !*out; i++) {
		rpmdbMatchIterator mi = rpmtsInitIterator(db.ts, RPMTAG_PROVIDENAME,
							  distroverpkg[i], 0);
		Header h = mi ? rpmdbNextIterator(mi) : NULL;

		if (h)
			*out = header_releasever(h, distroverpkg[i]);
		rpmdbFreeIterator(mi);
	}
	hp_rpmdb_close(&db);
	return 0;
}

const char *hp_dnfvars_get(struct hp_dnfvars *v, const char *name)
{
	long i;

	if (!strcmp(name, "releasever") && !v->releasever_detected) {
		struct hp_strbuf err = HP_STRBUF_INIT;
		char *rv = NULL;

		/* dnf only warns when it cannot tell; so do we: the URL keeps
		 * $releasever and reading it says what is missing. */
		v->releasever_detected = 1;
		if (hp_dnf_detect_releasever(v->root, v->dbpath, &rv, &err) == 0 && rv)
			hp_dnfvars_set(v, "releasever", rv);
		free(rv);
		hp_strbuf_release(&err);
	}
	i = find(v, name, strlen(name));
	return i >= 0 ? v->values.v[i] : NULL;
}

/* $releasever_major / _minor: releasever split at its first '.' (libdnf). */
static char *lookup(struct hp_dnfvars *v, const char *name, size_t len)
{
	char *key = hp_xstrndup(name, len), *val = NULL;
	const char *x = hp_dnfvars_get(v, key);

	if (x) {
		val = hp_xstrdup(x);
	} else if (!strcmp(key, "releasever_major") || !strcmp(key, "releasever_minor")) {
		const char *rv = hp_dnfvars_get(v, "releasever");

		if (rv) {
			size_t dot = strcspn(rv, ".");

			if (key[11] == 'm' && key[12] == 'a')
				val = hp_xstrndup(rv, dot);
			else
				val = hp_xstrdup(rv[dot] ? rv + dot + 1 : "");
		}
	}
	free(key);
	return val;
}

#define MAX_DEPTH 32

/* Substitutes s into out. In a ${x:-word} word (depth > 0) it stops at
 * the closing '}' and returns how many bytes it read; -1 when the word is
 * not closed (then nothing of it is substituted, as in libdnf). */
static long expand(struct hp_dnfvars *v, const char *s, int depth, struct hp_strbuf *out)
{
	size_t i = 0, n = strlen(s);

	while (i < n) {
		size_t name, end;
		int braces;
		char *val;

		if (s[i] == '}' && depth > 0)
			return (long)i;
		if (s[i] == '\\') {
			if (i + 1 >= n)
				break;   /* a trailing backslash stays */
			hp_strbuf_add(out, s + i + 1, 1);
			i += 2;
			continue;
		}
		if (s[i] != '$') {
			hp_strbuf_add(out, s + i, 1);
			i++;
			continue;
		}
		braces = s[i + 1] == '{';
		name = i + 1 + (size_t)braces;
		if (braces && name >= n)
			break;
		for (end = name; end < n && is_name_char(s[end]); end++)
			;
		if (!braces) {
			val = lookup(v, s + name, end - name);
			hp_strbuf_adds(out, val ? val : "");
			if (!val)
				hp_strbuf_add(out, s + i, end - i);
			free(val);
			i = end > i + 1 ? end : i + 1;
			continue;
		}
		if (end >= n)
			break;
		if (s[end] == '}') {
			val = lookup(v, s + name, end - name);
			if (val)
				hp_strbuf_adds(out, val);
			else
				hp_strbuf_add(out, s + i, end + 1 - i);
			free(val);
			i = end + 1;
			continue;
		}
		if (s[end] != ':' || end + 2 >= n) {
			if (s[end] == ':')
				break;
			hp_strbuf_add(out, s + i, end - i);   /* "${name" then the rest as text */
			i = end;
			continue;
		}
		if (s[end + 1] != '-' && s[end + 1] != '+') {
			hp_strbuf_add(out, s + i, end + 1 - i);
			i = end + 1;
			continue;
		}
		{
			struct hp_strbuf word = HP_STRBUF_INIT;
			long used = depth < MAX_DEPTH ? expand(v, s + end + 2, depth + 1, &word) : -1;
			int set;

			if (used < 0) {
				hp_strbuf_release(&word);
				break;
			}
			val = lookup(v, s + name, end - name);
			set = val && *val;
			if (s[end + 1] == '-')
				hp_strbuf_adds(out, set ? val : word.buf);
			else if (set)
				hp_strbuf_adds(out, word.buf);
			free(val);
			hp_strbuf_release(&word);
			i = end + 2 + (size_t)used + 1;
		}
	}
	if (depth > 0)
		return -1;
	hp_strbuf_adds(out, s + i);
	return (long)n;
}

char *hp_dnfvars_subst(struct hp_dnfvars *v, const char *s)
{
	struct hp_strbuf out = HP_STRBUF_INIT;

	hp_strbuf_adds(&out, "");
	expand(v, s, 0, &out);
	return hp_strbuf_detach(&out);
}
