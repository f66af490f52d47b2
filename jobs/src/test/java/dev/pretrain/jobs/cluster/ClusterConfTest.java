package dev.pretrain.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.spark.internal.config.ConfigEntry;
import org.apache.spark.network.util.JavaUtils;
import org.deeplearning4j.spark.time.TimeSourceProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.pretrain.jobs.pipeline.PipelineConfig;

/**
 * Validates {@code cluster-conf/}: every key of every {@code spark-defaults*.conf} and every
 * {@code --conf key=value} of the submit scripts is a configuration key Spark knows, every JavaCPP /
 * DL4J system property in the extra Java options is spelled as the library reads it, class names
 * load, memory settings are consistent (heap + ND4J off-heap fit in the executor's container), YAML
 * files parse, and each file starts with a comment saying what it is for.
 *
 * <p>Spark keys are looked up in Spark's own registry ({@code ConfigEntry.findEntry}, filled when
 * the objects declaring the entries load: {@code org.apache.spark.internal.config.*},
 * {@code SQLConf}, {@code StaticSQLConf}). Keys of modules not on this classpath (YARN,
 * Kubernetes) and Spark's documented key patterns (resources, environment prefixes) are in
 * {@link #DOCUMENTED_ELSEWHERE} and {@link #DOCUMENTED_PATTERNS}, each taken from Spark 3.5's
 * documentation (configuration.html, running-on-yarn.html, running-on-kubernetes.html).
 */
class ClusterConfTest {
    static final Path DIR = Path.of(System.getProperty("pretrain.cluster.conf", "../cluster-conf")).toAbsolutePath();

    /** Keys registered by Spark's YARN and Kubernetes modules (not on this classpath), from Spark's docs. */
    static final Set<String> DOCUMENTED_ELSEWHERE = Set.of(
            // running-on-kubernetes.html
            "spark.kubernetes.container.image", "spark.kubernetes.namespace",
            "spark.kubernetes.authenticate.driver.serviceAccountName", "spark.kubernetes.container.image.pullPolicy",
            "spark.kubernetes.driver.podTemplateFile", "spark.kubernetes.executor.podTemplateFile",
            "spark.kubernetes.executor.request.cores", "spark.kubernetes.driver.request.cores",
            "spark.kubernetes.file.upload.path", "spark.kubernetes.executor.deleteOnTermination",
            // running-on-yarn.html
            "spark.yarn.queue", "spark.yarn.am.memory", "spark.yarn.am.cores", "spark.yarn.maxAppAttempts",
            "spark.yarn.archive", "spark.yarn.jars", "spark.yarn.dist.files");

    /** Key families Spark documents with a placeholder ({@code {resourceName}}, {@code [EnvironmentVariableName]}). */
    static final List<Pattern> DOCUMENTED_PATTERNS = List.of(
            // configuration.html "Custom Resource Scheduling and Configuration"
            Pattern.compile("spark\\.(driver|executor|worker)\\.resource\\.[a-z0-9]+\\.(amount|discoveryScript|vendor)"),
            Pattern.compile("spark\\.task\\.resource\\.[a-z0-9]+\\.amount"),
            // configuration.html "Environment Variables", running-on-yarn.html, running-on-kubernetes.html
            Pattern.compile("spark\\.executorEnv\\.[A-Za-z_][A-Za-z0-9_]*"),
            Pattern.compile("spark\\.yarn\\.appMasterEnv\\.[A-Za-z_][A-Za-z0-9_]*"),
            Pattern.compile("spark\\.kubernetes\\.driverEnv\\.[A-Za-z_][A-Za-z0-9_]*"));

    /** Objects whose initialisation registers Spark's config entries. */
    static final List<String> SPARK_CONFIG_OBJECTS = List.of(
            "org.apache.spark.internal.config.package$", "org.apache.spark.internal.config.Deploy$",
            "org.apache.spark.internal.config.History$", "org.apache.spark.internal.config.Kryo$",
            "org.apache.spark.internal.config.Network$", "org.apache.spark.internal.config.Python$",
            "org.apache.spark.internal.config.R$", "org.apache.spark.internal.config.Status$",
            "org.apache.spark.internal.config.Streaming$", "org.apache.spark.internal.config.Tests$",
            "org.apache.spark.internal.config.UI$", "org.apache.spark.internal.config.Worker$",
            "org.apache.spark.sql.internal.SQLConf$", "org.apache.spark.sql.internal.StaticSQLConf$");

