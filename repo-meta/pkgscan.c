/* One rpm, read without installing: its header with librpm, its payload with
 * libarchive. See hp_pkgscan.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <rpm/header.h>
#include <rpm/rpmds.h>
#include <rpm/rpmio.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmpgp.h>
#include <rpm/rpmtd.h>
#include <rpm/rpmts.h>

#include "hp_pkgscan.h"

void hp_pkghdr_init(struct hp_pkghdr *h)
{
	memset(h, 0, sizeof(*h));
	hp_strvec_init(&h->files);
	hp_strvec_init(&h->digests);
}

static void deps_free(struct hp_dep *d, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(d[i].name);
		free(d[i].evr);
	}
	free(d);
}

void hp_pkghdr_release(struct hp_pkghdr *h)
{
	free(h->name);
	free(h->epoch);
	free(h->version);
	free(h->release);
	free(h->arch);
	deps_free(h->provides, h->nr_provides);
	deps_free(h->requires, h->nr_requires);
	hp_strvec_release(&h->files);
	hp_strvec_release(&h->digests);
	hp_pkghdr_init(h);
}

char *hp_pkghdr_nevra(const struct hp_pkghdr *h)
{
	return hp_xasprintf("%s-%s%s%s-%s.%s", h->name ? h->name : "?",
			    h->epoch ? h->epoch : "", h->epoch ? ":" : "",
			    h->version ? h->version : "?", h->release ? h->release : "?",
			    h->arch ? h->arch : "?");
}

/* rpm's configuration (macros, arch tables) must be read once before headers
 * are; keep rpm's own logging to errors so that a missing key for a signed
 * package (we do not check signatures here) does not print warnings. */
static void rpm_setup_once(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	rpmReadConfigFiles(NULL, NULL);
	rpmSetVerbosity(RPMLOG_ERR);
}

static void read_deps(Header h, rpmTagVal tag, struct hp_dep **out, size_t *nr)
{
	rpmds ds = rpmdsNew(h, tag, 0);
	size_t alloc = 0;

	*out = NULL;
	*nr = 0;
	if (!ds)
		return;
	while (rpmdsNext(ds) >= 0) {
		const char *evr = rpmdsEVR(ds);
		struct hp_dep *d;

		HP_ALLOC_GROW(*out, *nr + 1, alloc);
		d = &(*out)[(*nr)++];
		d->name = hp_xstrdup(rpmdsN(ds));
		d->evr = (evr && *evr) ? hp_xstrdup(evr) : NULL;
		d->sense = rpmdsFlags(ds) & RPMSENSE_SENSEMASK;
	}
	rpmdsFree(ds);
}

int hp_pkghdr_read(struct hp_pkghdr *hdr, const char *path, struct hp_strbuf *err)
{
	rpmts ts = NULL;
	FD_t fd = NULL;
	Header h = NULL;
	rpmtd td = NULL;
	rpmRC rc;
	int ret = -1;

	rpm_setup_once();
	hp_pkghdr_release(hdr);
	ts = rpmtsCreate();
	/* The operator publishes their own packages; signatures are checked by
	 * the client, and a digest check here would only slow down the scan. */
	rpmtsSetVSFlags(ts, RPMVSF_MASK_NOSIGNATURES | RPMVSF_MASK_NODIGESTS);
	fd = Fopen(path, "r.ufdio");
	if (!fd || Ferror(fd)) {
		hp_error(err, "cannot open '%s': %s", path, fd ? Fstrerror(fd) : strerror(errno));
		goto out;
	}
	rc = rpmReadPackageFile(ts, fd, path, &h);
	if (rc != RPMRC_OK && rc != RPMRC_NOKEY && rc != RPMRC_NOTTRUSTED) {
		hp_error(err, "cannot read rpm header of '%s': not an rpm package or corrupt", path);
		goto out;
	}
	hdr->name = hp_xstrdup(headerGetString(h, RPMTAG_NAME));
	hdr->version = hp_xstrdup(headerGetString(h, RPMTAG_VERSION));
	hdr->release = hp_xstrdup(headerGetString(h, RPMTAG_RELEASE));
	hdr->arch = hp_xstrdup(headerGetString(h, RPMTAG_ARCH));
	if (headerIsEntry(h, RPMTAG_EPOCH))
		hdr->epoch = hp_xasprintf("%llu",
					  (unsigned long long)headerGetNumber(h, RPMTAG_EPOCH));
	hdr->buildtime = (int64_t)headerGetNumber(h, RPMTAG_BUILDTIME);
	if (!hdr->name || !hdr->version || !hdr->release) {
		hp_error(err, "'%s': rpm header has no name, version or release", path);
		goto out;
	}
	if (!hdr->arch)
		hdr->arch = hp_xstrdup("noarch");
	read_deps(h, RPMTAG_PROVIDENAME, &hdr->provides, &hdr->nr_provides);
	read_deps(h, RPMTAG_REQUIRENAME, &hdr->requires, &hdr->nr_requires);
	td = rpmtdNew();
	if (headerGet(h, RPMTAG_FILENAMES, td, HEADERGET_EXT)) {
		const char *f;

		while ((f = rpmtdNextString(td)))
			hp_strvec_push(&hdr->files, f);
	}
	rpmtdFreeData(td);
	if (headerGet(h, RPMTAG_FILEDIGESTS, td, HEADERGET_MINMEM)) {
		const char *d;

		while ((d = rpmtdNextString(td)))
			hp_strvec_push(&hdr->digests, d);
	}
	/* rpm < 4.6 packages have no algorithm tag: md5 */
	hdr->digest_algo = headerIsEntry(h, RPMTAG_FILEDIGESTALGO) ?
		(unsigned)headerGetNumber(h, RPMTAG_FILEDIGESTALGO) : 1;
	ret = 0;
out:
	if (td) {
		rpmtdFreeData(td);
		rpmtdFree(td);
	}
	headerFree(h);
	if (fd)
		Fclose(fd);
	rpmtsFree(ts);
	return ret;
}

