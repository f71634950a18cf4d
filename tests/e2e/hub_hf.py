"""The official huggingface_hub client (pinned from PyPI by scripts/setup.sh) against llmops's
model hub tests, both ways round. HF_ENDPOINT and HF_HUB_CACHE come from the environment.

Usage: hub_hf.py download REPO FILE        huggingface_hub downloads from the (local) hub; prints the path
       hub_hf.py check REPO FILE SHA256     huggingface_hub accepts what llmops put in the cache
"""

import hashlib
import json
import os
import sys

from huggingface_hub import hf_hub_download, scan_cache_dir


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(repo, filename):
    path = hf_hub_download(repo, filename)
    print(json.dumps({"path": path, "sha256": sha256(path)}))


def check(repo, filename, expected):
    info = scan_cache_dir(os.environ["HF_HUB_CACHE"])
    assert not info.warnings, f"scan_cache_dir warnings: {info.warnings}"
    repos = {r.repo_id: r for r in info.repos}
    assert repo in repos, f"{repo} not in {sorted(repos)}"
    files = [f for revision in repos[repo].revisions for f in revision.files]
    names = [f.file_name for f in files]
    assert filename.split("/")[-1] in names, f"{filename} not in {names}"
    entry = next(f for f in files if f.file_name == filename.split("/")[-1])
    assert entry.size_on_disk > 0
    refs = sorted(ref for revision in repos[repo].revisions for ref in revision.refs)
    path = hf_hub_download(repo, filename, local_files_only=True)
    assert sha256(path) == expected, "the cached file's sha256"
    print(json.dumps({"path": path, "refs": refs, "blob": str(entry.blob_path), "size": entry.size_on_disk}))


if __name__ == "__main__":
    if sys.argv[1] == "download":
        download(sys.argv[2], sys.argv[3])
    else:
        check(sys.argv[2], sys.argv[3], sys.argv[4])
