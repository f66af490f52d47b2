package dev.pretrain.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
            assertTrue(text.contains("--properties-file \"$here/cluster-conf/spark-defaults.conf\""),
                    f + " must submit with cluster-conf/spark-defaults.conf");
            assertTrue(text.contains("--class dev.pretrain.jobs.cli.PretrainCli"), f + " main class");
        }
        assertTrue(seen >= 4, "--conf settings found: " + seen);
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
                    || name.endsWith(".yml")) {
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
