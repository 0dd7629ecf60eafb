package dev.llmrouter.evalsets;

import dev.llmrouter.features.FeatureExtractor;
import dev.llmrouter.features.FeatureSpec;
import dev.llmrouter.features.SparseVector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The k-nearest-neighbour router that routing studies find as good as most learned routers: a request's
 * expected gain from the strong model is the similarity-weighted mean gain (strong score minus cheap score)
 * of its {@code k} most similar requests (cosine over TF-IDF-weighted hashed words). Cross-fitted: each
 * record's neighbours come only from the other folds of the set (by prompt hash), so it never sees its own
 * outcome, but unlike the router it learns from this set's own labels: an in-distribution reference.
 */
final class KnnBaseline {
    static final int K = 20;
    static final int FOLDS = 5;

    private KnnBaseline() {}

    /** The kNN score of each record, in order; records' outcomes give the gains. */
    static double[] scores(List<LabelledRecord> records, List<PairOutcome> items, long seed) {
        int n = records.size();
        FeatureExtractor extractor = new FeatureExtractor(FeatureSpec.DEFAULT);
        FeatureSpec spec = extractor.spec();
        List<SparseVector> vectors = records.parallelStream()
                .map(r -> extractor.extract(Replay.request(r)))
                .toList();
        Map<Integer, Integer> df = new HashMap<>();
        for (SparseVector v : vectors) {
            for (int index : v.indices()) {
                if (!spec.dense(index)) {
                    df.merge(index, 1, Integer::sum);
                }
            }
        }
        // TF-IDF rows, L2-normalised; words in more than a tenth of the prompts say little and cost the most
        int common = Math.max(10, n / 10);
        int[][] cols = new int[n][];
        float[][] vals = new float[n][];
        Map<Integer, List<int[]>> postingsBuild = new HashMap<>();
        for (int i = 0; i < n; i++) {
            SparseVector v = vectors.get(i);
            List<Integer> c = new ArrayList<>();
            List<Float> w = new ArrayList<>();
            double norm = 0;
            for (int k = 0; k < v.size(); k++) {
                int index = v.indices()[k];
                Integer d = df.get(index);
                if (d == null || d > common) {
                    continue;
                }
                float weight = (float) (v.values()[k] * Math.log((double) n / d));
                c.add(index);
                w.add(weight);
                norm += weight * weight;
            }
            cols[i] = c.stream().mapToInt(Integer::intValue).toArray();
            vals[i] = new float[w.size()];
            for (int k = 0; k < w.size(); k++) {
                vals[i][k] = (float) (w.get(k) / Math.sqrt(Math.max(norm, 1e-12)));
                postingsBuild
                        .computeIfAbsent(cols[i][k], x -> new ArrayList<>())
                        .add(new int[] {i, k});
            }
        }
        Splits splits = new Splits(seed, 0.5);
        int[] fold = new int[n];
        for (int i = 0; i < n; i++) {
            fold[i] = splits.foldOf(records.get(i), FOLDS);
        }
        double[] out = new double[n];
        java.util.stream.IntStream.range(0, n).parallel().forEach(i -> {
            float[] sims = new float[n];
            List<Integer> touched = new ArrayList<>();
            for (int k = 0; k < cols[i].length; k++) {
                for (int[] posting : postingsBuild.get(cols[i][k])) {
                    int j = posting[0];
                    if (fold[j] == fold[i]) {
                        continue;
                    }
                    if (sims[j] == 0) {
                        touched.add(j);
                    }
                    sims[j] += vals[i][k] * vals[j][posting[1]];
                }
            }
            PriorityQueue<Integer> best = new PriorityQueue<>(
                    (a, b) -> sims[a] != sims[b] ? Float.compare(sims[a], sims[b]) : Integer.compare(b, a));
            for (int j : touched) {
                best.add(j);
                if (best.size() > K) {
                    best.poll();
                }
            }
            double weighted = 0;
            double total = 0;
            for (int j : best) {
                PairOutcome p = items.get(j);
                weighted += sims[j] * (p.strongScore() - p.cheapScore());
                total += sims[j];
            }
            out[i] = total > 0 ? weighted / total : 0;
        });
        return out;
    }
}