void hp_payload_init(struct hp_payload *p)
{
	memset(p, 0, sizeof(*p));
}

void hp_payload_release(struct hp_payload *p)
{
	for (size_t i = 0; i < p->nr; i++) {
		free(p->files[i].path);
		hp_modinfo_release(&p->files[i].modinfo);
		free(p->files[i].modinfo_error);
	}
	free(p->files);
	hp_payload_init(p);
}

/* cpio names are "./usr/lib/..." (or "usr/lib/..."); make them absolute. */
static char *normalise_path(const char *name)
{
	while (name[0] == '.' && name[1] == '/')
		name++;
	while (*name == '/')
		name++;
	return hp_xasprintf("/%s", name);
}

static void digest_hex(DIGEST_CTX ctx, char hex[65])
{
	uint8_t *d = NULL;
	size_t dlen = 0;
	static const char digits[] = "0123456789abcdef";

	rpmDigestFinal(ctx, (void **)&d, &dlen, 0);
	for (size_t i = 0; i < dlen && i < 32; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[64] = '\0';
	free(d);
}

/* libarchive's last message as one line (it may be NULL or span lines);
 * malloc'd, caller frees. */
static char *archive_line(struct archive *a)
{
	const char *m = archive_error_string(a);

	return hp_oneline(m ? m : "unknown archive error");
}

/* The .modinfo of a module image, decompressed first when it is .ko.xz or
 * .ko.zst (the digest stays that of the file as shipped). */
static int parse_module(struct hp_payload_file *f, const struct hp_strbuf *data,
			struct hp_strbuf *err)
{
	struct hp_strbuf plain = HP_STRBUF_INIT;
	int r = hp_module_decompress(data->buf, data->len, f->path, &plain, err);

	if (r >= 0)
		r = r ? hp_modinfo_parse(&f->modinfo, plain.buf, plain.len, f->path, err) :
			hp_modinfo_parse(&f->modinfo, data->buf, data->len, f->path, err);
	hp_strbuf_release(&plain);
	return r;
}

int hp_payload_read(struct hp_payload *p, const char *rpm_path, struct hp_strbuf *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct hp_strbuf data = HP_STRBUF_INIT;
	struct hp_strbuf merr = HP_STRBUF_INIT;
	char *buf = hp_xmalloc(65536);
	DIGEST_CTX ctx = NULL;
	int r, ret = -1;

	hp_payload_release(p);
	/* libarchive's "rpm" filter strips the lead and headers; what is left is a
	 * compressed cpio archive. */
	archive_read_support_filter_all(a);
	archive_read_support_format_cpio(a);
	if (archive_read_open_filename(a, rpm_path, 65536) != ARCHIVE_OK) {
		char *msg = archive_line(a);

		hp_error(err, "cannot read payload of '%s': %s", rpm_path, msg);
		free(msg);
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		struct hp_payload_file *f;
		const char *name = archive_entry_pathname(e);
		la_ssize_t n;

		if (!name || archive_entry_filetype(e) != AE_IFREG)
			continue;
		HP_ALLOC_GROW(p->files, p->nr + 1, p->alloc);
		f = &p->files[p->nr++];
		memset(f, 0, sizeof(*f));
		f->path = normalise_path(name);
		f->is_module = hp_module_path(f->path);
		ctx = rpmDigestInit(PGPHASHALGO_SHA256, RPMDIGEST_NONE);
		hp_strbuf_reset(&data);
		while ((n = archive_read_data(a, buf, 65536)) > 0) {
			rpmDigestUpdate(ctx, buf, (size_t)n);
			f->size += (uint64_t)n;
			/* only modules are kept, to read their .modinfo */
			if (f->is_module && f->size <= HP_MODULE_MAX)
				hp_strbuf_add(&data, buf, (size_t)n);
		}
		digest_hex(ctx, f->sha256);
		ctx = NULL;
		if (n < 0) {
			char *msg = archive_line(a);

			hp_error(err, "cannot read payload of '%s' at '%s': %s", rpm_path, f->path,
				 msg);
			free(msg);
			goto out;
		}
		if (!f->is_module)
			continue;
		hp_strbuf_reset(&merr);
		if (f->size > HP_MODULE_MAX)
			f->modinfo_error = hp_xasprintf("'%s': module larger than %u bytes", f->path,
							HP_MODULE_MAX);
		else if (parse_module(f, &data, &merr))
			f->modinfo_error = hp_strbuf_detach(&merr);
	}
	if (r != ARCHIVE_EOF) {
		char *msg = archive_line(a);

		hp_error(err, "cannot read payload of '%s': %s", rpm_path, msg);
		free(msg);
		goto out;
	}
	ret = 0;
out:
	if (ctx)
		rpmDigestFinal(ctx, NULL, NULL, 0);
	if (ret)
		hp_payload_release(p);
	hp_strbuf_release(&data);
	hp_strbuf_release(&merr);
	free(buf);
	archive_read_free(a);
	return ret;
}
