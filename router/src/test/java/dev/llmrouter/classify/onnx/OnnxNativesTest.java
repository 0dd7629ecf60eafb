package dev.llmrouter.classify.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.JarURLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** ONNX Runtime loads its native libraries from the unpacked copy, not from a new temporary directory. */
class OnnxNativesTest {
    @Test
    void theLibrariesAreUnpackedOnceAndOnnxRuntimeIsPointedAtThem() throws Exception {
        String platform = OnnxNatives.platform();
        for (String library : new String[] {"onnxruntime", "onnxruntime4j_jni"}) {
            // a renamed folder in a later ONNX Runtime jar would silently bring back the unpacking on every start
            assertNotNull(
                    getClass()
                            .getClassLoader()
                            .getResource("ai/onnxruntime/native/" + platform + "/" + System.mapLibraryName(library)),
                    library + " for " + platform + " in ONNX Runtime's jar");
        }
        OnnxNatives.prepare();
        String path = System.getProperty("onnxruntime.native.path");
        assertNotNull(path, "onnxruntime.native.path is set");
        for (String library : new String[] {"onnxruntime", "onnxruntime4j_jni"}) {
            String name = System.mapLibraryName(library);
            Path file = Path.of(path, name);
            assertTrue(Files.isRegularFile(file), file + " is unpacked");
            JarURLConnection jar = (JarURLConnection) getClass()
                    .getClassLoader()
                    .getResource("ai/onnxruntime/native/" + platform + "/" + name)
                    .openConnection();
            assertEquals(jar.getJarEntry().getSize(), Files.size(file), file + " is whole");
        }
        // and it runs: a model loads and predicts from the unpacked libraries
        assertEquals(
                384,
                SentenceEncoder.shared(SentenceEncoderTest.encoder("minilm"), Device.CPU)
                        .encode("hello")
                        .length);
    }
}
