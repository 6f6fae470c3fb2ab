"""datatrove's MinHash deduplication on one JSONL corpus, run by dedup_run.py in WORK/venv-dt.

    python datatrove_job.py CORPUS.jsonl WORK_DIR KEPT_AS_OUT

Its four stages as its examples/minhash_deduplication.py runs them, on a local executor:
signatures (word 5-grams of its English word tokenizer, 16 buckets x 8 hashes = 128, 64-bit
hashes), buckets (16 tasks on 2 workers), clusters (union-find of the bucket matches, no Jaccard
check), filter (with cluster ids kept in the metadata). The corpus is one file, so the
signature and filter stages are one task each, as they would be for a one-file dataset.
KEPT_AS_OUT gets one line per document, the line number of the document kept in its place
(its own when kept): datatrove keeps one document of each cluster, the union-find root.
"""

import json
import os
import sys


def main():
    corpus, work, out = sys.argv[1:4]
    from datatrove.executor.local import LocalPipelineExecutor
    from datatrove.pipeline.dedup import MinhashDedupSignature
    from datatrove.pipeline.dedup.minhash import (MinhashConfig, MinhashDedupBuckets,
                                                  MinhashDedupCluster, MinhashDedupFilter)
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers.jsonl import JsonlWriter

    config = MinhashConfig(n_grams=5, num_buckets=16, hashes_per_bucket=8)
    folder, name = os.path.dirname(os.path.abspath(corpus)), os.path.basename(corpus)

    def reader():
        return JsonlReader(folder, glob_pattern=name, id_key="id", text_key="text")

    sigs, buckets, clusters = (os.path.join(work, d) for d in ("sigs", "buckets", "clusters"))
    LocalPipelineExecutor(pipeline=[reader(), MinhashDedupSignature(output_folder=sigs,
                                                                    config=config)],
                          tasks=1, logging_dir=os.path.join(work, "logs1")).run()
    LocalPipelineExecutor(pipeline=[MinhashDedupBuckets(input_folder=sigs, output_folder=buckets,
                                                        config=config)],
                          tasks=config.num_buckets, workers=2,
                          logging_dir=os.path.join(work, "logs2")).run()
    LocalPipelineExecutor(pipeline=[MinhashDedupCluster(input_folder=buckets,
                                                        output_folder=clusters, config=config,
                                                        save_cluster_id=True)],
                          tasks=1, logging_dir=os.path.join(work, "logs3")).run()
    LocalPipelineExecutor(pipeline=[reader(),
                                    MinhashDedupFilter(input_folder=clusters,
                                                       load_cluster_ids=True,
                                                       exclusion_writer=JsonlWriter(
                                                           os.path.join(work, "removed"),
                                                           compression=None)),
                                    JsonlWriter(os.path.join(work, "kept"), compression=None)],
                          tasks=1, logging_dir=os.path.join(work, "logs4")).run()

    # Each document's cluster from the metadata; the kept member of a cluster is its
    # representative.
    with open(corpus, encoding="utf-8") as f:
        index = {str(json.loads(line)["id"]): i for i, line in enumerate(f)}
    kept_as = list(range(len(index)))
    members, kept_of = {}, {}
    for sub, kept in (("kept", True), ("removed", False)):
        d = os.path.join(work, sub)
        for fname in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            with open(os.path.join(d, fname), encoding="utf-8") as f:
                for line in f:
                    o = json.loads(line)
                    c = o.get("metadata", {}).get("minhash_cluster_id", -1)
                    if c == -1:
                        continue
                    i = index[str(o["id"])]
                    members.setdefault(c, []).append(i)
                    if kept:
                        kept_of[c] = i
    for c, docs in members.items():
        for i in docs:
            kept_as[i] = kept_of.get(c, i)
    with open(out, "w") as f:
        f.writelines(f"{k}\n" for k in kept_as)


if __name__ == "__main__":
    main()
