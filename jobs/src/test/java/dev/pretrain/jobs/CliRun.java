package dev.pretrain.jobs;

import dev.pretrain.jobs.cli.PretrainCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the CLI in-process, capturing what it prints on stderr (tests of exit codes and error lines). */
public final class CliRun {
    /** The exit code and the stderr text of one command. */
    public record Result(int code, String stderr) {}

    private CliRun() {}

    public static synchronized Result run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = PretrainCli.execute(args);
        } finally {
            System.setErr(old);
        }
        return new Result(code, buf.toString(StandardCharsets.UTF_8));
    }
}
