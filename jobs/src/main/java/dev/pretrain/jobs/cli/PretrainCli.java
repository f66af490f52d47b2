package dev.pretrain.jobs.cli;

import dev.pretrain.model.natives.Nd4jNatives;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code pretrain} command line: one subcommand per pipeline stage, plus {@code pipeline}.
 * Run it with {@code bin/pretrain} (Spark local mode) or {@code spark-submit --class
 * dev.pretrain.jobs.cli.PretrainCli jobs-*-all.jar <stage> ...} on a cluster.
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true, version = "pretrain 0.1.0",
        description = "Pretraining language representations on Spark: corpus ingestion, WordPiece, "
                + "training examples, SGNS word vectors and BERT encoders.",
        subcommands = {
                IngestCommand.class, IngestIncrementalCommand.class, VocabCommand.class, TokenizeCommand.class, ExamplesCommand.class,
                TrainWord2VecCommand.class, TrainBertCommand.class, FineTuneCommand.class, EvaluateCommand.class, ExportCommand.class,
                PipelineCommand.class, CommandLine.HelpCommand.class})
public final class PretrainCli implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        // The ND4J native build of this (driver) JVM, before anything loads ND4J; executors: Nd4jNativePlugin.
        try {
            Nd4jNatives.select();
        } catch (IllegalStateException e) {
            System.err.println("pretrain: error: " + e.getMessage());
            System.exit(2);
        }
        int code = execute(args);
        System.exit(code);
    }

    /** Runs the command line and returns its exit code (errors print one clear line to stderr). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new PretrainCli());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            Throwable root = ex;
            commandLine.getErr().println("pretrain " + commandLine.getCommandName() + ": error: " + message(ex));
            if (System.getenv("PRETRAIN_DEBUG") != null) {
                root.printStackTrace(commandLine.getErr());
            }
            return 2;
        });
        return cl.execute(args);
    }

    private static String message(Throwable t) {
        StringBuilder sb = new StringBuilder(String.valueOf(t.getMessage()));
        Throwable c = t.getCause();
        while (c != null && c != t) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
                sb.append(": ").append(c.getMessage());
            }
            t = c;
            c = c.getCause();
        }
        return sb.toString();
    }
}
