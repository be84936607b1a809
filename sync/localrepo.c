/*
 * localrepo.c: an office's local repository opened together with its database, below every
 * verb that reads or writes it.  The database is the truth: after a crash between the database
 * COMMIT and the branch update, the branch is moved to the change-set the database recorded.
 */
#include <stdlib.h>
#include <string.h>

#include "repo.h"

char *sk_local_branch(const struct sk_db *db)
{
	return sk_repo_branch_of(db->is_city, db->code);
}

int sk_local_open(struct sk_db *db, struct sk_repo **out)
{
	char *path = sk_repo_path_for_db(db->path), *tip = NULL, *branch = sk_local_branch(db), cur[41];
	struct sk_repo *repo = NULL;
	int rc;

	if ((rc = sk_repo_open(&repo, path, 1)) < 0)
		goto done;
	tip = sk_state_text(db, "tip");
	rc = sk_repo_ref(repo, branch, cur);
	if (rc < 0 && rc != SK_ENOTFOUND)
		goto done;
	if (tip && (rc == SK_ENOTFOUND || strcmp(cur, tip))) {
		if ((rc = sk_repo_set_ref(repo, branch, tip)) < 0) {
			sk_error_set("cannot move the branch of the local repository '%s' to change-set %s that the "
				     "database recorded: %s", path, tip, sk_error_last());
			goto done;
		}
	}
	rc = 0;
	*out = repo;
	repo = NULL;
done:
	sk_repo_free(repo);
	free(path);
	free(tip);
	free(branch);
	return rc;
}
