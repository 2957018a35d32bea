/* Decoded, guarded XML as a FILE *; see hp_xmlstream.h. */
#include "hp_xmlstream.h"
#include "hp_decomp.h"
#include "hp_xmlguard.h"

#include <errno.h>
#include <stdlib.h>

struct hp_xml_stream {
	FILE *fp;
	struct hp_decomp_file *in;
	struct hp_xml_guard guard;
	char *path;
	int failed;
	struct hp_strbuf *err;
	/* stdio's buffer: larger than BUFSIZ, fewer codec calls per byte */
	char buf[64 << 10];
};

/* stdio asks for a buffer's worth; the reader sees nothing the guard has
 * not passed. */
static ssize_t read_cb(void *cookie, char *buf, size_t size)
{
	struct hp_xml_stream *s = cookie;
	ssize_t n;

	if (s->failed) {
		errno = EIO;
		return -1;
	}
	n = hp_decomp_read(s->in, buf, size);
	if (n < 0 || (n > 0 && hp_xml_guard_scan(&s->guard, buf, (size_t)n, s->path, s->err))) {
		s->failed = 1;
		errno = EIO;
		return -1;
	}
	return n;
}

struct hp_xml_stream *hp_xml_stream_open(const char *path, size_t max_in, size_t max_out,
					 struct hp_strbuf *err)
{
	static const cookie_io_functions_t io = { .read = read_cb };
	struct hp_xml_stream *s = hp_xcalloc(1, sizeof(*s));

	s->path = hp_xstrdup(path);
	s->err = err;
	hp_xml_guard_init(&s->guard, HP_XML_MAX_TOKEN);
	s->in = hp_decomp_open(path, max_in, max_out, err);
	if (s->in && !(s->fp = fopencookie(s, "r", io)))
		hp_error_errno(err, errno, "cannot read '%s'", path);
	if (!s->fp) {
		hp_xml_stream_close(s);
		return NULL;
	}
	setvbuf(s->fp, s->buf, _IOFBF, sizeof(s->buf));
	return s;
}

FILE *hp_xml_stream_file(struct hp_xml_stream *s)
{
	return s->fp;
}

int hp_xml_stream_close(struct hp_xml_stream *s)
{
	int ret;

	if (!s)
		return 0;
	ret = s->failed ? -1 : 0;
	if (s->fp)
		fclose(s->fp);
	hp_decomp_close(s->in);
	free(s->path);
	free(s);
	return ret;
}
