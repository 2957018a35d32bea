/* bench/floor.c - the floor: decompress and XML-parse metadata files once
 * (zlib gzread + expat, counting elements), what no tool reading the same
 * files can beat.  Usage: floor FILE.xml[.gz]...  Prints "elements N". */
#include <expat.h>
#include <stdio.h>
#include <zlib.h>

static void XMLCALL on_start(void *data, const XML_Char *name, const XML_Char **attrs)
{
	(void)name;
	(void)attrs;
	++*(unsigned long *)data;
}

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	unsigned long n = 0;

	for (int i = 1; i < argc; i++) {
		gzFile gz = gzopen(argv[i], "rb");
		XML_Parser p = XML_ParserCreate(NULL);
		int len;

		if (!gz || !p) {
			fprintf(stderr, "floor: cannot open '%s'\n", argv[i]);
			return 1;
		}
		XML_SetUserData(p, &n);
		XML_SetStartElementHandler(p, on_start);
		do {
			len = gzread(gz, buf, sizeof(buf));
			if (len < 0 || XML_Parse(p, buf, len, len == 0) == XML_STATUS_ERROR) {
				fprintf(stderr, "floor: '%s': parse error\n", argv[i]);
				return 1;
			}
		} while (len > 0);
		XML_ParserFree(p);
		gzclose(gz);
	}
	printf("elements %lu\n", n);
	return 0;
}
