package dev.pretrain.jobs.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on the loopback interface, every daemon its own JVM started from a
 * {@code SPARK_HOME} whose {@code jars/} holds Spark's jars: one Master and {@code n} Workers
 * ({@code org.apache.spark.deploy.master.Master}, {@code org.apache.spark.deploy.worker.Worker}), as
 * {@code sbin/start-master.sh} and {@code start-worker.sh} would start them, without the scripts.
 * Executors are started by the Workers (children of their JVMs).
 *
 * <p>{@link #close()} ends every JVM this object started, Workers' executors included (SIGTERM, then
 * SIGKILL after a grace period); a JVM shutdown hook does the same if the test JVM is stopped first.
 * Only 127.0.0.1 is used: {@code SPARK_LOCAL_IP} and {@code --host} for every daemon.
 */
final class LocalStandaloneCluster implements AutoCloseable {
    static final String LOOPBACK = "127.0.0.1";

    private final Path sparkHome;
    private final Path logs;
    private final List<Process> processes = new ArrayList<>();
    private final List<Process> workerJvms = new ArrayList<>();
    private final Map<Integer, Map<String, String>> workerEnv = new java.util.HashMap<>();
    private final List<ProcessHandle> ended = new ArrayList<>();
    private final Thread hook = new Thread(this::killAll, "kill-local-spark-cluster");
    private final int masterPort;
    private Path masterLog;

    /**
     * @param sparkHome a folder with {@code jars/} (Spark and its dependencies) and {@code conf/}
     * @param logs      where each daemon's stdout+stderr go ({@code master.log}, {@code worker-N.log})
     */
    LocalStandaloneCluster(Path sparkHome, Path logs) throws IOException {
        this.sparkHome = sparkHome.toAbsolutePath();
        this.logs = Files.createDirectories(logs.toAbsolutePath());
        if (!Files.isDirectory(this.sparkHome.resolve("jars"))) {
            throw new IllegalStateException("no Spark jars in " + this.sparkHome.resolve("jars")
                    + ": build with mvn -Pcluster package");
        }
        this.masterPort = freePort();
        Runtime.getRuntime().addShutdownHook(hook);
    }

    String masterUrl() {
        return "spark://" + LOOPBACK + ":" + masterPort;
    }

    /** The environment every cluster JVM gets: SPARK_HOME, loopback only, one ND4J thread per task. */
    Map<String, String> environment(Map<String, String> env) {
        env.put("SPARK_HOME", sparkHome.toString());
        env.put("SPARK_CONF_DIR", sparkHome.resolve("conf").toString());
        env.put("SPARK_SCALA_VERSION", "2.12");
        env.put("SPARK_LOCAL_IP", LOOPBACK);
        env.put("SPARK_LOCAL_HOSTNAME", "localhost");
        env.put("OMP_NUM_THREADS", "1");
        env.remove("SPARK_MASTER");
        env.remove("SPARK_CLASSPATH");
        env.remove("SPARK_DIST_CLASSPATH");
        return env;
    }

    /** The classpath of a Spark distribution: conf/ then jars/*. */
    String sparkClasspath() {
        return sparkHome.resolve("conf") + "/:" + sparkHome.resolve("jars") + "/*";
    }

    /**
     * Extra environment for Worker {@code w} (1-based) and so for its executors, which inherit the Worker's environment:
     * e.g. {@code PRETRAIN_ND4J_BUILD=generic} makes that machine look like one without AVX2/AVX-512. Call before
     * {@link #start}.
     */
    void workerEnvironment(int w, Map<String, String> env) {
        workerEnv.put(w, Map.copyOf(env));
    }

