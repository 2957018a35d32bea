/* dnf's ini files as the client reads them: the input as a
 * yum.repos.d/*.repo file under a private root (hp_repo_conf_list). */
#include "fuzz_util.h"
#include "hp_repo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_repo_conf *confs = NULL;
	char *path = fuzz_write("root/etc/yum.repos.d/fuzz.repo", data, size);
	char *root = hp_path_join(fuzz_dir(), "root");
	size_t nr = 0;

	if (!hp_repo_conf_list(root, &confs, &nr, &err))
		hp_repo_conf_free(confs, nr);
	free(root);
	free(path);
	hp_strbuf_release(&err);
	return 0;
}
