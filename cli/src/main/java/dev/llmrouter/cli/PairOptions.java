package dev.llmrouter.cli;

import picocli.CommandLine.Option;

/** The two models a replay compares: {@code eval}, {@code crossval} and {@code calibrate} share them. */
final class PairOptions {
    @Option(names = "--cheap", required = true, paramLabel = "MODEL", description = "The cheap tier's model.")
    String cheap;

    @Option(names = "--strong", required = true, paramLabel = "MODEL", description = "The strong tier's model.")
    String strong;
}