    /** Starts the Master and {@code workers} Workers and waits until every Worker has registered. */
    void start(int workers, int coresPerWorker, String memoryPerWorker, Path workDir, String daemonJvmOptions,
               long timeoutSeconds) throws IOException, InterruptedException {
        masterLog = logs.resolve("master.log");
        // the daemons log what they do (registrations, executor launches); executors keep conf/log4j2
        Path daemonLog4j = logs.resolve("daemon-log4j2.properties");
        Files.writeString(daemonLog4j, String.join("\n",
                "# Log4j 2 for the test cluster's Master and Workers: Spark's deploy messages at INFO.",
                "rootLogger.level = warn", "rootLogger.appenderRef.stdout.ref = console",
                "appender.console.type = Console", "appender.console.name = console",
                "appender.console.target = SYSTEM_ERR", "appender.console.layout.type = PatternLayout",
                "appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n",
                "logger.deploy.name = org.apache.spark.deploy", "logger.deploy.level = info", ""));
        daemonJvmOptions = daemonJvmOptions + " -Dlog4j2.configurationFile=" + daemonLog4j.toUri();
        launch(masterLog, daemonJvmOptions, "org.apache.spark.deploy.master.Master",
                "--host", LOOPBACK, "--port", String.valueOf(masterPort), "--webui-port", "0");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!listening(masterPort)) {
            checkAlive(deadline, "the Master did not listen on " + masterUrl());
        }
        for (int w = 1; w <= workers; w++) {
            Path dir = Files.createDirectories(workDir.resolve("worker-" + w).toAbsolutePath());
            workerJvms.add(launch(logs.resolve("worker-" + w + ".log"), workerEnv.getOrDefault(w, Map.of()), daemonJvmOptions,
                    "org.apache.spark.deploy.worker.Worker",
                    "--host", LOOPBACK, "--port", "0", "--webui-port", "0", "--cores", String.valueOf(coresPerWorker),
                    "--memory", memoryPerWorker, "--work-dir", dir.toString(), masterUrl()));
        }
        while (registeredWorkers() < workers) {
            checkAlive(deadline, "only " + registeredWorkers() + " of " + workers + " Workers registered with "
                    + masterUrl() + " (see " + masterLog + ")");
        }
    }

    /** Starts a JVM with Spark's classpath and the cluster environment; stdout+stderr to {@code log}. */
    Process launch(Path log, String jvmOptions, String mainClass, String... args) throws IOException {
        return launch(log, Map.of(), jvmOptions, mainClass, args);
    }

    /** As {@link #launch(Path, String, String, String...)}, with {@code extraEnv} added to the environment. */
    Process launch(Path log, Map<String, String> extraEnv, String jvmOptions, String mainClass, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String o : jvmOptions.trim().split("\\s+")) {
            if (!o.isEmpty()) {
                cmd.add(o);
            }
        }
        cmd.add("-cp");
        cmd.add(sparkClasspath());
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(log.toFile()).directory(logs.toFile());
        environment(pb.environment());
        pb.environment().putAll(extraEnv);
        Files.writeString(log.resolveSibling(log.getFileName() + ".cmd"), String.join(" ", cmd) + "\n");
        Process p = pb.start();
        synchronized (processes) {
            processes.add(p);
        }
        return p;
    }

    /**
     * The live executor JVMs of this cluster: descendants of the Workers this object started whose command line runs
     * {@code CoarseGrainedExecutorBackend} (so never an executor of another cluster on the same machine), by PID.
     */
    List<ProcessHandle> executors() {
        List<ProcessHandle> out = new ArrayList<>();
        synchronized (processes) {
            for (Process w : workerJvms) {
                w.toHandle().descendants()
                        .filter(h -> h.isAlive() && h.info().commandLine().orElse("")
                                .contains("org.apache.spark.executor.CoarseGrainedExecutorBackend"))
                        .forEach(out::add);
            }
        }
        out.sort(java.util.Comparator.comparingLong(ProcessHandle::pid));
        return out;
    }

    /** Number of "Registering worker" lines in the Master's log. */
    int registeredWorkers() throws IOException {
        if (masterLog == null || !Files.exists(masterLog)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(masterLog, StandardCharsets.UTF_8)) {
            return (int) lines.filter(l -> l.contains("Registering worker")).count();
        }
    }

    private void checkAlive(long deadline, String timeoutMessage) throws InterruptedException {
        synchronized (processes) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("a cluster JVM exited early with " + p.exitValue()
                            + " (logs in " + logs + ")");
                }
            }
        }
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException(timeoutMessage);
        }
        Thread.sleep(250);
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName(LOOPBACK), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return s.getLocalPort();
        }
    }

    /** Ends every JVM started here and their children (executors): SIGTERM, then SIGKILL after 10 s. */
    private void killAll() {
        List<ProcessHandle> all = new ArrayList<>();
        synchronized (processes) {
            for (Process p : processes) {
                // children first: executors of a Worker, so none is left when its Worker is gone
                p.toHandle().descendants().forEach(all::add);
                all.add(p.toHandle());
            }
        }
        synchronized (ended) {
            ended.addAll(all);
        }
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle h : all) {
            long left = Math.max(0, deadline - System.nanoTime());
            try {
                h.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
    }

    /** PIDs of the JVMs that {@link #close()} ended (Workers' executors included) and that are still alive. */
    List<Long> survivors() {
        synchronized (ended) {
            return ended.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList();
        }
    }

    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }
}
