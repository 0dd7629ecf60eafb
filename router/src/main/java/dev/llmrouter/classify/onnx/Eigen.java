package dev.llmrouter.classify.onnx;

/** Eigenvectors of a small symmetric matrix by cyclic Jacobi rotations: exact, deterministic, O(d^3) a sweep. */
final class Eigen {
    private static final int MAX_SWEEPS = 100;

    private Eigen() {}

    /**
     * The {@code m} unit eigenvectors of the symmetric {@code matrix} with the largest eigenvalues, largest
     * first, each signed so that its component of largest magnitude is positive.
     */
    static double[][] leading(double[][] matrix, int m) {
        int d = matrix.length;
        if (m < 1 || m > d) {
            throw new IllegalArgumentException("1 to " + d + " eigenvectors can be asked for, not " + m);
        }
        double[][] a = new double[d][];
        double[][] v = new double[d][d];
        for (int i = 0; i < d; i++) {
            if (matrix[i].length != d) {
                throw new IllegalArgumentException("the matrix is not square");
            }
            a[i] = matrix[i].clone();
            v[i][i] = 1;
        }
        for (int sweep = 0; sweep < MAX_SWEEPS && offDiagonal(a) > 1e-24 * diagonal(a); sweep++) {
            for (int p = 0; p < d - 1; p++) {
                for (int q = p + 1; q < d; q++) {
                    if (a[p][q] != 0) {
                        rotate(a, v, p, q);
                    }
                }
            }
        }
        Integer[] order = new Integer[d];
        for (int i = 0; i < d; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(a[y][y], a[x][x]));
        double[][] out = new double[m][d];
        for (int r = 0; r < m; r++) {
            int column = order[r];
            int largest = 0;
            for (int k = 0; k < d; k++) {
                out[r][k] = v[k][column];
                if (Math.abs(out[r][k]) > Math.abs(out[r][largest])) {
                    largest = k;
                }
            }
            if (out[r][largest] < 0) {
                for (int k = 0; k < d; k++) {
                    out[r][k] = -out[r][k];
                }
            }
        }
        return out;
    }

    /** Zeroes a[p][q] with the rotation of rows and columns p and q; the same rotation of v's columns. */
    private static void rotate(double[][] a, double[][] v, int p, int q) {
        double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        double t = Math.signum(theta == 0 ? 1 : theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        int d = a.length;
        for (int k = 0; k < d; k++) {
            double kp = a[k][p];
            double kq = a[k][q];
            a[k][p] = c * kp - s * kq;
            a[k][q] = s * kp + c * kq;
        }
        for (int k = 0; k < d; k++) {
            double pk = a[p][k];
            double qk = a[q][k];
            a[p][k] = c * pk - s * qk;
            a[q][k] = s * pk + c * qk;
        }
        for (int k = 0; k < d; k++) {
            double kp = v[k][p];
            double kq = v[k][q];
            v[k][p] = c * kp - s * kq;
            v[k][q] = s * kp + c * kq;
        }
    }

    private static double offDiagonal(double[][] a) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a.length; j++) {
                sum += i == j ? 0 : a[i][j] * a[i][j];
            }
        }
        return sum;
    }

    private static double diagonal(double[][] a) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i][i] * a[i][i];
        }
        return sum;
    }
}
