package dev.llmrouter.classify.onnx;

import ai.djl.util.Utils;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.Locale;
import java.util.jar.JarEntry;

/**
 * ONNX Runtime's native libraries, unpacked once into DJL's cache directory ({@code ~/.djl.ai}, or
 * {@code DJL_CACHE_DIR}) and loaded from there. Left to itself, ONNX Runtime inflates its 20 MB library out
 * of its jar into a new temporary directory on every start (about 80 ms of the server's start on the
 * reference machine) and leaves the empty directory behind. The cache is keyed by the libraries' CRCs, so
 * another ONNX Runtime version unpacks beside it. A user who sets {@code onnxruntime.native.path} keeps that
 * choice; where the libraries cannot be found or written, ONNX Runtime unpacks them itself as before.
 */
final class OnnxNatives {
    private static final System.Logger LOG = System.getLogger(OnnxNatives.class.getName());
    private static final String PROPERTY = "onnxruntime.native.path";
    private static boolean prepared;

    private OnnxNatives() {}

    /** Points ONNX Runtime at the unpacked libraries; call before its first use. */
    static synchronized void prepare() {
        if (prepared) {
            return;
        }
        prepared = true;
        if (System.getProperty(PROPERTY) == null) {
            unpack();
        }
    }

    private static void unpack() {
        String platform = platform();
        String[] names = {System.mapLibraryName("onnxruntime"), System.mapLibraryName("onnxruntime4j_jni")};
        try {
            JarEntry[] entries = new JarEntry[names.length];
            URL[] urls = new URL[names.length];
            long crc = 0;
            for (int i = 0; i < names.length; i++) {
                urls[i] = OnnxNatives.class
                        .getClassLoader()
                        .getResource("ai/onnxruntime/native/" + platform + "/" + names[i]);
                if (urls[i] == null || !(urls[i].openConnection() instanceof JarURLConnection jar)) {
                    return; // not packaged for this platform, or not in a jar: ONNX Runtime's own search
                }
                entries[i] = jar.getJarEntry();
                crc = crc * 31 + entries[i].getCrc();
            }
            Path dir = Utils.getCacheDir()
                    .resolve("onnxruntime")
                    .resolve(platform + "-" + HexFormat.of().toHexDigits(crc));
            Files.createDirectories(dir);
            for (int i = 0; i < names.length; i++) {
                Path file = dir.resolve(names[i]);
                if (!Files.isRegularFile(file) || Files.size(file) != entries[i].getSize()) {
                    copy(urls[i], file);
                }
            }
            System.setProperty(PROPERTY, dir.toString());
        } catch (IOException | RuntimeException e) {
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "cannot cache ONNX Runtime's native libraries (" + e + "); it unpacks them itself");
        }
    }

    /** Writes beside the target and moves it in, so a concurrent start never loads a half-written library. */
    private static void copy(URL source, Path target) throws IOException {
        Path part =
                Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
        try (InputStream in = source.openStream()) {
            Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /** ONNX Runtime's name for this platform's folder in its jar, e.g. {@code linux-x64}. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osPart = os.contains("mac") || os.contains("darwin") ? "osx" : os.contains("win") ? "win" : "linux";
        String archPart =
                arch.equals("amd64") || arch.equals("x86_64") ? "x64" : arch.equals("arm64") ? "aarch64" : arch;
        return osPart + "-" + archPart;
    }
}