    @BeforeAll
    static void registerSparkConfigEntries() throws ClassNotFoundException {
        for (String object : SPARK_CONFIG_OBJECTS) {
            Class.forName(object, true, ClusterConfTest.class.getClassLoader());
        }
        assertNotNull(ConfigEntry.findEntry("spark.executor.memory"), "Spark's config registry is readable");
    }

    // ---- Spark keys ----

    @Test
    void everySparkDefaultsKeyIsASparkKey() throws IOException {
        List<Path> confs = files("spark-defaults*.conf");
        assertTrue(confs.size() >= 2, "spark-defaults.conf and spark-defaults-gpu.conf: " + confs);
        for (Path f : confs) {
            Map<String, String> conf = readSparkConf(f);
            assertTrue(!conf.isEmpty(), f + " has no settings");
            conf.keySet().forEach(k -> assertKnownSparkKey(k, f));
        }
    }

    @Test
    void everySubmitScriptConfIsASparkKey() throws IOException {
        List<Path> scripts = files("submit-*.sh");
        assertEquals(3, scripts.size(), "standalone, YARN, Kubernetes: " + scripts);
        Pattern conf = Pattern.compile("--conf\\s+[\"']?([A-Za-z0-9_.\\-]+)=");
        int seen = 0;
        for (Path f : scripts) {
            String text = Files.readString(f);
            Matcher m = conf.matcher(text);
            while (m.find()) {
                assertKnownSparkKey(m.group(1), f);
                seen++;
            }
            assertTrue(text.contains("source \"$(dirname \"$0\")/lib/submit-common.sh\""),
                    f + " must build its settings with lib/submit-common.sh");
            assertTrue(text.contains("--class dev.pretrain.jobs.cli.PretrainCli"), f + " main class");
        }
        assertTrue(seen >= 4, "--conf settings found: " + seen);
    }

