package dev.llmrouter.classify.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class EigenTest {
    @Test
    void theLeadingEigenvectorsOfAKnownMatrix() {
        // eigenvalues 3 (1, 1, 0)/sqrt 2, 2 (0, 0, 1), 1 (1, -1, 0)/sqrt 2
        double[][] m = {{2, 1, 0}, {1, 2, 0}, {0, 0, 2}};
        double[][] v = Eigen.leading(m, 2);
        double r = Math.sqrt(0.5);
        assertVector(new double[] {r, r, 0}, v[0]);
        assertVector(new double[] {0, 0, 1}, v[1]);
    }

    @Test
    void eachVectorSatisfiesTheEigenEquationOnARandomCovariance() {
        Random random = new Random(3);
        int d = 40;
        double[][] x = new double[200][d];
        for (double[] row : x) {
            for (int k = 0; k < d; k++) {
                row[k] = random.nextGaussian() * (k + 1);
            }
        }
        double[][] c = new double[d][d];
        for (double[] row : x) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    c[i][j] += row[i] * row[j];
                }
            }
        }
        double[][] v = Eigen.leading(c, 5);
        double previous = Double.MAX_VALUE;
        for (double[] e : v) {
            double[] ce = new double[d];
            double lambda = 0;
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    ce[i] += c[i][j] * e[j];
                }
                lambda += e[i] * ce[i];
            }
            for (int i = 0; i < d; i++) {
                assertEquals(lambda * e[i], ce[i], 1e-6 * lambda, "C v = lambda v");
            }
            assertEquals(1, norm(e), 1e-9);
            assertEquals(true, lambda <= previous, "largest first");
            previous = lambda;
        }
        assertThrows(IllegalArgumentException.class, () -> Eigen.leading(c, 0));
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    private static void assertVector(double[] expected, double[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-9);
        }
    }
}
