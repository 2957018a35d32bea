/* An exec engine file of engines.d (NAME.conf) as hp_engine_get reads and
 * parses it. Run as root (the file must be root's, as in production). */
#include "fuzz_util.h"
#include "hp_engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_engine_config cfg;
	char *path = fuzz_write("engines.d/fz.conf", data, size);
	char *dir = hp_path_join(fuzz_dir(), "engines.d");
	struct hp_engine *e;

	memset(&cfg, 0, sizeof(cfg));
	cfg.exec_conf_dir = dir;
	cfg.root_dir = "/";
	e = hp_engine_get("fz", &cfg, &err);
	hp_engine_free(e);
	free(dir);
	free(path);
	hp_strbuf_release(&err);
	return 0;
}
