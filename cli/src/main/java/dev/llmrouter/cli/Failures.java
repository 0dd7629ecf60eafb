package dev.llmrouter.cli;

import dev.llmrouter.config.InvalidConfigException;
import picocli.CommandLine;

/** Turns the errors a user can meet into a message and an exit code, without a stack trace. */
final class Failures implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        if (e instanceof InvalidConfigException invalid) {
            cli.getErr().println(invalid.getMessage());
            return Main.REFUSED;
        }
        if (e instanceof IllegalArgumentException) {
            cli.getErr().println("error: " + e.getMessage());
            return Main.REFUSED;
        }
        cli.getErr().println("error: " + e);
        return Main.FAILED;
    }
}
