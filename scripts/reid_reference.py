#!/usr/bin/python3
"""The re-identification protocol in NumPy, written as torchreid's
`eval_market1501` computes it (its vectorised form: argsort each row, drop
same-identity-same-camera gallery entries, cumulative matches, average
precision), with one change: ties are broken by gallery order
(`argsort(kind="stable")`), as GIRD's `ReIDEvaluation` does. Writes the
fixture `ReIDEvaluationTests` reads:

    /usr/bin/python3 scripts/reid_reference.py Tests/GirdTrainTests/Fixtures/reid/cases.json

Cases: random distance matrices quantised to a few levels (many ties),
queries whose identity is missing from the gallery or present only on
their own camera (skipped), identities with a single gallery image, and
gallery images on the query's camera.
"""
import json
import sys

import numpy as np


def evaluate(distances, q_ids, q_cams, g_ids, g_cams, max_rank=10):
    order = np.argsort(distances, axis=1, kind="stable")
    matches = (g_ids[order] == q_ids[:, None]).astype(np.int32)
    all_cmc, all_ap = [], []
    for q in range(distances.shape[0]):
        keep = ~((g_ids[order[q]] == q_ids[q]) & (g_cams[order[q]] == q_cams[q]))
        raw = matches[q][keep]
        if not np.any(raw):
            continue
        cmc = raw.cumsum()
        cmc[cmc > 1] = 1
        all_cmc.append(cmc[:max_rank] if len(cmc) >= max_rank else np.concatenate([cmc, np.full(max_rank - len(cmc), cmc[-1])]))
        hits = raw.cumsum()
        precision = hits / (np.arange(len(raw)) + 1.0)
        all_ap.append((precision * raw).sum() / raw.sum())
    assert all_cmc, "no valid query"
    return float(np.mean(all_ap)), np.mean(np.asarray(all_cmc, dtype=np.float64), axis=0).tolist(), len(all_ap)


def case(rng, queries, gallery, identities, cameras, levels):
    g_ids = rng.integers(0, identities, size=gallery)
    g_cams = rng.integers(0, cameras, size=gallery)
    q_ids = rng.integers(0, identities + 3, size=queries)      # some identities are not in the gallery
    q_cams = rng.integers(0, cameras, size=queries)
    distances = rng.integers(0, levels, size=(queries, gallery)).astype(np.float32) / levels  # ties
    return distances, q_ids, q_cams, g_ids, g_cams


def main():
    rng = np.random.default_rng(7)
    cases = []
    for queries, gallery, identities, cameras, levels in [(12, 40, 10, 3, 5), (30, 200, 60, 4, 50), (25, 120, 60, 6, 1000),
                                                           (8, 9, 9, 2, 3)]:
        distances, q_ids, q_cams, g_ids, g_cams = case(rng, queries, gallery, identities, cameras, levels)
        m_ap, cmc, valid = evaluate(distances, q_ids, q_cams, g_ids, g_cams)
        cases.append({"distances": distances.flatten().tolist(), "query_ids": q_ids.tolist(), "query_cams": q_cams.tolist(),
                      "gallery_ids": g_ids.tolist(), "gallery_cams": g_cams.tolist(),
                      "map": m_ap, "cmc": cmc, "valid": valid})
    with open(sys.argv[1], "w") as f:
        json.dump({"made_by": "scripts/reid_reference.py", "cases": cases}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
