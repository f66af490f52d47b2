package dev.pretrain.jobs.s3;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.client.builder.AwsClientBuilder.EndpointConfiguration;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;
import com.amazonaws.services.s3.model.ListObjectsV2Request;
import com.amazonaws.services.s3.model.ListObjectsV2Result;

/**
 * A real S3 server for tests: S3Proxy ({@code org.gaul:s3proxy}, its self-contained jar from Maven Central,
 * copied to {@code target/s3proxy/} by the {@code s3} profile) with jclouds' in-memory "transient" store, run
 * as a separate JVM (it brings its own Jetty, Guava and jclouds) listening on 127.0.0.1 only, on a free port,
 * with AWS signature v2/v4 authentication. {@link #close()} stops it; its log is {@code s3proxy.log} in the
 * work folder.
 */
final class S3ProxyServer implements AutoCloseable {
    static final String ACCESS_KEY = "pretrain-test-key";
    static final String SECRET_KEY = "pretrain-test-secret";
    static final String REGION = "us-east-1";

    private final Process process;
    private final int port;
    private final Path log;

    private S3ProxyServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts S3Proxy from {@code jar}; retries on another port if the chosen one was taken meanwhile. */
    static S3ProxyServer start(Path jar, Path workDir) throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("S3Proxy jar not found: " + jar + " (run with mvn -Ps3)");
        }
        Files.createDirectories(workDir);
        Path log = workDir.resolve("s3proxy.log");
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freeLoopbackPort();
            Path props = workDir.resolve("s3proxy.properties");
            Files.writeString(props, String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    "jclouds.provider=transient",
                    "jclouds.identity=unused",
                    "jclouds.credential=unused",
                    ""));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "-Xmx1g", "-DLOG_LEVEL=warn", "-jar", jar.toString(),
                    "--properties", props.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            if (awaitHttp(p, port, Duration.ofSeconds(60))) {
                return new S3ProxyServer(p, port, log);
            }
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        throw new IllegalStateException("S3Proxy did not start on 127.0.0.1; its log: " + log + "\n"
                + Files.readString(log));
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Waits until the server answers HTTP (any status: an anonymous request gets 403) or the process exits. */
    private static boolean awaitHttp(Process p, int port, Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && p.isAlive()) {
            try {
                http.send(probe, HttpResponse.BodyHandlers.discarding());
                return true;
            } catch (IOException notYet) {
                Thread.sleep(250);
            }
        }
        return false;
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    Path log() {
        return log;
    }

    /**
     * What a user passes as {@code spark-submit --conf}: S3A pointed at this server (path-style, plain HTTP),
     * with static credentials only, and few retries so that a failure shows at once.
     */
    Map<String, String> sparkHadoopConf() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("spark.hadoop.fs.s3a.endpoint", endpoint());
        m.put("spark.hadoop.fs.s3a.endpoint.region", REGION);
        m.put("spark.hadoop.fs.s3a.path.style.access", "true");
        m.put("spark.hadoop.fs.s3a.connection.ssl.enabled", "false");
        m.put("spark.hadoop.fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        m.put("spark.hadoop.fs.s3a.access.key", ACCESS_KEY);
        m.put("spark.hadoop.fs.s3a.secret.key", SECRET_KEY);
        m.put("spark.hadoop.fs.s3a.attempts.maximum", "2");
        m.put("spark.hadoop.fs.s3a.retry.limit", "2");
        return m;
    }

    /** An AWS SDK client of this server, for the test's own setup and checks (not the code under test). */
    AmazonS3 client() {
        return AmazonS3ClientBuilder.standard()
                .withEndpointConfiguration(new EndpointConfiguration(endpoint(), REGION))
                .withPathStyleAccessEnabled(true)
                .withCredentials(new AWSStaticCredentialsProvider(new BasicAWSCredentials(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    /** Every key in a bucket, sorted. */
    static List<String> keys(AmazonS3 s3, String bucket) {
        List<String> keys = new ArrayList<>();
        ListObjectsV2Request req = new ListObjectsV2Request().withBucketName(bucket);
        ListObjectsV2Result res;
        do {
            res = s3.listObjectsV2(req);
            res.getObjectSummaries().forEach(o -> keys.add(o.getKey()));
            req.setContinuationToken(res.getNextContinuationToken());
        } while (res.isTruncated());
        keys.sort(String::compareTo);
        return keys;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
