package dev.llmrouter.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * A program the tests run as a user would (Debian's prometheus, promtool, chromium, jupyter-nbconvert): found on the PATH; where it is
 * missing the test is skipped with the command that installs it, or fails when {@code LLM_ROUTER_REQUIRE_TOOLS}
 * is set (CI installs them, so there a missing tool is an error, never a silent pass).
 */
public final class ExternalTool {
    private ExternalTool() {}

    public static Path require(String name, String install) {
        Optional<Path> found = Arrays.stream(
                        System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst();
        if (found.isEmpty()) {
            String message = name + " is not installed (" + install + "), so this test cannot run";
            if (System.getenv("LLM_ROUTER_REQUIRE_TOOLS") != null) {
                fail(message + "; LLM_ROUTER_REQUIRE_TOOLS is set");
            }
            Assumptions.abort(message);
        }
        return found.get();
    }

    /** Runs {@code command}, returns its output (stdout and stderr), fails the test on a non-zero exit. */
    public static String run(Path dir, String... command) throws Exception {
        return run(dir, java.util.Map.of(), command);
    }

    /** As {@link #run(Path, String...)}, with {@code env} added to the environment. */
    public static String run(Path dir, java.util.Map<String, String> env, String... command) throws Exception {
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        int code = process.waitFor();
        if (code != 0) {
            fail(String.join(" ", command) + " exited with " + code + ":\n" + output);
        }
        return output;
    }
}