    @Test
    void noScriptReplacesTheSiteSparkDefaults() throws IOException {
        // --properties-file (spark-submit) and properties_file (Airflow) replace the cluster's spark-defaults.conf
        List<Path> all;
        try (Stream<Path> s = Files.walk(DIR)) {
            all = s.filter(p -> p.toString().endsWith(".sh") || p.toString().endsWith(".py")).sorted().toList();
        }
        assertTrue(all.size() >= 6, "scripts: " + all);
        for (Path f : all) {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                String code = line.strip();
                if (code.startsWith("#")) {
                    continue;
                }
                assertFalse(code.contains("--properties-file") || code.contains("properties_file"), f + ": " + line);
            }
        }
    }

    // ---- submit scripts, run in dry-run mode ----

    static final String CLASS = "dev.pretrain.jobs.cli.PretrainCli";
    static final String CONFIG = "hdfs:///user/me/pipeline.yaml";
    static final List<String> EXTRA = List.of("--output", "hdfs:///user/me/runs/run 1", "--strict");

    /** A fake Spark installation whose spark-submit writes its argv (NUL-separated) to $FAKE_ARGV. */
    static Path fakeSparkHome(Path tmp) throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("spark/bin"));
        Path submit = bin.resolve("spark-submit");
        Files.writeString(submit, "#!/bin/sh\nfor a in \"$0\" \"$@\"; do printf '%s\\0' \"$a\"; done > \"$FAKE_ARGV\"\n");
        assertTrue(submit.toFile().setExecutable(true));
        return tmp.resolve("spark");
    }

    record Run(int code, String stdout, String stderr) {}

    /** Runs a cluster-conf script with bash in a clean environment plus {@code env}. */
    static Run runScript(Path script, Map<String, String> env, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv("PATH"));
        pb.environment().putAll(env);
        Path err = Files.createTempFile("script", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        String stderr = Files.readString(err);
        Files.delete(err);
        return new Run(code, out, stderr);
    }

    /** What each script submits: its environment, arguments, and the options its argv must hold. */
    record Case(String script, Map<String, String> env, List<String> args, List<List<String>> options,
                List<String> tail) {}

    static List<Case> cases(Path tmp, Path jar) {
        List<String> pipeline = new ArrayList<>(List.of("pipeline", "--config", CONFIG));
        pipeline.addAll(EXTRA);
        List<String> scriptArgs = new ArrayList<>(List.of(CONFIG));
        scriptArgs.addAll(EXTRA);
        return List.of(
                new Case("submit-yarn.sh", Map.of(), scriptArgs,
                        List.of(List.of("--master", "yarn"), List.of("--deploy-mode", "cluster"),
                                List.of("--queue", "default"), List.of("--num-executors", "4")),
                        concat(jar.toString(), pipeline)),
                new Case("submit-standalone.sh", Map.of("SPARK_MASTER", "spark://master:7077"), scriptArgs,
                        List.of(List.of("--master", "spark://master:7077"), List.of("--deploy-mode", "client"),
                                List.of("--files", CONFIG), List.of("--total-executor-cores", "16")),
                        concat(jar.toString(), pipeline)),
                new Case("submit-k8s.sh", Map.of("K8S_API", "https://k8s-api:6443", "IMAGE", "registry/pretrain:t"),
                        scriptArgs,
                        List.of(List.of("--master", "k8s://https://k8s-api:6443"), List.of("--deploy-mode", "cluster"),
                                List.of("--conf", "spark.kubernetes.container.image=registry/pretrain:t"),
                                List.of("--conf", "spark.kubernetes.namespace=default")),
                        concat("local://" + dockerJarPath(), pipeline)),
                new Case("schedule/cron-ingest.sh", Map.of("LANDING", "hdfs:///landing", "OUTPUT", "hdfs:///corpus/inc",
                        "LOCK_FILE", tmp.resolve("cron.lock").toString()), List.of(),
                        List.of(List.of("--master", "yarn"), List.of("--deploy-mode", "client")),
                        List.of(jar.toString(), "ingest-incremental", "--source")));
    }

    static List<String> concat(String first, List<String> rest) {
        List<String> l = new ArrayList<>(List.of(first));
        l.addAll(rest);
        return l;
    }

    /** Our spark-defaults.conf read by java.util.Properties, as spark-submit reads a properties file (values trimmed). */
    static Map<String, String> sparkDefaultsAsSparkReadsThem() throws IOException {
        java.util.Properties props = new java.util.Properties();
        try (java.io.Reader r = Files.newBufferedReader(DIR.resolve("spark-defaults.conf"), StandardCharsets.UTF_8)) {
            props.load(r);
        }
        Map<String, String> m = new java.util.TreeMap<>();
        props.stringPropertyNames().forEach(k -> m.put(k, props.getProperty(k).trim()));
        return m;
    }

    static List<String> withoutTimes(List<String> argv) {
        return argv.stream().map(a -> a.replaceAll("\\d{8}T\\d{6}Z", "<time>")).toList();
    }

    static int indexOfPair(List<String> argv, String option, String value) {
        for (int i = 0; i + 1 < argv.size(); i++) {
            if (argv.get(i).equals(option) && argv.get(i + 1).equals(value)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void submitScriptsPassOurSettingsOnTopOfTheSiteDefaults(@TempDir Path tmp) throws Exception {
        Path sparkHome = fakeSparkHome(tmp);
        Path jar = Files.write(Files.createDirectories(tmp.resolve("my jars")).resolve("pretrain.jar"),
                new byte[] {'P', 'K'});
        Map<String, String> defaults = sparkDefaultsAsSparkReadsThem();
        assertTrue(defaults.size() >= 10, "settings: " + defaults);
        assertTrue(defaults.get("spark.executor.extraJavaOptions").contains(" -D"), "a value with spaces");
        for (Case c : cases(tmp, jar)) {
            Path ran = tmp.resolve("argv-" + c.script().replace('/', '-'));
            Map<String, String> env = new LinkedHashMap<>(c.env());
            env.put("SPARK_HOME", sparkHome.toString());
            env.put("PRETRAIN_JAR", jar.toString());
            env.put("FAKE_ARGV", ran.toString());
            env.put("DRY_RUN", "1");
            Run dry = runScript(DIR.resolve(c.script()), env, c.args());
            assertEquals(0, dry.code(), c.script() + ": " + dry.stderr());
            assertFalse(Files.exists(ran), c.script() + ": a dry run must not run spark-submit");
            List<String> argv = dry.stdout().lines().toList();

            assertEquals(sparkHome.resolve("bin/spark-submit").toString(), argv.get(0), c.script());
            assertFalse(argv.contains("--properties-file"), c.script() + " replaces the site's spark-defaults.conf");
            // the jar, then the application's arguments: all of them for the pipeline scripts
            int jarAt = argv.indexOf(c.tail().get(0));
            assertTrue(jarAt > 0, c.script() + ": no jar " + c.tail().get(0) + " in " + argv);
            boolean cron = c.script().startsWith("schedule/");
            assertEquals(c.tail(), argv.subList(jarAt, cron ? jarAt + c.tail().size() : argv.size()), c.script());
            int classAt = indexOfPair(argv, "--class", CLASS);
            assertTrue(classAt > 0 && classAt < jarAt, c.script() + ": --class before the jar: " + argv);
            for (Map.Entry<String, String> e : defaults.entrySet()) {
                int at = indexOfPair(argv, "--conf", e.getKey() + "=" + e.getValue());
                assertTrue(at > 0 && at < jarAt, c.script() + ": no --conf " + e.getKey() + "=" + e.getValue());
            }
            for (List<String> o : c.options()) {
                int at = indexOfPair(argv, o.get(0), o.get(1));
                assertTrue(at > 0 && at < jarAt, c.script() + ": no " + o + " in " + argv);
            }
            if (!cron) {
                assertEquals(defaults.size() + (c.script().equals("submit-k8s.sh") ? 4 : 0),
                        argv.stream().filter("--conf"::equals).count(), c.script() + ": --conf count");
            }

            // the dry run printed exactly what a real run executes
            env.remove("DRY_RUN");
            Run executedRun = runScript(DIR.resolve(c.script()), env, c.args());
            assertEquals(0, executedRun.code(), c.script() + ": " + executedRun.stderr());
            String executed = Files.readString(ran, StandardCharsets.UTF_8);
            List<String> real = List.of(executed.substring(0, executed.length() - 1).split("\0", -1));
            // (cron-ingest.sh names its report by the time of the run, to the second)
            assertEquals(withoutTimes(argv), withoutTimes(real), c.script());
        }
    }

    @Test
    void laterSettingsFilesWinAndMissingPiecesAreClearErrors(@TempDir Path tmp) throws Exception {
        Path sparkHome = fakeSparkHome(tmp);
        Path jar = Files.write(tmp.resolve("pretrain.jar"), new byte[] {'P', 'K'});
        Map<String, String> env = new LinkedHashMap<>(Map.of("SPARK_HOME", sparkHome.toString(),
                "PRETRAIN_JAR", jar.toString(), "DRY_RUN", "1", "FAKE_ARGV", tmp.resolve("ran").toString(),
                "PRETRAIN_CONF", DIR.resolve("spark-defaults.conf") + ":" + DIR.resolve("spark-defaults-gpu.conf")));
        Path yarn = DIR.resolve("submit-yarn.sh");
        List<String> argv = runScript(yarn, env, List.of(CONFIG)).stdout().lines().toList();
        int cpu = indexOfPair(argv, "--conf", "spark.executor.cores=4");
        int gpu = indexOfPair(argv, "--conf", "spark.executor.cores=1");
        assertTrue(cpu > 0 && gpu > cpu, "the GPU file's spark.executor.cores comes last and wins: " + argv);
        assertTrue(indexOfPair(argv, "--conf", "spark.executor.resource.gpu.amount=1") > 0, argv.toString());

        // the jar where README step 1 puts it: PRETRAIN_HOME/pretrain.jar
        env.remove("PRETRAIN_CONF");
        env.remove("PRETRAIN_JAR");
        Path home = Files.createDirectories(tmp.resolve("opt/pretrain"));
        env.put("PRETRAIN_HOME", home.toString());
        Run missing = runScript(yarn, env, List.of(CONFIG));
        assertEquals(2, missing.code(), missing.stderr());
        assertTrue(missing.stderr().contains("pretrain jar not found: " + home.resolve("pretrain.jar"))
                && missing.stderr().contains("PRETRAIN_JAR"), missing.stderr());
        Files.write(home.resolve("pretrain.jar"), new byte[] {'P', 'K'});
        Files.createDirectories(home.resolve("cluster-conf"));
        Files.copy(DIR.resolve("spark-defaults.conf"), home.resolve("cluster-conf/spark-defaults.conf"));
        List<String> found = runScript(yarn, env, List.of(CONFIG)).stdout().lines().toList();
        assertEquals(List.of(home.resolve("pretrain.jar").toString(), "pipeline", "--config", CONFIG),
                found.subList(found.size() - 4, found.size()));

        env.remove("SPARK_HOME");
        Run noSpark = runScript(yarn, env, List.of(CONFIG));
        assertEquals(2, noSpark.code());
        assertTrue(noSpark.stderr().contains("SPARK_HOME"), noSpark.stderr());
        assertFalse(Files.exists(tmp.resolve("ran")));

        // a settings line the scripts cannot pass on faithfully is refused, naming the file
        Path bad = Files.writeString(tmp.resolve("bad.conf"), "# x\nspark.a.b  c\\\n  d\n");
        env.put("SPARK_HOME", sparkHome.toString());
        env.put("PRETRAIN_CONF", bad.toString());
        Run refused = runScript(yarn, env, List.of(CONFIG));
        assertEquals(2, refused.code());
        assertTrue(refused.stderr().contains(bad.toString()), refused.stderr());
    }

    /** The destination of the Dockerfile's COPY of the fat jar. */
    static String dockerJarPath() {
        try {
            for (String line : Files.readAllLines(DIR.resolve("docker/Dockerfile"), StandardCharsets.UTF_8)) {
                String[] t = line.trim().split("\\s+");
                if (t[0].equals("COPY") && t.length == 3 && t[1].equals("jobs/target/jobs-*-all.jar")) {
                    return t[2];
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        fail("the Dockerfile copies no jobs/target/jobs-*-all.jar");
        return null;
    }

    @Test
    void theKubernetesImageHoldsWhatTheScriptsExpect() throws IOException {
        Path dockerfile = DIR.resolve("docker/Dockerfile");
        List<String> lines = Files.readAllLines(dockerfile, StandardCharsets.UTF_8);
        List<String> from = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
        assertEquals(1, from.size(), "one stage: " + from);
        String sparkVersion = org.apache.spark.package$.MODULE$.SPARK_VERSION();
        String scalaBinary = scala.util.Properties.versionNumberString().replaceAll("^(\\d+\\.\\d+).*", "$1");
        assertEquals("FROM apache/spark:" + sparkVersion + "-scala" + scalaBinary + "-java17-ubuntu", from.get(0),
                "the official Spark image of the Spark and Scala this project builds against, on Java 17");

        assertEquals("/opt/pretrain/pretrain.jar", dockerJarPath());
        assertTrue(Files.readString(DIR.resolve("submit-k8s.sh")).contains("image_jar=" + dockerJarPath()));
        // cluster-conf/ goes where spark-defaults-gpu.conf looks for the GPU discovery script
        String confDest = lines.stream().filter(l -> l.startsWith("COPY cluster-conf/ ")).map(l -> l.split("\\s+")[2])
                .findFirst().orElseThrow(() -> new AssertionError("the Dockerfile copies no cluster-conf/"));
        String discovery = readSparkConf(DIR.resolve("spark-defaults-gpu.conf"))
                .get("spark.executor.resource.gpu.discoveryScript");
        assertTrue(discovery.startsWith(confDest) && Files.isExecutable(DIR.resolve(discovery.substring(confDest.length()))),
                discovery + " vs " + confDest);
        // logging: the env var names our log4j2.properties at its place in the image
        String log4j = lines.stream().filter(l -> l.startsWith("ENV LOG4J_CONFIGURATION_FILE="))
                .map(l -> l.substring(l.indexOf('=') + 1)).findFirst().orElseThrow();
        assertTrue(log4j.startsWith(confDest) && Files.isRegularFile(DIR.resolve(log4j.substring(confDest.length()))),
                log4j);
        // the build context keeps what the COPY lines need
        List<String> ignore = Files.readAllLines(DIR.resolve("docker/Dockerfile.dockerignore"), StandardCharsets.UTF_8);
        for (String l : lines) {
            if (l.startsWith("COPY ")) {
                String src = l.split("\\s+")[1];
                assertTrue(ignore.contains("!" + src), "Dockerfile.dockerignore excludes " + src);
            }
        }
        // the build and push commands are documented
        String text = String.join("\n", lines);
        assertTrue(text.contains("docker build -f cluster-conf/docker/Dockerfile") && text.contains("docker push"), text);
    }

    @Test
    void theCheckerRejectsMisspelledKeys() {
        // the checker itself must be able to fail: a plausible typo and an unknown module key
        for (String bad : List.of("spark.executor.memoryOverhaed", "spark.kryo.registrators", "spark.yarn.queues",
                "spark.executor.resource.gpu.amonut", "spark.executorEnv.")) {
            assertTrue(!isKnownSparkKey(bad), bad + " must be rejected");
        }
    }

    // ---- DL4J / JavaCPP settings ----

    @Test
    void defaultsCarryTheDl4jSettings() throws IOException {
        Map<String, String> conf = readSparkConf(DIR.resolve("spark-defaults.conf"));
        assertEquals("org.apache.spark.serializer.KryoSerializer", conf.get("spark.serializer"));
        assertEquals("dev.pretrain.jobs.spark.PretrainKryoRegistrator", conf.get("spark.kryo.registrator"));
        for (String key : List.of("spark.executor.memory", "spark.executor.memoryOverhead",
                "spark.executorEnv.OMP_NUM_THREADS", "spark.executor.extraJavaOptions", "spark.driver.extraJavaOptions")) {
            assertTrue(conf.containsKey(key), "spark-defaults.conf must set " + key);
        }
        for (String side : List.of("executor", "driver")) {
            Map<String, String> props = systemProperties(conf.get("spark." + side + ".extraJavaOptions"));
            assertTrue(props.containsKey("org.bytedeco.javacpp.maxbytes"), side + " off-heap cap (maxbytes)");
            assertTrue(props.containsKey("org.bytedeco.javacpp.maxphysicalbytes"), side + " process cap (maxphysicalbytes)");
        }
    }

    @Test
    void kryoBufferCoversBertUpToMedium() throws IOException {
        // SparkSizing's formula: one worker's averaging result (parameters + Adam state, 12P bytes) + margin
        Map<String, String> conf = readSparkConf(DIR.resolve("spark-defaults.conf"));
        long buffer = mib(conf.get("spark.kryoserializer.buffer.max"));
        for (String size : List.of("tiny", "mini", "small", "medium")) {
            long needed = dev.pretrain.jobs.spark.SparkSizing.forBert(
                    dev.pretrain.model.bert.BertConfig.preset(size, 30522), 2, 4).kryoBufferMaxMiB();
            assertTrue(needed <= buffer, "BERT-" + size + " needs " + needed + "m, spark-defaults.conf has " + buffer + "m");
        }
        long base = dev.pretrain.jobs.spark.SparkSizing.forBert(
                dev.pretrain.model.bert.BertConfig.preset("base", 30522), 2, 4).kryoBufferMaxMiB();
        assertTrue(base > buffer, "documented: BERT-base (" + base + "m) needs a larger buffer than cluster-conf's");
    }

    @Test
    void executorHeapPlusOffHeapFitTheContainer() throws IOException {
        Map<String, String> conf = readSparkConf(DIR.resolve("spark-defaults.conf"));
        long heap = mib(conf.get("spark.executor.memory"));
        long overhead = mib(conf.get("spark.executor.memoryOverhead"));
        Map<String, String> props = systemProperties(conf.get("spark.executor.extraJavaOptions"));
        long maxBytes = mib(props.get("org.bytedeco.javacpp.maxbytes"));
        long maxPhysical = mib(props.get("org.bytedeco.javacpp.maxphysicalbytes"));
        // ND4J's arrays live off-heap: they must fit in the overhead YARN/Kubernetes add to the heap,
        // and JavaCPP's whole-process cap must cover heap + off-heap yet stay inside the container.
        assertTrue(maxBytes <= overhead, "maxbytes " + maxBytes + " MiB > memoryOverhead " + overhead + " MiB");
        assertTrue(maxPhysical >= heap + maxBytes, "maxphysicalbytes below heap + maxbytes");
        assertTrue(maxPhysical <= heap + overhead, "maxphysicalbytes above the container (heap + overhead)");
        // one ND4J/OpenBLAS thread per task slot
        long cores = Long.parseLong(conf.get("spark.executor.cores"));
        long taskCpus = Long.parseLong(conf.getOrDefault("spark.task.cpus", "1"));
        long omp = Long.parseLong(conf.get("spark.executorEnv.OMP_NUM_THREADS"));
        assertTrue(omp * (cores / taskCpus) <= cores, "OMP threads x task slots exceed the executor's cores");
    }

    @Test
    void javaSystemPropertiesAreSpelledAsTheLibrariesReadThem() throws IOException {
        byte[] javacpp = concat(classBytes("org/bytedeco/javacpp/Pointer.class"),
                classBytes("org/bytedeco/javacpp/Loader.class"));
        int checked = 0;
        for (Path f : files("spark-defaults*.conf")) {
            for (Map.Entry<String, String> e : readSparkConf(f).entrySet()) {
                if (!e.getKey().endsWith(".extraJavaOptions")) {
                    continue;
                }
                for (Map.Entry<String, String> p : systemProperties(e.getValue()).entrySet()) {
                    String key = p.getKey();
                    if (key.startsWith("org.bytedeco.javacpp.")) {
                        // JavaCPP reads its properties by these literal names (Pointer, Loader)
                        assertTrue(contains(javacpp, key), f + ": JavaCPP reads no property " + key);
                        if (key.endsWith("bytes")) {
                            assertTrue(mib(p.getValue()) > 0, f + ": " + key + "=" + p.getValue());
                        }
                    } else if (key.startsWith("org.deeplearning4j.")) {
                        assertEquals(TimeSourceProvider.TIMESOURCE_CLASSNAME_PROPERTY, key, f + ": unknown DL4J property");
                        assertLoads(p.getValue(), f);
                    } else {
                        fail(f + ": system property " + key + " is not checked by this test; add a rule");
                    }
                    checked++;
                }
            }
        }
        assertTrue(checked >= 4, "system properties checked: " + checked);
        assertTrue(!contains(javacpp, "org.bytedeco.javacpp.maxbyte "), "the scan can fail");
    }

    @Test
    void classNamesInTheDefaultsLoad() throws IOException {
        Map<String, String> conf = readSparkConf(DIR.resolve("spark-defaults.conf"));
        assertLoads(conf.get("spark.serializer"), DIR.resolve("spark-defaults.conf"));
        assertLoads(conf.get("spark.kryo.registrator"), DIR.resolve("spark-defaults.conf"));
    }

    @Test
    void gpuAdditionsRequestGpusWithTheDiscoveryScript(@TempDir Path bin) throws Exception {
        Map<String, String> gpu = readSparkConf(DIR.resolve("spark-defaults-gpu.conf"));
        assertEquals("1", gpu.get("spark.executor.resource.gpu.amount"));
        assertEquals("1", gpu.get("spark.task.resource.gpu.amount"));
        String script = gpu.get("spark.executor.resource.gpu.discoveryScript");
        assertNotNull(script, "executor GPU discovery script");
        Path local = DIR.resolve(Path.of(script).getFileName());
        assertTrue(Files.isExecutable(local), "discovery script in cluster-conf: " + script);
        // run it with a stand-in nvidia-smi (two GPUs) and read its output as Spark does (JSON)
        Path smi = bin.resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/sh\nprintf '0\\n 1\\n'\n");
        assertTrue(smi.toFile().setExecutable(true));
        ProcessBuilder pb = new ProcessBuilder("bash", local.toString()).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        Map<?, ?> info = new ObjectMapper().readValue(out, Map.class);
        assertEquals("gpu", info.get("name"));
        assertEquals(List.of("0", "1"), info.get("addresses"));
    }

    // ---- YAML and header comments ----

    @Test
    void yamlFilesParseAndThePipelineConfigIsValid() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<Path> files;
        try (Stream<Path> s = Files.walk(DIR)) {
            files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
        assertTrue(!files.isEmpty());
        for (Path f : files) {
            try {
                yaml.readValues(yaml.getFactory().createParser(f.toFile()), Object.class).readAll();
            } catch (IOException e) {
                fail(f + " is not valid YAML: " + e.getMessage());
            }
        }
        Path pipeline = DIR.resolve("pipeline-hdfs.yaml");
        PipelineConfig c = PipelineConfig.parse(Files.readString(pipeline), pipeline.toString());
        assertTrue(c.output.startsWith("hdfs://"), "cluster config writes to HDFS: " + c.output);
        for (PipelineConfig.Source s : c.ingest.sources) {
            assertTrue(s.uri.matches("^(hdfs|s3a|gs|abfss?)://.*"), "cluster URIs only: " + s.uri);
        }
    }

    @Test
    void everyFileStartsWithACommentSayingWhatItIsFor() throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(DIR)) {
            all = s.filter(Files::isRegularFile).sorted().toList();
        }
        assertTrue(all.size() >= 9, "cluster-conf files: " + all);
        for (Path f : all) {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            assertTrue(!lines.isEmpty(), f + " is empty");
            String name = f.getFileName().toString();
            String first;
            if (name.endsWith(".sh")) {
                assertTrue(lines.get(0).startsWith("#!"), f + ": shell scripts start with a shebang");
                assertTrue(Files.isExecutable(f), f + " must be executable");
                first = lines.size() > 1 ? lines.get(1) : "";
                assertTrue(first.startsWith("# "), f + ": the line after the shebang must say what it is for");
            } else if (name.endsWith(".py")) {
                first = lines.get(0);
                assertTrue(first.startsWith("\"\"\"") || first.startsWith("# "), f + ": a docstring or comment first");
            } else if (name.endsWith(".conf") || name.endsWith(".properties") || name.endsWith(".yaml")
                    || name.endsWith(".yml") || name.equals("Dockerfile") || name.endsWith(".dockerignore")) {
                first = lines.get(0);
                assertTrue(first.startsWith("# "), f + ": the first line must be a comment saying what it is for");
            } else {
                fail(f + ": no header-comment rule for this file type; add one to ClusterConfTest");
                return;
            }
            assertTrue(first.replaceAll("^(#!?|\"\"\")\\s*", "").trim().length() >= 20,
                    f + ": the header comment is too short to say what the file is for: " + first);
        }
    }

    // ---- helpers ----

    static void assertKnownSparkKey(String key, Path file) {
        assertTrue(isKnownSparkKey(key), file.getFileName() + ": '" + key + "' is not a Spark configuration key");
    }

    static boolean isKnownSparkKey(String key) {
        if (ConfigEntry.findEntry(key) != null || DOCUMENTED_ELSEWHERE.contains(key)) {
            return true;
        }
        return DOCUMENTED_PATTERNS.stream().anyMatch(p -> p.matcher(key).matches());
    }

    /** A spark-defaults.conf: "key value" per line (whitespace or '=' separated, as java.util.Properties). */
    static Map<String, String> readSparkConf(Path f) throws IOException {
        Map<String, String> conf = new LinkedHashMap<>();
        for (String raw : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] kv = line.split("[\\s=]+", 2);
            assertEquals(2, kv.length, f + ": no value in line '" + raw + "'");
            assertTrue(conf.put(kv[0], kv[1].strip()) == null, f + ": " + kv[0] + " set twice");
        }
        return conf;
    }

    /** The -Dkey=value options of a Java options string. */
    static Map<String, String> systemProperties(String javaOptions) {
        Map<String, String> props = new LinkedHashMap<>();
        for (String opt : javaOptions.trim().split("\\s+")) {
            if (opt.startsWith("-D")) {
                int eq = opt.indexOf('=');
                props.put(eq < 0 ? opt.substring(2) : opt.substring(2, eq), eq < 0 ? "" : opt.substring(eq + 1));
            }
        }
        return props;
    }

    /** A size as Spark or JavaCPP write it (512m, 5G, 14g), in MiB. */
    static long mib(String size) {
        assertNotNull(size, "missing size");
        return JavaUtils.byteStringAsMb(size.toLowerCase());
    }

    static void assertLoads(String className, Path file) {
        try {
            Class.forName(className, false, ClusterConfTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            fail(file.getFileName() + ": class " + className + " is not on the job's classpath");
        }
    }

    static List<Path> files(String glob) throws IOException {
        List<Path> out = new ArrayList<>();
        try (var ds = Files.newDirectoryStream(DIR, glob)) {
            ds.forEach(out::add);
        }
        out.sort(null);
        return out;
    }

    static byte[] classBytes(String resource) throws IOException {
        try (InputStream in = ClusterConfTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertNotNull(in, resource + " on the classpath");
            return in.readAllBytes();
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Whether the class-file bytes hold {@code s} as a whole constant-pool string (length-prefixed UTF-8). */
    static boolean contains(byte[] haystack, String s) {
        byte[] needle = s.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 2; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            int len = ((haystack[i - 2] & 0xff) << 8) | (haystack[i - 1] & 0xff);
            if (len == needle.length) {
                return true;
            }
        }
        return false;
    }
}
