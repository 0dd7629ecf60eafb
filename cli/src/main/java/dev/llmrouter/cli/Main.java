package dev.llmrouter.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code llm-router} command line. Subcommands grow with the modules. */
@Command(
        name = "llm-router",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "A learned LLM router: one OpenAI-compatible endpoint in front of many models.")
public final class Main implements Runnable {
    /**
     * The subcommands, in the order help lists them. A command line that names one builds only that one:
     * picocli reads every option's annotations when it builds a command, a sizeable share of a start.
     */
    private static final List<Class<?>> COMMANDS = List.of(
            PolicyCommand.class,
            CatalogCommand.class,
            RouteCommand.class,
            EvalCommand.class,
            TrainCommand.class,
            RetrainCommand.class,
            ReplayCommand.class,
            CrossValidateCommand.class,
            IntentsCommand.class,
            CalibrateCommand.class,
            ServeCommand.class,
            SimulateUpstreamCommand.class,
            MonitoringCommand.class,
            StatsCommand.class,
            CommandLine.HelpCommand.class);

    /** Exit code of a refused policy or catalog, or of wrong usage. */
    static final int REFUSED = 2;

    /** Exit code of a request the router could not serve. */
    static final int FAILED = 1;

    /** DJL's own notices (no CUDA on a CPU machine, no ONNX extensions) are noise here; ours say what matters. */
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("ai.djl");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // DJL must never phone home: offline before its first use (the launcher also sets OPT_OUT_TRACKING)
        System.setProperty("ai.djl.offline", "true");
        QUIET.setLevel(java.util.logging.Level.SEVERE);
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        System.exit(run(out, err, args));
    }

    /** Runs a command line with the given output streams and returns its exit code; tests call this. */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        // `help COMMAND` needs them all
        List<Class<?>> named = COMMANDS.stream()
                .filter(c -> c != CommandLine.HelpCommand.class)
                .filter(c ->
                        args.length > 0 && c.getAnnotation(Command.class).name().equals(args[0]))
                .toList();
        (named.isEmpty() ? COMMANDS : named).forEach(cli::addSubcommand);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler(new Failures());
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("error: " + e.getMessage());
            e.getCommandLine()
                    .getErr()
                    .println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            return REFUSED;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"llm-router " + (version == null ? "(development build)" : version)};
        }
    }
}
